"""The unit of work: how every write is made atomic and retried.

A write is a plain function over a SQLAlchemy Core `Connection` (the stores'
functions, composed by a service). `UnitOfWork.run(work)` runs it in one
transaction: committed when it returns, rolled back when it raises, and run
again from the start when the database gave up on it for a transient reason
(a deadlock, a serialization failure, a lock wait that ran out), so a client
never sees those.

SQLite has one writer at a time: the whole transaction is one trip to this
app's writer thread, which holds its own connection and takes the write lock
when the transaction begins (BEGIN IMMEDIATE); writers of this process queue on
the event loop meanwhile. PostgreSQL runs the same function on the async engine
(`run_sync`), with as many transactions at once as its pool allows.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import sqlalchemy
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from shop.storage.reads import CONNECT_TIMEOUT_SECONDS, SQLITE_BUSY_TIMEOUT_MS
from shop.storage.recent import Writes

ATTEMPTS = 5
# PostgreSQL's serialization_failure and deadlock_detected: safe to run again.
_RETRY_SQLSTATES = frozenset({"40001", "40P01"})
# Errors are logged with their text: never with the values bound (hashes, emails).
HIDE_PARAMETERS = True


def transient(error: DBAPIError) -> bool:
    """Whether running the transaction again may well succeed."""
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
        "cache_size=-32000",  # 32 MiB of page cache
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # Take the write lock now, waiting its turn under the busy timeout, rather
    # than fail with "database is locked" when a read turns into a write.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_engine(url: URL) -> Engine:
    """A plain (pysqlite) engine, used by the writer thread only."""
    engine = sqlalchemy.create_engine(
        url.set(drivername="sqlite"),
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        pool_size=1,
        max_overflow=0,
        hide_parameters=HIDE_PARAMETERS,
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _postgres_engine(url: URL) -> AsyncEngine:
    return create_async_engine(
        url,
        # With the reads' pool, a worker holds at most 15 connections: six
        # workers stay within PostgreSQL's default max_connections (100).
        pool_size=5,
        max_overflow=5,
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args={"timeout": CONNECT_TIMEOUT_SECONDS},  # a database that does not answer is a 503, soon
        hide_parameters=HIDE_PARAMETERS,
    )


class UnitOfWork:
    """One app's way to write: `await run(work)`."""

    def __init__(self, url: URL, writes: Writes) -> None:
        self.url = url
        self.writes = writes  # moved on by every transaction: what remembers reads forgets them
        self.sqlite = url.get_backend_name() == "sqlite"
        self._one_writer = asyncio.Lock() if self.sqlite else None
        self._thread: ThreadPoolExecutor | None = None
        self._sqlite_engine: Engine | None = None
        self._postgres_engine: AsyncEngine | None = None

    def open(self) -> None:
        """Create the engine (it connects lazily). Safe to call twice."""
        if self.sqlite and self._sqlite_engine is None:
            self._sqlite_engine = _sqlite_engine(self.url)
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="shop-sqlite-writer")
        elif not self.sqlite and self._postgres_engine is None:
            self._postgres_engine = _postgres_engine(self.url)

    async def dispose(self) -> None:
        # Forget everything first: a request that comes in meanwhile opens afresh.
        thread, sqlite_engine, postgres_engine = self._thread, self._sqlite_engine, self._postgres_engine
        self._thread = self._sqlite_engine = self._postgres_engine = None
        if thread is not None and sqlite_engine is not None:
            # Its connection belongs to its thread: close it there.
            await asyncio.get_running_loop().run_in_executor(thread, sqlite_engine.dispose)
            thread.shutdown()
        if postgres_engine is not None:
            await postgres_engine.dispose()

    async def run[T](self, work: Callable[[Connection], T]) -> T:
        """`work` in one transaction, again from the start after a transient failure."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return await self._once(work)
            except DBAPIError as error:
                if attempt == ATTEMPTS or not transient(error):
                    raise
                await asyncio.sleep(random.uniform(0, 0.01 * 2**attempt))  # noqa: S311 (jitter, not a secret)
            finally:
                self.writes.happened()  # committed or not: cheap, and never stale
        raise AssertionError("unreachable")

    async def _once[T](self, work: Callable[[Connection], T]) -> T:
        self.open()
        if self._one_writer is None:
            assert self._postgres_engine is not None
            async with self._postgres_engine.begin() as connection:
                return await connection.run_sync(work)
        async with self._one_writer:
            done = asyncio.get_running_loop().run_in_executor(self._thread, self._in_transaction, work)
            try:
                return await asyncio.shield(done)
            except asyncio.CancelledError:
                # The thread goes on and may commit: hold the lock until it has
                # finished, so nothing overtakes it, then give up.
                await asyncio.wait([done])
                raise

    def _in_transaction[T](self, work: Callable[[Connection], T]) -> T:
        engine = self._sqlite_engine
        if engine is None:  # disposed while this waited for the thread
            raise ConnectionError("the database was closed")  # a 503, like any database away
        with engine.begin() as connection:
            return work(connection)
