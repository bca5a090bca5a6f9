"""Argon2id password hashing, run on a small thread pool off the event loop.

argon2-cffi releases the GIL while it hashes, so hashing on threads keeps the
event loop free for other requests; the pool's size bounds how many hashes run
at once, so a burst of logins queues instead of starving the CPU. The queue is
bounded too: past a few checks waiting per thread, a new one is refused at
once (503 with Retry-After) rather than made to wait behind a flood of bogus
logins for many seconds.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

from shop.kernel.errors import ServiceUnavailable

# Argon2id with RFC 9106's second recommended profile (64 MiB, 3 passes, 4 lanes):
# what every shop hashes with. Only a test harness passes another to `create_app`.
PRODUCTION = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)
_DUMMY_PASSWORD = "not a real password, only here to spend the same time"  # noqa: S105


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Verified against when a username is unknown, so both answers take as long."""
    return hasher.hash(_DUMMY_PASSWORD)


MIN_CHOSEN_LENGTH = 10  # for a password chosen without a token (open registration)


@cache
def _common_passwords() -> frozenset[str]:
    text = files("shop.kernel").joinpath("password_lists/common.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def weakness(username: str, password: str) -> str | None:
    """Why a password someone chose for themself is too easy to guess, if it is."""
    if len(password) < MIN_CHOSEN_LENGTH:
        return f"Choose a password of at least {MIN_CHOSEN_LENGTH} characters."
    if password.casefold() == username.casefold():
        return "The password must not be the username."
    if password.casefold() in _common_passwords():
        return "This is one of the most common passwords; choose another."
    return None


def hash_password_sync(password: str, hasher: PasswordHasher = PRODUCTION) -> str:
    return hasher.hash(password)


def verify_password_sync(password_hash: str | None, password: str, hasher: PasswordHasher = PRODUCTION) -> bool:
    try:
        return hasher.verify(password_hash or _dummy_hash(hasher), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


WAITING_PER_WORKER = 8  # a check waits behind at most this many per thread: well under a second
BUSY = "Too many password checks are under way; try again in a moment."


class Passwords:
    """An app's hashing pool, with the hasher it hashes new passwords with."""

    def __init__(
        self,
        hasher: PasswordHasher = PRODUCTION,
        workers: int | None = None,
        waiting_per_worker: int = WAITING_PER_WORKER,
    ) -> None:
        self.hasher = hasher
        threads = workers or os.cpu_count() or 2
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="argon2")
        self._most = threads * (1 + waiting_per_worker)  # hashing and waiting
        self._under_way = 0

    async def hash(self, password: str) -> str:
        return await self._run(hash_password_sync, password, self.hasher)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Check a password; with no hash (unknown user) spend the same time and say no."""
        return await self._run(verify_password_sync, password_hash, password, self.hasher)

    async def _run[T](self, work: Callable[..., T], *args: object) -> T:
        if self._under_way >= self._most:
            raise ServiceUnavailable(BUSY, retry_after=1)
        self._under_way += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, work, *args)
        finally:
            self._under_way -= 1

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
