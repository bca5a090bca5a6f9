"""The brute-force rule: 5 failed logins for a username in 15 minutes lock it.

The count must be seen by every worker process, so it lives in the database,
or in Redis when REDIS_URL is set. An attempt is counted before its password
is checked (and forgotten again on success), so a burst of parallel guesses
cannot slip past the limit while their hashes are being checked.
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta
from typing import Protocol

from redis.asyncio import Redis

from shop.clock import Clock
from shop.database import Database
from shop.errors import TooManyRequests
from shop.login import store

LIMIT = 5
WINDOW = timedelta(minutes=15)


class AttemptStore(Protocol):
    async def add(self, key: str, at: datetime) -> tuple[str, int, datetime]:
        """Record an attempt; return its handle, the count in the window and the oldest one's time."""
        ...

    async def forget(self, key: str, handle: str) -> None: ...

    async def clear(self, key: str) -> None: ...

    async def close(self) -> None: ...


class DatabaseAttempts:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def add(self, key: str, at: datetime) -> tuple[str, int, datetime]:
        recent = await self.database.transaction(lambda connection: store.add(connection, key, at, at - WINDOW))
        return str(recent.attempt_id), recent.attempts, recent.oldest

    async def forget(self, key: str, handle: str) -> None:
        await self.database.transaction(lambda connection: store.forget(connection, int(handle)))

    async def clear(self, key: str) -> None:
        await self.database.transaction(lambda connection: store.clear(connection, key))

    async def close(self) -> None:
        pass


class RedisAttempts:
    """A sorted set per username: members are attempts, scores their times."""

    PREFIX = "shop:login-attempts:"

    def __init__(self, url: str) -> None:
        self.redis: Redis = Redis.from_url(url)

    async def add(self, key: str, at: datetime) -> tuple[str, int, datetime]:
        name, now, handle = self.PREFIX + key, at.timestamp(), uuid.uuid4().hex
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(name, "-inf", now - WINDOW.total_seconds())
            pipe.zadd(name, {handle: now})
            pipe.zcard(name)
            pipe.zrange(name, 0, 0, withscores=True)
            pipe.expire(name, math.ceil(WINDOW.total_seconds()))
            _, _, count, oldest, _ = await pipe.execute()
        return handle, int(count), datetime.fromtimestamp(oldest[0][1], at.tzinfo)

    async def forget(self, key: str, handle: str) -> None:
        await self.redis.zrem(self.PREFIX + key, handle)

    async def clear(self, key: str) -> None:
        await self.redis.delete(self.PREFIX + key)

    async def close(self) -> None:
        await self.redis.aclose()


class LoginGuard:
    def __init__(self, store: AttemptStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def attempt(self, key: str) -> str:
        """Count an attempt for `key`; 429 when it is over the limit."""
        now = self.clock()
        handle, count, oldest = await self.store.add(key, now)
        if count > LIMIT:
            await self.store.forget(key, handle)  # a refused attempt does not extend the lock
            raise TooManyRequests(
                "Too many failed logins for this username; try again later.",
                retry_after=max(1, math.ceil((oldest + WINDOW - now).total_seconds())),
            )
        return handle

    async def succeeded(self, key: str) -> None:
        await self.store.clear(key)
