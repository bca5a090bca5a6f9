"""The harness hands every test a database as if it were new: on PostgreSQL an
emptied one comes back with no rows and its ids restarted, and one whose schema
a test changed is dropped, never handed on (conftest.py, docs/testing.md)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine

from conftest import Databases
from shop.storage.models import Base


def run(url: URL, *statements: str) -> list[Any]:
    """Each statement in one transaction; the rows of the last."""

    async def go() -> list[Any]:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as connection:
                rows: list[Any] = []
                for statement in statements:
                    result = await connection.execute(text(statement))
                    rows = list(result.all()) if result.returns_rows else []
                return rows
        finally:
            await engine.dispose()

    return asyncio.run(go())


NEW_USER = (
    "INSERT INTO users (username, email, username_key, email_key, password_hash, role, created_at, updated_at)"
    " VALUES ('ada', 'ada@shop.example', 'ada', 'ada@shop.example', 'x', 'customer', CURRENT_TIMESTAMP,"
    " CURRENT_TIMESTAMP)"
)


def tables(url: URL) -> set[str]:
    if url.get_backend_name() == "sqlite":
        listed = "SELECT name FROM sqlite_master WHERE type = 'table'"
    else:
        listed = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
    return {name for (name,) in run(url, listed)}


def test_a_released_database_comes_back_with_no_rows_and_its_ids_restarted(databases: Databases) -> None:
    first = databases.migrated()
    run(first, NEW_USER, NEW_USER.replace("ada", "bob"))
    databases.release(first)

    second = databases.migrated()
    try:
        for table in Base.metadata.sorted_tables:
            assert run(second, f"SELECT count(*) FROM {table.name}") == [(0,)], table.name
        assert run(second, NEW_USER, "SELECT id FROM users") == [(1,)]
    finally:
        databases.release(second)


def test_a_database_whose_schema_a_test_changed_is_never_handed_on(databases: Databases) -> None:
    changed = databases.migrated()
    run(changed, "CREATE TABLE scratch (n INTEGER)")
    databases.release(changed)

    fresh = databases.migrated()
    try:
        assert fresh.database != changed.database
        assert "scratch" not in tables(fresh)
        assert tables(fresh) >= set(Base.metadata.tables)
    finally:
        databases.release(fresh)
