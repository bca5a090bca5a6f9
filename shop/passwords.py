"""Argon2id password hashing, run on a small thread pool off the event loop.

argon2-cffi releases the GIL while it hashes, so hashing on threads keeps the
event loop free for other requests; the pool's size bounds how many hashes run
at once, so a burst of logins queues instead of starving the CPU.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # Argon2id with argon2-cffi's RFC 9106 defaults


@cache
def _dummy_hash() -> str:
    """Verified against when a username is unknown, so both answers take as long."""
    return _hasher.hash("not a real password, only here to spend the same time")


def hash_password_sync(password: str) -> str:
    return _hasher.hash(password)


def verify_password_sync(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


class Passwords:
    """An app's hashing pool."""

    def __init__(self, workers: int | None = None) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 2, thread_name_prefix="argon2")

    async def hash(self, password: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(self._pool, hash_password_sync, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Check a password; with no hash (unknown user) spend the same time and say no."""
        return await asyncio.get_running_loop().run_in_executor(
            self._pool, verify_password_sync, password_hash, password
        )

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
