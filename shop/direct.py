"""Hot reads straight on the database driver: one hand-off per query.

SQLAlchemy's async adapters hand every step of a statement (begin, execute,
fetch, close, rollback) to the driver separately; for aiosqlite each step is a
trip to the connection's thread and back, and those trips, not SQLite, were
most of a primary-key read's cost (see bench/). The few reads on the path of
nearly every request (the caller's role, a product, an order) run here
instead, as plain SQL: on SQLite over a small pool of aiosqlite connections of
their own, each query one `execute_fetchall`; on PostgreSQL over an asyncpg
pool, each query one round trip. Writes stay with SQLAlchemy sessions.

SQL here is written with `?` placeholders; PostgreSQL gets `$1, $2, ...`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import aiosqlite
from sqlalchemy.engine import URL

SQLITE_CONNECTIONS = 4
POSTGRES_CONNECTIONS = 10
_PLACEHOLDER = re.compile(r"\?")

Row = Sequence[Any]


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

    async def rows(self, sql: str, *args: Any) -> list[Row]:
        if self._sqlite:
            connection = await self._checkout()
            try:
                return list(await connection.execute_fetchall(sql, args))
            finally:
                assert self._idle is not None
                self._idle.put_nowait(connection)
        pool = self._pool or await self._open_pool()
        return list(await pool.fetch(self._postgres_sql(sql), *args))

    async def row(self, sql: str, *args: Any) -> Row | None:
        found = await self.rows(sql, *args)
        return found[0] if found else None

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
        import asyncpg

        if self._pool_ready is None:
            self._pool_ready = asyncio.Lock()
        async with self._pool_ready:
            if self._pool is None:
                dsn = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
                self._pool = await asyncpg.create_pool(dsn, min_size=1, max_size=POSTGRES_CONNECTIONS)
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
