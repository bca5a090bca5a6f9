"""Fast reads: plain SQL straight on the database driver, one hand-off per query.

SQLAlchemy's async adapters hand every step of a statement (begin, execute,
fetch, close) to the driver separately; for aiosqlite each step is a trip to the
connection's thread and back, and those trips, not SQLite, were most of a read's
cost (see `nox -s bench`). So reads run here instead: on SQLite over a few
aiosqlite connections of their own, each query one `execute_fetchall`; on
PostgreSQL over an asyncpg pool, each query one round trip. Writes go through
the unit of work (`shop.storage.unit_of_work`).

Only the stores call this. Their SQL names its parameters (`:id`); rows come back
as the store's named row types (`row_type`), never as positions to count.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import re
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

import aiosqlite
import asyncpg
from sqlalchemy.engine import URL

SQLITE_CONNECTIONS = 4
POSTGRES_CONNECTIONS = 5
CONNECT_TIMEOUT_SECONDS = 5  # a database that does not answer is a 503, soon
SQLITE_BUSY_TIMEOUT_MS = 10_000
_NAMED = re.compile(r"(?<![:\w]):(\w+)")


# A page shows dozens of timestamps, and the same pages are read again and again.
@functools.lru_cache(maxsize=4096)
def utc(value: datetime | str) -> datetime:
    """A timestamp column as an aware UTC datetime (SQLite keeps "YYYY-MM-DD HH:MM:SS[.ffffff]")."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def sqlite_timestamp(value: datetime) -> str:
    """An aware datetime as SQLite stores it (as SQLAlchemy's SQLite dialect writes it)."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def like_fragment(text: str) -> str:
    """`text` matched literally inside a LIKE pattern (ESCAPE '\\'): for `q` searches."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def in_list(name: str, values: Sequence[Any], params: dict[str, Any]) -> str:
    """`(:name_0, :name_1, ...)` for an IN of `values`, which are added to `params`."""
    names = [f"{name}_{index}" for index in range(len(values))]
    params.update(zip(names, values, strict=True))
    return "(" + ", ".join(f":{each}" for each in names) + ")"


class Condition(NamedTuple):
    """A condition one store writes for another's query, in SQL naming its values,
    with those values (hashable: a list's filters stay a key for its totals).

    It is written twice, for the two ways a database can meet it: `sql` is tested
    on each row as the query reads them in its own order (when many rows pass, a
    page is soon full); `selective_sql` finds the rows through the condition's own
    index (when few pass, and to count them)."""

    sql: str
    selective_sql: str
    params: tuple[tuple[str, Any], ...]


def where(conditions: list[str]) -> str:
    """A WHERE clause of all `conditions` (SQL with named parameters), or nothing."""
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


@dataclasses.dataclass(frozen=True, slots=True)
class RowType[R]:
    """How a store's named row type is read: its columns, in order, and how a
    driver's row (a sequence in that order) becomes one (timestamps made aware)."""

    columns: tuple[str, ...]
    make: Callable[[Sequence[Any]], R]

    def select_list(self, table: str | None = None) -> str:
        """The columns for a SELECT, optionally qualified by a table name or alias."""
        return ", ".join(f"{table}.{name}" if table else name for name in self.columns)


def row_type[R: tuple[Any, ...]](kind: type[R]) -> RowType[R]:
    """The RowType of a NamedTuple: its fields are the columns, by name."""
    hints = typing.get_type_hints(kind)
    columns: tuple[str, ...] = kind._fields  # type: ignore[attr-defined]
    # SQLite's booleans are the integers 0 and 1.
    converters = tuple(utc if hints[name] is datetime else bool if hints[name] is bool else None for name in columns)
    new = functools.partial(tuple.__new__, kind)
    if not any(converters):  # nothing to convert (a variant): the row as it is, at C speed
        return RowType(columns, new)

    def make(row: Sequence[Any]) -> R:
        return new(
            [value if convert is None else convert(value) for value, convert in zip(row, converters, strict=True)]
        )

    return RowType(columns, make)


class Reads:
    """Read-only queries on one app's database, run by its driver directly."""

    def __init__(self, url: URL) -> None:
        self.url = url
        self.sqlite = url.get_backend_name() == "sqlite"
        self._idle: asyncio.LifoQueue[aiosqlite.Connection] | None = None
        self._opened: list[aiosqlite.Connection] = []
        self._pool: Any = None  # asyncpg.Pool
        self._pool_ready: asyncio.Lock | None = None
        self._numbered: dict[str, tuple[str, tuple[str, ...]]] = {}

    async def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Sequence[Any]]:
        """The rows of `sql`, whose parameters are named (`:name`) and given in `params`."""
        params = params or {}
        if self.sqlite:
            values = {name: sqlite_timestamp(v) if isinstance(v, datetime) else v for name, v in params.items()}
            connection = await self._checkout()
            try:
                return list(await connection.execute_fetchall(sql, values))
            finally:
                assert self._idle is not None
                self._idle.put_nowait(connection)
        numbered, names = self._postgres_sql(sql)
        return await self._postgres(numbered, [params[name] for name in names])

    async def one[R](self, kind: RowType[R], sql: str, params: Mapping[str, Any] | None = None) -> R | None:
        found = await self.rows(sql, params)
        return kind.make(found[0]) if found else None

    async def all[R](self, kind: RowType[R], sql: str, params: Mapping[str, Any] | None = None) -> list[R]:
        return [kind.make(row) for row in await self.rows(sql, params)]

    async def scalar(self, sql: str, params: Mapping[str, Any] | None = None) -> Any:
        found = await self.rows(sql, params)
        return found[0][0] if found else None

    def _postgres_sql(self, sql: str) -> tuple[str, tuple[str, ...]]:
        """asyncpg numbers its parameters ($1, $2): the named ones, numbered once per statement."""
        numbered = self._numbered.get(sql)
        if numbered is None:
            names: list[str] = []

            def number(match: re.Match[str]) -> str:
                if match[1] not in names:
                    names.append(match[1])
                return f"${names.index(match[1]) + 1}"

            numbered = self._numbered[sql] = (_NAMED.sub(number, sql), tuple(names))
        return numbered

    async def _postgres(self, sql: str, args: Sequence[Any]) -> list[Sequence[Any]]:
        pool = self._pool or await self._open_pool()
        try:
            return list(await pool.fetch(sql, *args))
        except (asyncpg.exceptions.ConnectionDoesNotExistError, asyncpg.exceptions.InternalClientError):
            # The server restarted or is shutting down: every pooled connection is dead, and one
            # that heard the shutdown while idle refuses its next query ("cannot switch to
            # state ..."). Replace them all and try once more: a read is safe to repeat.
            await pool.expire_connections()
            return list(await pool.fetch(sql, *args))

    async def _checkout(self) -> aiosqlite.Connection:
        if self._idle is None:
            self._idle = asyncio.LifoQueue()
        if self._idle.empty() and len(self._opened) < SQLITE_CONNECTIONS:
            connection = aiosqlite.connect(self.url.database or "", isolation_level=None)
            # A reader holds nothing worth waiting for: its thread must not keep the
            # process alive when the app was never shut down (a host that forwards no
            # lifespan events). aiosqlite offers no switch for it.
            connection._thread.daemon = True
            await connection
            self._opened.append(connection)
            # Readers never write; WAL lets them read while a writer works.
            await connection.executescript(
                f"PRAGMA query_only=ON; PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}; PRAGMA cache_size=-32000;"
            )
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

    async def close(self) -> None:
        for connection in self._opened:
            await connection.close()
        self._opened.clear()
        self._idle = None
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
