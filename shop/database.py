"""The database: one async engine and session factory per app.

SQLite (aiosqlite) is the embedded default; PostgreSQL (asyncpg) runs the same
code. Nothing here is global: each `Database` belongs to the app that made it.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from shop.direct import DirectReads
from shop.paging import Totals

SQLITE_BUSY_TIMEOUT_MS = 10_000
TRANSACTION_ATTEMPTS = 5
# PostgreSQL's serialization_failure and deadlock_detected: safe to run again.
_RETRY_SQLSTATES = frozenset({"40001", "40P01"})
PING_TIMEOUT_SECONDS = 2.0
# A write transaction on SQLite takes the write lock when it begins
# (BEGIN IMMEDIATE), so it waits its turn under the busy timeout instead of
# failing with "database is locked" when a read turns into a write.
_WRITE = "shop_write"


def _transient(error: DBAPIError) -> bool:
    sqlstate = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return sqlstate in _RETRY_SQLSTATES or "database is locked" in str(error.orig)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event, not the driver, open transactions.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",  # durable across process crashes; WAL keeps it consistent
        "foreign_keys=ON",
        f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
        "temp_store=MEMORY",
        "cache_size=-32000",  # 32 MiB of page cache per connection
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(_WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_engine(url: URL) -> AsyncEngine:
    """An engine tuned for the backend the URL names."""
    if url.get_backend_name() == "sqlite":
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True, pool_recycle=1800)


class Database:
    """An app's engine and sessions, opened at startup and disposed at shutdown."""

    def __init__(self, url: URL) -> None:
        self.url = url
        # SQLite has one writer at a time. Within a process, writers queue here,
        # on the event loop, instead of polling SQLite's lock from a thread
        # (its busy handler sleeps in growing steps, which makes long tails).
        self._one_writer = asyncio.Lock() if url.get_backend_name() == "sqlite" else None
        self.totals = Totals()
        self.direct = DirectReads(url)  # the hot reads, on the driver itself
        self._engine: AsyncEngine | None = None
        self._sessions: async_sessionmaker[AsyncSession] | None = None
        self._write_sessions: async_sessionmaker[AsyncSession] | None = None

    def open(self) -> None:
        """Create the engine (it connects lazily). Safe to call twice."""
        if self._engine is not None:
            return
        self._engine = create_engine(self.url)
        self._sessions = async_sessionmaker(self._engine, expire_on_commit=False)
        self._write_sessions = async_sessionmaker(
            self._engine.execution_options(**{_WRITE: True}), expire_on_commit=False
        )

    async def dispose(self) -> None:
        await self.direct.close()
        if self._engine is not None:
            await self._engine.dispose()
        self._engine = self._sessions = self._write_sessions = None

    @property
    def engine(self) -> AsyncEngine:
        # An app mounted inside another ASGI app may never see lifespan startup.
        self.open()
        assert self._engine is not None
        return self._engine

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for queries that change nothing."""
        self.open()
        assert self._sessions is not None
        async with self._sessions() as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed on success, rolled back on error."""
        self.open()
        assert self._write_sessions is not None
        try:
            if self._one_writer is None:
                async with self._write_sessions() as session, session.begin():
                    yield session
                return
            async with self._one_writer, self._write_sessions() as session, session.begin():
                yield session
        finally:
            self.totals.invalidate()  # whether it committed or not: cheap, and never stale

    async def transaction[T](self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run `work` in one write transaction, again from the start if the
        database gave up on it for a transient reason (a deadlock, a
        serialization failure, a lock wait that ran out), so the client never
        sees that."""
        for attempt in range(1, TRANSACTION_ATTEMPTS + 1):
            try:
                async with self.write() as session:
                    return await work(session)
            except DBAPIError as error:
                if attempt == TRANSACTION_ATTEMPTS or not _transient(error):
                    raise
                await asyncio.sleep(random.uniform(0, 0.01 * 2**attempt))  # noqa: S311 (jitter, not a secret)
        raise AssertionError("unreachable")

    async def ping(self) -> None:
        """Raise if the database does not answer within PING_TIMEOUT_SECONDS."""
        async with asyncio.timeout(PING_TIMEOUT_SECONDS), self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
