"""The unit of work and the fast reads, checked on a real database file (or PostgreSQL)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import IntegrityError

from shop.storage.database import Database
from shop.storage.models import Base
from shop.storage.reads import SQLITE_BUSY_TIMEOUT_MS


@pytest.fixture
def sqlite_url(database_url: URL) -> URL:
    if database_url.get_backend_name() != "sqlite":
        pytest.skip("SQLite pragmas")
    return database_url


def test_sqlite_writes_with_wal_a_busy_timeout_and_foreign_keys(sqlite_url: URL) -> None:
    def pragmas(connection: Connection) -> tuple[object, ...]:
        return tuple(
            connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "busy_timeout", "foreign_keys")
        )

    async def read() -> tuple[object, ...]:
        database = Database(sqlite_url)
        try:
            return await database.transaction(pragmas)
        finally:
            await database.dispose()

    assert asyncio.run(read()) == ("wal", SQLITE_BUSY_TIMEOUT_MS, 1)


def test_a_write_that_breaks_a_foreign_key_is_refused_and_rolled_back(database_url: URL) -> None:
    def orphan_line(connection: Connection) -> None:
        connection.execute(
            text(
                "INSERT INTO products (name, name_key, slug, description, price_cents, created_at, "
                "updated_at) VALUES ('Mug', 'mug', 'mug', '', 1, '2026-01-01', '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO order_lines (order_id, product_id, name, unit_price_cents, quantity) "
                "VALUES (4242, NULL, 'ghost', 100, 1)"
            )
        )

    async def attempt() -> tuple[int, int]:
        database = Database(database_url)
        try:
            with pytest.raises(IntegrityError):
                await database.transaction(orphan_line)
            # Nothing of the transaction stays: not the line, nor the product before it.
            return (
                await database.reads.scalar("SELECT count(*) FROM order_lines"),
                await database.reads.scalar("SELECT count(*) FROM products"),
            )
        finally:
            await database.dispose()

    assert asyncio.run(attempt()) == (0, 0)


def test_write_transactions_on_sqlite_wait_for_each_other_instead_of_failing(sqlite_url: URL) -> None:
    """Twenty concurrent read-then-write transactions from two apps: none sees "database is locked"."""

    def bump(connection: Connection) -> None:
        price = connection.execute(text("SELECT price_cents FROM products")).scalar_one()
        connection.execute(text("UPDATE products SET price_cents = :price"), {"price": price + 1})

    async def race() -> int:
        first, second = Database(sqlite_url), Database(sqlite_url)  # two writers, as two workers would have
        try:
            await first.transaction(
                lambda connection: connection.execute(
                    text(
                        "INSERT INTO products (name, name_key, slug, description, price_cents, created_at, updated_at)"
                        " VALUES ('Mug', 'mug', 'mug', '', 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                    )
                )
            )
            await asyncio.gather(*(first.transaction(bump) if n % 2 else second.transaction(bump) for n in range(20)))
            return int(await first.reads.scalar("SELECT price_cents FROM products"))
        finally:
            await first.dispose()
            await second.dispose()

    assert asyncio.run(race()) == 20


def test_a_transaction_is_run_again_after_a_transient_failure(database_url: URL) -> None:
    """A deadlock, a serialization failure or a lock wait that ran out: the unit of work tries again."""
    from sqlalchemy.exc import OperationalError

    attempts: list[int] = []

    def flaky(connection: Connection) -> int:
        attempts.append(1)
        connection.execute(text("SELECT 1"))
        if len(attempts) < 3:
            raise OperationalError("UPDATE products", {}, Exception("database is locked"))
        return len(attempts)

    async def run() -> int:
        database = Database(database_url)
        try:
            return await database.transaction(flaky)
        finally:
            await database.dispose()

    assert asyncio.run(run()) == 3


def test_a_database_error_never_shows_the_values_it_was_given(database_url: URL) -> None:
    """Errors are logged with their text: it must not carry a hash, an email or a password."""
    secret = "$argon2id$v=19$m=65536,t=3,p=4$not-a-real-hash"
    statement = text(
        "INSERT INTO order_lines (order_id, product_id, name, unit_price_cents, quantity) "
        "VALUES (4242, NULL, :name, 100, 1)"
    )

    async def error_text() -> str:
        database = Database(database_url)
        try:
            with pytest.raises(IntegrityError) as raised:
                await database.transaction(lambda connection: connection.execute(statement, {"name": secret}))
            return str(raised.value)
        finally:
            await database.dispose()

    shown = asyncio.run(error_text())
    assert "INSERT INTO order_lines" in shown  # the statement is still there to debug with
    assert secret not in shown


def test_fast_reads_take_named_parameters_on_every_database(database_url: URL) -> None:
    async def read() -> list[tuple[object, ...]]:
        database = Database(database_url)
        try:
            rows = await database.reads.rows("SELECT :a + 1, :b, :a * 2", {"a": 20, "b": "text"})
            return [tuple(row) for row in rows]
        finally:
            await database.dispose()

    assert asyncio.run(read()) == [(21, "text", 40)]


def test_a_process_exits_even_if_its_app_was_never_shut_down(sqlite_url: URL) -> None:
    """A host that forwards no lifespan events never disposes the app: its idle
    read connections must not hold the process open at exit."""
    import subprocess
    import sys

    program = (
        "import asyncio\n"
        "from sqlalchemy.engine import make_url\n"
        "from shop.storage.database import Database\n"
        "async def main():\n"
        f"    database = Database(make_url({str(sqlite_url)!r}))\n"
        "    print(await database.reads.scalar('SELECT 1'))\n"
        "asyncio.run(main())\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, "1"), done.stderr


def test_every_table_that_never_reuses_ids_says_autoincrement_on_sqlite(sqlite_url: URL) -> None:
    """A rebuild of a table (SQLite's way to alter one) must keep AUTOINCREMENT,
    or the newest deleted row's id is given to the next row."""
    wanted = sorted(
        name for name, table in Base.metadata.tables.items() if table.dialect_options["sqlite"]["autoincrement"]
    )

    def declared(connection: Connection) -> list[str]:
        rows = connection.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all()
        return sorted(name for name, sql in rows if "AUTOINCREMENT" in sql)

    async def read() -> list[str]:
        database = Database(sqlite_url)
        try:
            return await database.transaction(declared)
        finally:
            await database.dispose()

    assert "orders" in wanted
    assert asyncio.run(read()) == wanted
