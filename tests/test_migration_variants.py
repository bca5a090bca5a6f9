"""Migration 0013 on a shop filled at the migration before it: every product gets
a slug and one variant with its price and stock, the variant's ledger starts at
that stock, and every order line names the variant it sold. Nothing is lost, on
SQLite and PostgreSQL (`TEST_DATABASE_URL`)."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine

from conftest import Databases
from shop.storage import migrate

REVISION = "0013"
_BEFORE = ScriptDirectory.from_config(migrate.alembic_config("")).get_revision(REVISION).down_revision
assert isinstance(_BEFORE, str)
BEFORE: str = _BEFORE
WHEN = "2026-01-01 00:00:00+00:00"


def sql(url: URL, *statements: str, params: dict[str, Any] | None = None) -> list[Any]:
    """Run the statements in one transaction; the rows of the last."""

    async def run() -> list[Any]:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as connection:
                result = None
                for statement in statements:
                    result = await connection.execute(text(statement), params or {})
                return list(result.all()) if result is not None and result.returns_rows else []
        finally:
            await engine.dispose()

    return asyncio.run(run())


def fill(url: URL) -> None:
    """Five products (two whose names make the same slug, one with no letters,
    one deleted) and three orders, one of them with a line of the deleted product."""
    product = (
        "INSERT INTO products (name, name_key, description, price_cents, stock, created_at, updated_at)"
        " VALUES ('{name}', '{key}', '', {price}, {stock}, '{when}', '{when}')"
    )
    products = [
        ("Tea Pot", 1999, 12),  # ids 1 to 5, in this order, in a fresh database
        ("tea-pot!", 500, 0),
        ("Crème Brûlée Set", 4250, 3),
        ("!!!", 100, 7),
        ("Gone Mug", 800, 1),
    ]
    statements = [
        "INSERT INTO users (username, username_key, email, email_key, password_hash, role, created_at,"
        f" updated_at) VALUES ('ada', 'ada', 'ada@x.example', 'ada@x.example', 'h', 'customer', '{WHEN}',"
        f" '{WHEN}')",
        *(
            product.format(name=name, key=name.lower(), price=price, stock=stock, when=WHEN)
            for name, price, stock in products
        ),
    ]
    for total in (1999 * 2, 4250 + 800, 500):  # orders 1 to 3
        statements.append(
            "INSERT INTO orders (user_id, status, total_cents, total_set_by_admin, created_at, updated_at)"
            f" VALUES (1, 'pending', {total}, false, '{WHEN}', '{WHEN}')"
        )
    line = (
        "INSERT INTO order_lines (order_id, product_id, name, unit_price_cents, quantity)"
        " VALUES ({order}, {product}, '{name}', {price}, {quantity})"
    )
    statements += [
        line.format(order=1, product=1, name="Tea Pot", price=1999, quantity=2),
        line.format(order=2, product=3, name="Crème Brûlée Set", price=4250, quantity=1),
        line.format(order=2, product=5, name="Gone Mug", price=800, quantity=1),
        line.format(order=3, product=2, name="tea-pot!", price=500, quantity=1),
        # Deleted: its line keeps name and price, product_id NULL (as the foreign key does
        # in the shop; this connection does not turn SQLite's foreign keys on).
        "UPDATE order_lines SET product_id = NULL WHERE product_id = 5",
        "DELETE FROM products WHERE id = 5",
    ]
    sql(url, *statements)


def test_every_product_gets_a_slug_and_one_variant_and_every_line_its_variant(databases: Databases) -> None:
    url = databases.empty()
    migrate.upgrade(url, BEFORE)
    fill(url)

    migrate.upgrade(url)

    assert sql(url, "SELECT id, slug, price_cents FROM products ORDER BY id") == [
        (1, "tea-pot", 1999),
        (2, "tea-pot-2", 500),
        (3, "creme-brulee-set", 4250),
        (4, "product", 100),
    ]
    variants = sql(
        url,
        "SELECT product_id, sku, sku_key, options, values_key, price_cents, stock, position, archived_at"
        " FROM variants ORDER BY product_id",
    )
    assert variants == [
        (1, "tea-pot", "tea-pot", "{}", "[]", 1999, 12, 0, None),
        (2, "tea-pot-2", "tea-pot-2", "{}", "[]", 500, 0, 0, None),
        (3, "creme-brulee-set", "creme-brulee-set", "{}", "[]", 4250, 3, 0, None),
        (4, "product", "product", "{}", "[]", 100, 7, 0, None),
    ]
    ledger = sql(
        url,
        "SELECT v.product_id, v.stock, sum(m.delta), min(m.reason), count(*) FROM variants v"
        " JOIN stock_movements m ON m.variant_id = v.id GROUP BY v.product_id, v.stock ORDER BY v.product_id",
    )
    assert ledger == [(1, 12, 12, "admin", 1), (2, 0, 0, "admin", 1), (3, 3, 3, "admin", 1), (4, 7, 7, "admin", 1)]
    lines = sql(
        url,
        "SELECT l.order_id, l.product_id, v.product_id, l.sku, l.options, l.name, l.unit_price_cents, l.quantity"
        " FROM order_lines l LEFT JOIN variants v ON v.id = l.variant_id ORDER BY l.order_id, l.id",
    )
    assert lines == [
        (1, 1, 1, "tea-pot", "{}", "Tea Pot", 1999, 2),
        (2, 3, 3, "creme-brulee-set", "{}", "Crème Brûlée Set", 4250, 1),
        (2, None, None, None, "{}", "Gone Mug", 800, 1),
        (3, 2, 2, "tea-pot-2", "{}", "tea-pot!", 500, 1),
    ]
    # Ids are still never reused on SQLite (AUTOINCREMENT survives the tables' rebuild).
    sql(
        url,
        "INSERT INTO products (name, name_key, slug, description, price_cents, created_at, updated_at)"
        f" VALUES ('Cup', 'cup', 'cup', '', 100, '{WHEN}', '{WHEN}')",
    )
    assert sql(url, "SELECT id FROM products WHERE slug = 'cup'") == [(6,)]

    migrate.downgrade(url, BEFORE)
    assert sql(url, "SELECT id, stock, price_cents FROM products ORDER BY id") == [
        (1, 12, 1999),
        (2, 0, 500),
        (3, 3, 4250),
        (4, 7, 100),
        (6, 0, 100),
    ]
    assert sql(url, "SELECT count(*) FROM order_lines") == [(4,)]
