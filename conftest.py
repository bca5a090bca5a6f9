"""The test harness: a fresh, migrated database per scenario, on SQLite or PostgreSQL.

`TEST_DATABASE_URL` chooses the backend. Unset, every scenario gets its own
SQLite file, a copy of a template that the migrations built once. Set to a
PostgreSQL server URL (any database on it), every scenario gets a database of
its own, cloned from such a template; when the scenario is done, its database
is emptied and kept for a later one if it still has the template's shape
(creating and dropping a database costs the server far more than emptying one),
and dropped if it does not (docs/testing.md).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import URL

from shop.kernel.settings import async_database_url
from shop.storage import migrate
from shop.storage.models import Base

pytest.register_assert_rewrite("steps")
pytest_plugins = [
    "steps.http",
    "steps.operations",
    "steps.accounts",
    "steps.catalogue",
    "steps.categories",
    "steps.ordering",
    "steps.access",
    "steps.docs",
    "steps.metrics",
    "steps.hostile",
    "steps.connections",
    "steps.events",
    "steps.expiry",
    "steps.payments",
    "steps.webhooks",
    "steps.variants",
    "steps.address_book",
    "steps.shipping",
    "steps.checkout",
    "steps.discounts",
]


def _postgres_admin(url: URL, *statements: str) -> None:
    async def run() -> None:
        connection = await _connect(url, "postgres")
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run())


async def _connect(server: URL, database: str) -> asyncpg.Connection:
    return await asyncpg.connect(
        host=server.host, port=server.port or 5432, user=server.username, password=server.password, database=database
    )


# What a database's schema is, sequences and migration included: an emptied
# database is kept for reuse only while this matches the template's.
_SHAPE = """
SELECT md5(string_agg(line, E'\n' ORDER BY line)) FROM (
    SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
           || ' ' || coalesce(column_default, '') AS line
      FROM information_schema.columns WHERE table_schema = 'public'
    UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL SELECT 'function ' || oid::regprocedure FROM pg_proc WHERE pronamespace = 'public'::regnamespace
    UNION ALL SELECT 'type ' || typname FROM pg_type WHERE typnamespace = 'public'::regnamespace
    UNION ALL SELECT 'sequence ' || sequencename || ' ' || coalesce(last_value::text, 'unused') FROM pg_sequences
    UNION ALL SELECT 'revision ' || version_num FROM alembic_version
) AS shape
"""
_OTHERS_CONNECTED = (
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
)
_SEQUENCES = "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_sequences"
# Children before parents, so each DELETE finds nothing that refers to its rows.
_EMPTYING_ORDER = [table.name for table in reversed(Base.metadata.sorted_tables)]


class Databases:
    """Makes fresh databases for tests: migrated clones, or empty ones."""

    def __init__(self, server: URL | None, folder: Path) -> None:
        self.server = server
        self.folder = folder
        self.created: list[str] = []
        self.emptied: list[str] = []  # PostgreSQL databases of the template's shape, with no rows
        self.counts: Counter[str] = Counter()  # cloned, reused, dropped: for the summary
        self.template = self._build_template()
        self._shape = self._shape_of(self.template) if server is not None else None

    @property
    def backend(self) -> str:
        return "postgresql" if self.server is not None else "sqlite"

    def empty(self) -> URL:
        """A database with no tables at all."""
        name = f"shop_test_{uuid.uuid4().hex[:12]}"
        if self.server is None:
            return async_database_url(f"sqlite:///{self.folder / (name + '.db')}")
        _postgres_admin(self.server, f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self.server.set(database=name)

    def migrated(self) -> URL:
        """A database with the whole schema and no rows: a copy of the template,
        or on PostgreSQL one that an earlier scenario left and that was emptied."""
        name = f"shop_test_{uuid.uuid4().hex[:12]}"
        if self.server is None:
            path = self.folder / (name + ".db")
            shutil.copyfile(self.template.database or "", path)
            return self.template.set(database=str(path))
        if self.emptied:
            self.counts["reused"] += 1
            return self.server.set(database=self.emptied.pop())
        _postgres_admin(self.server, f'CREATE DATABASE "{name}" TEMPLATE "{self.template.database}"')
        self.counts["cloned"] += 1
        self.created.append(name)
        return self.server.set(database=name)

    def _build_template(self) -> URL:
        url = self.empty()
        migrate.upgrade(url)
        return url

    def release(self, url: URL) -> None:
        """Done with `url`: on PostgreSQL, emptied for a later scenario, or dropped
        when it no longer has the template's shape (or anything else is connected)."""
        if self.server is None or url.database not in self.created:
            return
        name = url.database or ""
        if self._shape is not None and asyncio.run(self._empty(name)):
            self.emptied.append(name)
            return
        _postgres_admin(self.server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.counts["dropped"] += 1
        self.created.remove(name)

    async def _empty(self, name: str) -> bool:
        """Delete every row and restart every sequence; whether `name` then looks
        exactly as the template did."""
        assert self.server is not None
        try:
            connection = await _connect(self.server, name)
        except (OSError, asyncpg.PostgresError):
            return False
        try:
            if await connection.fetchval(_OTHERS_CONNECTED):
                return False  # a process the scenario started may still write
            async with connection.transaction():
                await connection.execute("SET LOCAL lock_timeout = '5s'")
                for table in _EMPTYING_ORDER:
                    await connection.execute(f'DELETE FROM "{table}"')
                for sequence in [row[0] for row in await connection.fetch(_SEQUENCES)]:
                    await connection.execute(f"ALTER SEQUENCE {sequence} RESTART")
            return bool(await connection.fetchval(_SHAPE) == self._shape)
        except asyncpg.PostgresError:
            return False  # a table gone, a lock held: not worth a second look
        finally:
            await connection.close()

    def _shape_of(self, url: URL) -> str:
        assert self.server is not None

        async def read() -> str:
            connection = await _connect(self.server or url, url.database or "")
            try:
                tables = {
                    row[0]
                    for row in await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                }
                # Emptying deletes from the tables the models know: the template must have no others.
                assert tables == {*_EMPTYING_ORDER, "alembic_version"}, tables
                return str(await connection.fetchval(_SHAPE))
            finally:
                await connection.close()

        return asyncio.run(read())

    def drop_all(self) -> None:
        if self.server is not None and self.created:
            _postgres_admin(self.server, *(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in self.created))


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    raw = os.environ.get("TEST_DATABASE_URL")
    server = async_database_url(raw) if raw else None
    if server is not None and server.get_backend_name() != "postgresql":
        server = None  # a SQLite URL means "the default": a file per scenario
    made = Databases(server, tmp_path_factory.mktemp("databases"))
    yield made
    made.drop_all()
    if made.counts:
        _SUMMARY.append(f"PostgreSQL databases: {', '.join(f'{n} {what}' for what, n in sorted(made.counts.items()))}")


_SUMMARY: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How the databases were made, for whoever wonders where a run's time went."""
    for line in _SUMMARY:
        terminalreporter.write_line(line)


@pytest.fixture
def database_url(databases: Databases) -> Iterator[URL]:
    """This scenario's own migrated, empty database."""
    url = databases.migrated()
    yield url
    databases.release(url)
