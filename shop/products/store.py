"""The catalogue's SQL: the one place that reads or writes `products`.

Writes are Core statements on the unit of work's connection; reads are plain
SQL on the fast reads (`shop.storage.reads`). Both give `ProductRow`s.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, case, delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from shop.kernel.errors import Conflict
from shop.storage.keyset import Window
from shop.storage.models import Product
from shop.storage.reads import Condition, Reads, like_fragment, row_type, where

NAME_TAKEN = "A product with this name already exists."


class ProductRow(NamedTuple):
    id: int
    name: str
    name_key: str  # what makes two names the same name (products.schemas.name_key)
    description: str
    price_cents: int
    stock: int
    created_at: datetime
    updated_at: datetime
    category_ids: str  # a JSON array, smallest first: written with the product's links to its categories


class Filters(NamedTuple):
    """What a catalogue list shows: all of these that are given."""

    name_contains: str | None = None  # a name key
    min_price_cents: int | None = None
    max_price_cents: int | None = None
    in_stock: bool | None = None
    in_categories: Condition | None = None  # categories.service.products_in


class Taken(NamedTuple):
    """A line's stock taken: the product's name and price at that moment."""

    id: int
    name: str
    price_cents: int


PRODUCT = row_type(ProductRow)
_COLUMNS = [Product.__table__.c[name] for name in PRODUCT.columns]


# -- Writes, on the unit of work's connection ---------------------------------


def add(
    connection: Connection,
    *,
    name: str,
    name_key: str,
    description: str,
    price_cents: int,
    stock: int,
    now: datetime,
    category_ids: str = "[]",
) -> ProductRow:
    """A new product; 409 when another has the same name key."""
    values = {"name": name, "name_key": name_key, "description": description, "price_cents": price_cents}
    values["category_ids"] = category_ids
    statement = insert(Product).values(**values, stock=stock, created_at=now, updated_at=now).returning(*_COLUMNS)
    try:
        return PRODUCT.make(connection.execute(statement).one())
    except IntegrityError:
        raise Conflict(NAME_TAKEN) from None


def add_many(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Products in bulk (demo data): one multi-row INSERT."""
    connection.execute(insert(Product), rows)


def last_id(connection: Connection) -> int:
    return int(connection.execute(select(func.coalesce(func.max(Product.id), 0))).scalar_one())


def locked(connection: Connection, product_id: int) -> ProductRow | None:
    """The product, locked until the transaction ends (PostgreSQL; SQLite's writer holds the whole database)."""
    row = connection.execute(select(*_COLUMNS).where(Product.id == product_id).with_for_update()).first()
    return PRODUCT.make(row) if row is not None else None


def change(connection: Connection, product_id: int, values: Mapping[str, Any], now: datetime) -> ProductRow:
    """Set `values` (column names) on the product; 409 when a new name is taken."""
    statement = update(Product).where(Product.id == product_id).values(**values, updated_at=now).returning(*_COLUMNS)
    try:
        return PRODUCT.make(connection.execute(statement).one())
    except IntegrityError:
        raise Conflict(NAME_TAKEN) from None


def remove(connection: Connection, product_id: int) -> None:
    """Order lines keep the product's name and price (their foreign key is SET NULL)."""
    connection.execute(delete(Product).where(Product.id == product_id))


# Built once: building statements costs more than SQLite running them (POST /orders).
# One line's stock taken, never below zero, with its name and price as they are now.
_TAKE = (
    update(Product)
    .where(Product.id == bindparam("product_id"), Product.stock >= bindparam("quantity"))
    .values(stock=Product.stock - bindparam("quantity"))
    .returning(Product.id, Product.name, Product.price_cents)
)


def take(connection: Connection, product_id: int, quantity: int) -> Taken | None:
    """Take `quantity` from the product's stock, or nothing when it has less (or is gone).
    A conditional UPDATE, never read-compute-write: concurrent orders cannot oversell."""
    row = connection.execute(_TAKE, {"product_id": product_id, "quantity": quantity}).first()
    return Taken(*row) if row is not None else None


def put_back(connection: Connection, quantities: Mapping[int, int]) -> None:
    """Return stock to the products (those still in the catalogue), in one statement."""
    if quantities:
        amount = case(dict(quantities), value=Product.id)
        connection.execute(
            update(Product).where(Product.id.in_(quantities)).values(stock=Product.stock + amount),
            execution_options={"synchronize_session": False},
        )


def names(connection: Connection, product_ids: list[int]) -> dict[int, str]:
    """The names of those of `product_ids` that exist."""
    rows = connection.execute(select(Product.id, Product.name).where(Product.id.in_(product_ids)))
    return {row.id: row.name for row in rows}


# -- Fast reads (shop.storage.reads) ---------------------------------------------------

_BY_ID = f"SELECT {PRODUCT.select_list()} FROM products WHERE id = :id"


async def by_id(reads: Reads, product_id: int) -> ProductRow | None:
    return await reads.one(PRODUCT, _BY_ID, {"id": product_id})


def _conditions(filters: Filters, params: dict[str, Any], *, selective: bool = False) -> list[str]:
    conditions = []
    if filters.name_contains is not None:
        conditions.append("name_key LIKE :name_pattern ESCAPE '\\'")
        params["name_pattern"] = f"%{like_fragment(filters.name_contains)}%"
    if filters.min_price_cents is not None:
        conditions.append("price_cents >= :min_price")
        params["min_price"] = filters.min_price_cents
    if filters.max_price_cents is not None:
        conditions.append("price_cents <= :max_price")
        params["max_price"] = filters.max_price_cents
    if filters.in_stock is not None:
        conditions.append("stock > 0" if filters.in_stock else "stock = 0")
    if filters.in_categories is not None:
        condition = filters.in_categories
        conditions.append(condition.selective_sql if selective else condition.sql)
        params.update(condition.params)
    return conditions


async def window(reads: Reads, filters: Filters, rows: Window, *, selective: bool = False) -> list[ProductRow]:
    """`selective`: few products pass the filters; find them through the conditions' own indexes."""
    params: dict[str, Any] = {}
    conditions = _conditions(filters, params, selective=selective)
    sql = f"SELECT {PRODUCT.select_list()} FROM products" + rows.sql(conditions, params)
    return await reads.all(PRODUCT, sql, params)


async def count(reads: Reads, filters: Filters) -> int:
    params: dict[str, Any] = {}
    conditions = _conditions(filters, params, selective=True)
    return int(await reads.scalar("SELECT count(*) FROM products" + where(conditions), params))
