"""Hot reads straight on the database driver: one hand-off per query.

SQLAlchemy's async adapters hand every step of a statement (begin, execute,
fetch, close, rollback) to the driver separately; for aiosqlite each step is a
trip to the connection's thread and back, and those trips, not SQLite, were
most of a primary-key read's cost (see bench/). The few reads on the path of
nearly every request (the caller's role, a product, an order) run here
instead: on SQLite over a small pool of aiosqlite connections of their own,
each query one `execute_fetchall`; on PostgreSQL over an asyncpg pool, each
query one round trip. Writes stay with SQLAlchemy sessions.

A query is plain SQL with `?` placeholders (PostgreSQL gets `$1, $2, ...`), or
a SQLAlchemy Core statement (`select`), compiled once per shape as
SQLAlchemy's own statement cache does, its values bound through the column
types (so a timestamp is stored and compared the same way as in the ORM).
Rows come back as the driver gives them: SQLite timestamps are text (`utc`).
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiosqlite
import asyncpg
from sqlalchemy.engine import URL, Dialect
from sqlalchemy.sql import Select
from sqlalchemy.sql.cache_key import CacheKey
from sqlalchemy.sql.compiler import Compiled

SQLITE_CONNECTIONS = 4
POSTGRES_CONNECTIONS = 5
CONNECT_TIMEOUT_SECONDS = 5  # a database that does not answer is a 503, soon
_PLACEHOLDER = re.compile(r"\?")

# Compiled statements kept per app (there are a few dozen shapes; the bound only guards).
MAX_COMPILED = 1024

Row = Sequence[Any]


@dataclass(frozen=True, slots=True)
class _Compiled:
    compiled: Compiled
    sql: str
    names: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]


# A page shows dozens of timestamps, and the same pages are read again and again.
@functools.lru_cache(maxsize=4096)
def utc(value: datetime | str) -> datetime:
    """A timestamp column as an aware UTC datetime (SQLite keeps "YYYY-MM-DD HH:MM:SS[.ffffff]")."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class DirectReads:
    """Read-only queries on the app's database, run by its driver directly."""

    def __init__(self, url: URL) -> None:
        self.url = url
        self._sqlite = url.get_backend_name() == "sqlite"
        self._idle: asyncio.LifoQueue[aiosqlite.Connection] | None = None
        self._opened: list[aiosqlite.Connection] = []
        self._pool: Any = None  # asyncpg.Pool
        self._pool_ready: asyncio.Lock | None = None
        self._numbered: dict[str, str] = {}
        self._dialect: Dialect = url.get_dialect()()
        self._compiled: dict[Hashable, _Compiled] = {}  # by CacheKey.key: the shape

    async def rows(self, sql: str, *args: Any) -> list[Row]:
        if self._sqlite:
            connection = await self._checkout()
            try:
                return list(await connection.execute_fetchall(sql, args))
            finally:
                assert self._idle is not None
                self._idle.put_nowait(connection)
        return await self._postgres(self._postgres_sql(sql), args)

    async def row(self, sql: str, *args: Any) -> Row | None:
        found = await self.rows(sql, *args)
        return found[0] if found else None

    async def select(self, statement: Select[Any]) -> list[Row]:
        """The rows of a Core statement, compiled once per shape."""
        key = statement._generate_cache_key()
        if key is None:
            raise TypeError("direct reads take cacheable statements only")
        compiled = self._compiled.get(key.key)
        if compiled is None:
            compiled = self._compile(statement, key)
        values = compiled.compiled.construct_params(extracted_parameters=key.bindparams) or {}
        args = [
            value if process is None else process(value)
            for value, process in zip((values[name] for name in compiled.names), compiled.processors, strict=True)
        ]
        if self._sqlite:
            return await self.rows(compiled.sql, *args)
        return await self._postgres(compiled.sql, args)

    def _compile(self, statement: Select[Any], key: CacheKey) -> _Compiled:
        compiled = statement.compile(dialect=self._dialect, cache_key=key)
        names = tuple(compiled.positiontup or ())
        processors = tuple(
            compiled.binds[name].type.dialect_impl(self._dialect).bind_processor(self._dialect) for name in names
        )
        if len(self._compiled) >= MAX_COMPILED:
            self._compiled.clear()
        entry = self._compiled[key.key] = _Compiled(compiled, compiled.string, names, processors)
        return entry

    async def _postgres(self, sql: str, args: Sequence[Any]) -> list[Row]:
        pool = self._pool or await self._open_pool()
        try:
            return list(await pool.fetch(sql, *args))
        except asyncpg.exceptions.ConnectionDoesNotExistError:
            # The server restarted: every pooled connection is dead. Replace them and try once more.
            await pool.expire_connections()
            return list(await pool.fetch(sql, *args))

    async def _checkout(self) -> aiosqlite.Connection:
        if self._idle is None:
            self._idle = asyncio.LifoQueue()
        if self._idle.empty() and len(self._opened) < SQLITE_CONNECTIONS:
            connection = await aiosqlite.connect(self.url.database or "", isolation_level=None)
            self._opened.append(connection)
            # Readers never write; WAL lets them read while a writer works.
            await connection.executescript("PRAGMA query_only=ON; PRAGMA busy_timeout=10000; PRAGMA cache_size=-32000;")
            return connection
        return await self._idle.get()

    async def _open_pool(self) -> Any:
        if self._pool_ready is None:
            self._pool_ready = asyncio.Lock()
        async with self._pool_ready:
            if self._pool is None:
                dsn = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
                self._pool = await asyncpg.create_pool(
                    dsn, min_size=1, max_size=POSTGRES_CONNECTIONS, timeout=CONNECT_TIMEOUT_SECONDS
                )
        return self._pool

    def _postgres_sql(self, sql: str) -> str:
        numbered = self._numbered.get(sql)
        if numbered is None:
            count = iter(range(1, sql.count("?") + 1))
            numbered = self._numbered[sql] = _PLACEHOLDER.sub(lambda _: f"${next(count)}", sql)
        return numbered

    async def close(self) -> None:
        for connection in self._opened:
            await connection.close()
        self._opened.clear()
        self._idle = None
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
