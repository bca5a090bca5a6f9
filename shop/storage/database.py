"""An app's database: fast reads (`shop.storage.reads`) and the unit of work for
writes (`shop.storage.unit_of_work`), opened at startup and disposed at shutdown.

SQLite (the embedded default) and PostgreSQL run the same code. Nothing here is
global: each `Database` belongs to the app that made it. The SQL itself lives in
the stores, one per aggregate (`shop/*/store.py`).
"""

from __future__ import annotations

import asyncio
import errno
import socket
import sqlite3
from collections.abc import Callable

import asyncpg
import sqlalchemy.exc
from sqlalchemy.engine import URL, Connection

from shop.storage.reads import Reads
from shop.storage.recent import Writes
from shop.storage.unit_of_work import UnitOfWork

PING_TIMEOUT_SECONDS = 2.0
_UNREACHABLE = frozenset({errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.ETIMEDOUT})


class Database:
    def __init__(self, url: URL) -> None:
        self.url = url
        self.writes = Writes()
        self.reads = Reads(url)
        self.unit_of_work = UnitOfWork(url, self.writes)

    def open(self) -> None:
        """Create the engine (it connects lazily). Safe to call twice."""
        self.unit_of_work.open()

    async def dispose(self) -> None:
        await self.reads.close()
        await self.unit_of_work.dispose()

    async def transaction[T](self, work: Callable[[Connection], T]) -> T:
        """Run `work` as one unit of work (see `shop.storage.unit_of_work`)."""
        return await self.unit_of_work.run(work)

    async def schema_revision(self) -> str | None:
        """The migration the database is at; None when it was never migrated."""
        try:
            revision: str | None = await self.reads.scalar("SELECT version_num FROM alembic_version")
        except Exception as error:
            if unavailable(error):
                raise
            return None  # no such table
        return revision

    async def ping(self) -> None:
        """Raise if the database does not answer within PING_TIMEOUT_SECONDS."""
        async with asyncio.timeout(PING_TIMEOUT_SECONDS):
            await self.reads.rows("SELECT 1")


def unavailable(error: BaseException) -> bool:
    """Whether `error` says the database cannot be reached, or is busy past
    waiting (SQLite's lock, PostgreSQL shutting down): a 503, not a bug."""
    if isinstance(error, sqlalchemy.exc.DBAPIError):
        if error.connection_invalidated:
            return True
        error = error.orig if error.orig is not None else error
    if isinstance(error, sqlalchemy.exc.TimeoutError | ConnectionError | TimeoutError | socket.gaierror):
        return True  # pool or connect timeout, refused, reset, a name that does not resolve
    if type(error) is OSError and error.errno in _UNREACHABLE:
        return True
    if isinstance(error, sqlite3.OperationalError):
        text = str(error)  # SQLite's own words
        return "locked" in text or "busy" in text or "unable to open" in text or "disk I/O" in text
    if isinstance(error, asyncpg.exceptions.ConnectionDoesNotExistError):
        return True
    # asyncpg: connection exceptions (08...), shutdowns (57P0x), too many connections (53300).
    sqlstate = getattr(error, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate.startswith(("08", "57P", "53300"))
