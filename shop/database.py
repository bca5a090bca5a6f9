"""The database: one async engine and session factory per app.

SQLite (aiosqlite) is the embedded default; PostgreSQL (asyncpg) runs the same
code. Nothing here is global: each `Database` belongs to the app that made it.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy
from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from shop.direct import CONNECT_TIMEOUT_SECONDS, DirectReads
from shop.paging import Totals
from shop.recent import Writes

SQLITE_BUSY_TIMEOUT_MS = 10_000
# Errors are logged with their text: never with the values bound (hashes, emails).
HIDE_PARAMETERS = True
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


def _sqlite_writer_engine(url: URL) -> Engine:
    """A plain (pysqlite) engine for `Database.run`, used by one thread only."""
    engine = sqlalchemy.create_engine(
        url.set(drivername="sqlite"),
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        pool_size=1,
        max_overflow=0,
        hide_parameters=HIDE_PARAMETERS,
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    return engine.execution_options(**{_WRITE: True})


async def _retrying[T](once: Callable[[], Awaitable[T]]) -> T:
    """Run a transaction again from the start if the database gave up on it for
    a transient reason (a deadlock, a serialization failure, a lock wait that
    ran out), so the client never sees that."""
    for attempt in range(1, TRANSACTION_ATTEMPTS + 1):
        try:
            return await once()
        except DBAPIError as error:
            if attempt == TRANSACTION_ATTEMPTS or not _transient(error):
                raise
            await asyncio.sleep(random.uniform(0, 0.01 * 2**attempt))  # noqa: S311 (jitter, not a secret)
    raise AssertionError("unreachable")


def create_engine(url: URL) -> AsyncEngine:
    """An engine tuned for the backend the URL names."""
    if url.get_backend_name() == "sqlite":
        engine = create_async_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, hide_parameters=HIDE_PARAMETERS
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(
        url,
        # With the direct reads' pool, a worker holds at most 15 connections:
        # six workers stay within PostgreSQL's default max_connections (100).
        pool_size=5,
        max_overflow=5,
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args={"timeout": CONNECT_TIMEOUT_SECONDS},  # a database that does not answer is a 503, soon
        hide_parameters=HIDE_PARAMETERS,
    )


class Database:
    """An app's engine and sessions, opened at startup and disposed at shutdown."""

    def __init__(self, url: URL) -> None:
        self.url = url
        # SQLite has one writer at a time. Within a process, writers queue here,
        # on the event loop, instead of polling SQLite's lock from a thread
        # (its busy handler sleeps in growing steps, which makes long tails).
        self._one_writer = asyncio.Lock() if url.get_backend_name() == "sqlite" else None
        self.writes = Writes()  # what remembers reads forgets them on each write
        self.totals = Totals(self.writes)
        self.direct = DirectReads(url)  # the hot reads, on the driver itself
        self._engine: AsyncEngine | None = None
        self._sessions: async_sessionmaker[AsyncSession] | None = None
        self._write_sessions: async_sessionmaker[AsyncSession] | None = None
        # SQLite: `run` hands whole transactions to one thread with its own connection.
        self._writer: ThreadPoolExecutor | None = None
        self._writer_engine: Engine | None = None

    def open(self) -> None:
        """Create the engine (it connects lazily). Safe to call twice."""
        if self._engine is not None:
            return
        self._engine = create_engine(self.url)
        self._sessions = async_sessionmaker(self._engine, expire_on_commit=False)
        self._write_sessions = async_sessionmaker(
            self._engine.execution_options(**{_WRITE: True}), expire_on_commit=False
        )
        if self._one_writer is not None:
            self._writer_engine = _sqlite_writer_engine(self.url)
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="shop-sqlite-writer")

    async def dispose(self) -> None:
        # Forget everything first: a request that comes in meanwhile opens afresh.
        engine, writer, writer_engine = self._engine, self._writer, self._writer_engine
        self._engine = self._sessions = self._write_sessions = None
        self._writer = self._writer_engine = None
        await self.direct.close()
        if writer is not None and writer_engine is not None:
            # Its connection belongs to its thread: close it there.
            await asyncio.get_running_loop().run_in_executor(writer, writer_engine.dispose)
            writer.shutdown()
        if engine is not None:
            await engine.dispose()

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
            self.writes.happened()  # whether it committed or not: cheap, and never stale

    async def transaction[T](self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run `work` in one write transaction (a session), again from the start
        after a transient failure (`_retrying`)."""

        async def once() -> T:
            async with self.write() as session:
                return await work(session)

        return await _retrying(once)

    async def run[T](self, work: Callable[[Connection], T]) -> T:
        """Run `work`, plain SQLAlchemy Core on a connection, in one write
        transaction, again from the start after a transient failure.

        For the busiest write (placing an order). On SQLite the whole
        transaction is one trip to this app's writer thread, where a session
        would hand every statement to aiosqlite's thread and back, several
        times, while holding the one write lock. On PostgreSQL it runs on the
        async engine (`run_sync`), one round trip per statement as ever.
        """

        async def once() -> T:
            try:
                if self._one_writer is None:
                    async with self.engine.begin() as connection:
                        return await connection.run_sync(work)
                self.open()
                async with self._one_writer:
                    done = asyncio.get_running_loop().run_in_executor(self._writer, self._in_transaction, work)
                    try:
                        return await asyncio.shield(done)
                    except asyncio.CancelledError:
                        # The thread goes on and may commit: hold the lock until it
                        # has finished, so nothing overtakes it, then give up.
                        await asyncio.wait([done])
                        raise
            finally:
                self.writes.happened()

        return await _retrying(once)

    def _in_transaction[T](self, work: Callable[[Connection], T]) -> T:
        engine = self._writer_engine
        if engine is None:  # disposed while this waited for the thread
            raise ConnectionError("the database was closed")  # a 503, like any database away
        with engine.begin() as connection:
            return work(connection)

    async def ping(self) -> None:
        """Raise if the database does not answer within PING_TIMEOUT_SECONDS."""
        async with asyncio.timeout(PING_TIMEOUT_SECONDS), self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
