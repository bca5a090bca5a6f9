"""The test harness: a fresh, migrated database per scenario, on SQLite or PostgreSQL.

`TEST_DATABASE_URL` chooses the backend. Unset, every scenario gets its own
SQLite file. Set to a PostgreSQL server URL (any database on it), every scenario
gets its own database, cloned from a template that the migrations built once.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import URL

from shop import migrate
from shop.settings import async_database_url

pytest.register_assert_rewrite("steps")
pytest_plugins = [
    "steps.http",
    "steps.operations",
    "steps.accounts",
    "steps.catalogue",
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
]


def _postgres_admin(url: URL, *statements: str) -> None:
    async def run() -> None:
        connection = await asyncpg.connect(
            host=url.host, port=url.port or 5432, user=url.username, password=url.password, database="postgres"
        )
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run())


class Databases:
    """Makes fresh databases for tests: migrated clones, or empty ones."""

    def __init__(self, server: URL | None, folder: Path) -> None:
        self.server = server
        self.folder = folder
        self.created: list[str] = []
        self.template = self._build_template()

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
        """A database with the whole schema and no rows: a copy of the template."""
        name = f"shop_test_{uuid.uuid4().hex[:12]}"
        if self.server is None:
            path = self.folder / (name + ".db")
            shutil.copyfile(self.template.database or "", path)
            return self.template.set(database=str(path))
        _postgres_admin(self.server, f'CREATE DATABASE "{name}" TEMPLATE "{self.template.database}"')
        self.created.append(name)
        return self.server.set(database=name)

    def _build_template(self) -> URL:
        url = self.empty()
        migrate.upgrade(url)
        return url

    def drop(self, url: URL) -> None:
        if self.server is not None and url.database in self.created:
            _postgres_admin(self.server, f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
            self.created.remove(url.database or "")

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


@pytest.fixture
def database_url(databases: Databases) -> Iterator[URL]:
    """This scenario's own migrated, empty database."""
    url = databases.migrated()
    yield url
    databases.drop(url)
