"""The brute-force rule, for logins and for `current_password` alike.

- Five failures for one username from one client address within 15 minutes
  lock that username for that client until the window passes (429 with
  Retry-After). Another client, with the right password, still gets in: a
  stranger cannot lock someone else out.
- A client that fails for more than ten different usernames within 15 minutes
  is refused for any username until the window passes. Clients on this machine
  (loopback) are exempt: they are the operator, or a proxy that does not say
  who its client is (see FORWARDED_ALLOW_IPS).

The counts must be seen by every worker process, so they live in the database,
or in Redis when REDIS_URL is set. An attempt is counted before its password
is checked (and forgotten again on success), so a burst of parallel guesses
cannot slip past the limit while their hashes are being checked.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import NamedTuple, Protocol

from redis.asyncio import Redis

from shop.kernel.addresses import on_this_machine
from shop.kernel.clock import Clock
from shop.kernel.errors import ServiceUnavailable, TooManyRequests
from shop.login import store
from shop.storage.database import Database

LIMIT = 5  # failures of one username from one client
USERNAMES_LIMIT = 10  # usernames one client may fail for
WINDOW = timedelta(minutes=15)


class Counted(NamedTuple):
    """An attempt, as counted: its handle; its username's attempts from its
    client and the oldest one's time; the usernames its client tried and the
    oldest attempt's time."""

    handle: str
    attempts: int
    oldest: datetime
    usernames: int
    client_oldest: datetime


class AttemptStore(Protocol):
    async def add(self, username_key: str, client: str, at: datetime) -> Counted: ...

    async def forget(self, username_key: str, client: str, handle: str) -> None: ...

    async def clear(self, username_key: str, client: str) -> None:
        """The username's attempts from the client: it has just proven the password."""
        ...

    async def close(self) -> None: ...


class DatabaseAttempts:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def add(self, username_key: str, client: str, at: datetime) -> Counted:
        recent = await self.database.transaction(
            lambda connection: store.add(connection, username_key, client, at, at - WINDOW)
        )
        return Counted(str(recent.attempt_id), *recent[1:])

    async def forget(self, username_key: str, client: str, handle: str) -> None:
        await self.database.transaction(lambda connection: store.forget(connection, int(handle)))

    async def clear(self, username_key: str, client: str) -> None:
        await self.database.transaction(lambda connection: store.clear(connection, username_key, client))

    async def close(self) -> None:
        pass


class RedisAttempts:
    """A sorted set per username and client (members: attempts, scores: their
    times) and one per client (members: usernames, scores: their last attempt).
    Both expire with the window, so nothing is left behind."""

    PREFIX = "shop:login-attempts:"
    CLIENTS = "shop:login-clients:"

    def __init__(self, url: str) -> None:
        self.redis: Redis = Redis.from_url(url)

    def _name(self, username_key: str, client: str) -> str:
        return f"{self.PREFIX}{username_key}|{client}"

    async def add(self, username_key: str, client: str, at: datetime) -> Counted:
        name, names, now, handle = (
            self._name(username_key, client),
            self.CLIENTS + client,
            at.timestamp(),
            uuid.uuid4().hex,
        )
        since, expiry = now - WINDOW.total_seconds(), math.ceil(WINDOW.total_seconds())
        async with self.redis.pipeline(transaction=True) as pipe:
            for key, member in ((name, handle), (names, username_key)):
                pipe.zremrangebyscore(key, "-inf", since)
                pipe.zadd(key, {member: now})
                pipe.zcard(key)
                pipe.zrange(key, 0, 0, withscores=True)
                pipe.expire(key, expiry)
            answers = await pipe.execute()
        count, oldest, usernames, client_oldest = answers[2], answers[3], answers[7], answers[8]
        at_oldest, at_client_oldest = (
            datetime.fromtimestamp(found[0][1], at.tzinfo) for found in (oldest, client_oldest)
        )
        return Counted(handle, int(count), at_oldest, int(usernames), at_client_oldest)

    async def forget(self, username_key: str, client: str, handle: str) -> None:
        await self.redis.zrem(self._name(username_key, client), handle)

    async def clear(self, username_key: str, client: str) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._name(username_key, client))
            pipe.zrem(self.CLIENTS + client, username_key)
            await pipe.execute()

    async def close(self) -> None:
        await self.redis.aclose()


class LoginGuard:
    def __init__(self, store: AttemptStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def _count(self, username_key: str, client: str) -> str:
        """Count an attempt at `username_key`'s password from `client`: its handle; 429 when over a limit."""
        now = self.clock()
        counted = await self.store.add(username_key, client, now)
        if counted.attempts > LIMIT:
            refused = ("Too many failed logins for this username; try again later.", counted.oldest)
        elif counted.usernames > USERNAMES_LIMIT and not on_this_machine(client):
            refused = ("Too many failed logins from this address; try again later.", counted.client_oldest)
        else:
            return counted.handle
        await self.store.forget(username_key, client, counted.handle)  # a refused attempt does not extend the lock
        detail, oldest = refused
        raise TooManyRequests(detail, retry_after=max(1, math.ceil((oldest + WINDOW - now).total_seconds())))

    async def check(self, username_key: str, client: str, verify: Callable[[], Awaitable[bool]]) -> bool:
        """Count a guess at `username_key`'s password from `client` (429 when over
        a limit), then run `verify`. A right password clears the username's
        failures from the client; a check that never ran (503) is not counted."""
        handle = await self._count(username_key, client)
        try:
            verified = await verify()
        except ServiceUnavailable:
            await self.store.forget(username_key, client, handle)
            raise
        if verified:
            await self.store.clear(username_key, client)
        return verified
