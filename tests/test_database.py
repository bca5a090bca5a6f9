"""The engine settings that make SQLite fit a web server, checked on a real file."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError

from shop.database import SQLITE_BUSY_TIMEOUT_MS, Database


@pytest.fixture
def sqlite_url(database_url: URL) -> URL:
    if database_url.get_backend_name() != "sqlite":
        pytest.skip("SQLite pragmas")
    return database_url


def test_sqlite_runs_with_wal_a_busy_timeout_and_foreign_keys(sqlite_url: URL) -> None:
    async def pragmas() -> tuple[str, int, int]:
        database = Database(sqlite_url)
        try:
            async with database.read() as session:
                return (
                    (await session.execute(text("PRAGMA journal_mode"))).scalar_one(),
                    (await session.execute(text("PRAGMA busy_timeout"))).scalar_one(),
                    (await session.execute(text("PRAGMA foreign_keys"))).scalar_one(),
                )
        finally:
            await database.dispose()

    assert asyncio.run(pragmas()) == ("wal", SQLITE_BUSY_TIMEOUT_MS, 1)


def test_a_write_that_breaks_a_foreign_key_is_refused_and_rolled_back(database_url: URL) -> None:
    async def orphan_line() -> int:
        database = Database(database_url)
        try:
            with pytest.raises(IntegrityError):
                async with database.write() as session:
                    await session.execute(
                        text(
                            "INSERT INTO order_lines (order_id, product_id, name, unit_price_cents, quantity) "
                            "VALUES (4242, NULL, 'ghost', 100, 1)"
                        )
                    )
            async with database.read() as session:
                return int((await session.execute(text("SELECT count(*) FROM order_lines"))).scalar_one())
        finally:
            await database.dispose()

    assert asyncio.run(orphan_line()) == 0


def test_write_transactions_on_sqlite_wait_for_each_other_instead_of_failing(sqlite_url: URL) -> None:
    """Twenty concurrent read-then-write transactions: none sees "database is locked"."""

    async def race() -> int:
        first, second = Database(sqlite_url), Database(sqlite_url)  # two engines, as two workers would have
        try:
            async with first.write() as session:
                await session.execute(
                    text(
                        "INSERT INTO products (name, name_key, description, price_cents, stock, created_at, updated_at)"
                        " VALUES ('Mug', 'mug', '', 100, 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                    )
                )

            async def bump(database: Database) -> None:
                async with database.write() as session:
                    stock = (await session.execute(text("SELECT stock FROM products"))).scalar_one()
                    await asyncio.sleep(0.001)
                    await session.execute(text("UPDATE products SET stock = :stock"), {"stock": stock + 1})

            await asyncio.gather(*(bump(first if n % 2 else second) for n in range(20)))
            async with first.read() as session:
                return int((await session.execute(text("SELECT stock FROM products"))).scalar_one())
        finally:
            await first.dispose()
            await second.dispose()

    assert asyncio.run(race()) == 20


@pytest.mark.parametrize("path", ["session", "run"])
def test_a_database_error_never_shows_the_values_it_was_given(database_url: URL, path: str) -> None:
    """Errors are logged with their text: it must not carry a hash, an email or a password."""
    secret = "$argon2id$v=19$m=65536,t=3,p=4$not-a-real-hash"
    statement = text(
        "INSERT INTO order_lines (order_id, product_id, name, unit_price_cents, quantity) "
        "VALUES (4242, NULL, :name, 100, 1)"
    )

    async def failing_insert(database: Database) -> None:
        if path == "session":
            async with database.write() as session:
                await session.execute(statement, {"name": secret})
        else:
            await database.run(lambda connection: connection.execute(statement, {"name": secret}))

    async def error_text() -> str:
        database = Database(database_url)
        try:
            with pytest.raises(IntegrityError) as raised:
                await failing_insert(database)
            return str(raised.value)
        finally:
            await database.dispose()

    shown = asyncio.run(error_text())
    assert "INSERT INTO order_lines" in shown  # the statement is still there to debug with
    assert secret not in shown
