"""The catalogue's SQL: the one place that reads or writes `products`, their
`variants` and the variants' `stock_movements`.

Writes are Core statements on the unit of work's connection; reads are plain
SQL on the fast reads (`shop.storage.reads`). Both give named rows:
`ProductRow`, `VariantRow`, `MovementRow`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, case, delete, exists, func, insert, select, update
from sqlalchemy.engine import Connection

from shop.kernel import codec
from shop.storage.keyset import Window
from shop.storage.models import MovementReason, Product, StockMovement, Variant
from shop.storage.reads import Condition, Reads, in_list, like_fragment, row_type, where


class ProductRow(NamedTuple):
    id: int
    name: str
    name_key: str  # what makes two names the same name (products.schemas.name_key)
    slug: str
    description: str
    price_cents: int  # the lowest active variant's
    options: str  # JSON
    images: str  # JSON
    created_at: datetime
    updated_at: datetime
    category_ids: str  # a JSON array, smallest first: written with the product's links to its categories
    tax_class: str


class VariantRow(NamedTuple):
    id: int
    product_id: int
    sku: str
    options: str  # JSON: {"size": "M"}
    values_key: str  # the values, case folded, in the options' order (JSON)
    price_cents: int
    stock: int
    position: int
    images: str  # JSON
    archived_at: datetime | None
    tax_class: str | None  # None: its product's


class MovementRow(NamedTuple):
    id: int
    variant_id: int
    delta: int
    reason: MovementReason
    order_id: int | None
    created_at: datetime


class Shown(NamedTuple):
    """A product as the catalogue shows it: with its active variants, by position."""

    product: ProductRow
    variants: list[VariantRow]


class Filters(NamedTuple):
    """What a catalogue list shows: all of these that are given."""

    name_contains: str | None = None  # a name key
    slug: str | None = None
    min_price_cents: int | None = None
    max_price_cents: int | None = None
    in_stock: bool | None = None
    in_categories: Condition | None = None  # categories.service.products_in


class Taken(NamedTuple):
    """A line's stock taken: the variant as it was sold, and its product's name."""

    variant_id: int
    product_id: int
    sku: str
    options: str
    price_cents: int
    name: str
    tax_class: str  # the variant's own, else its product's
    category_ids: str  # its product's, a JSON array (which discounts it is eligible for)


class Sole(NamedTuple):
    """What a line that names a product (not a variant) orders: its one active variant."""

    product_id: int
    active: int  # how many active variants it has
    variant_id: int  # the lowest active one's


PRODUCT = row_type(ProductRow)
VARIANT = row_type(VariantRow)
MOVEMENT = row_type(MovementRow)
_COLUMNS = [Product.__table__.c[name] for name in PRODUCT.columns]
_VARIANT_COLUMNS = [Variant.__table__.c[name] for name in VARIANT.columns]
_ACTIVE = Variant.archived_at.is_(None)


# -- Products, on the unit of work's connection -------------------------------


def add(connection: Connection, values: Mapping[str, Any]) -> ProductRow:
    """A new product (`values` by column). A taken name or slug raises IntegrityError:
    the service, which knows which it chose, says which."""
    return PRODUCT.make(connection.execute(insert(Product).values(**values).returning(*_COLUMNS)).one())


def add_many(connection: Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Products in bulk (demo data): one multi-row INSERT; their ids, in order."""
    statement = insert(Product).returning(Product.id, sort_by_parameter_order=True)
    return [int(row.id) for row in connection.execute(statement, rows)]


def last_id(connection: Connection) -> int:
    return int(connection.execute(select(func.coalesce(func.max(Product.id), 0))).scalar_one())


def last_variant_id(connection: Connection) -> int:
    return int(connection.execute(select(func.coalesce(func.max(Variant.id), 0))).scalar_one())


def locked(connection: Connection, product_id: int) -> ProductRow | None:
    """The product, locked until the transaction ends (PostgreSQL; SQLite's writer holds the whole database).
    FOR NO KEY UPDATE: an order's lines, whose foreign key names the product, are not held up by it."""
    statement = select(*_COLUMNS).where(Product.id == product_id).with_for_update(key_share=True)
    row = connection.execute(statement).first()
    return PRODUCT.make(row) if row is not None else None


def change(connection: Connection, product_id: int, values: Mapping[str, Any], now: datetime) -> ProductRow:
    """Set `values` (column names) on the product. A taken name or slug raises IntegrityError."""
    statement = update(Product).where(Product.id == product_id).values(**values, updated_at=now).returning(*_COLUMNS)
    return PRODUCT.make(connection.execute(statement).one())


def reprice(connection: Connection, product_id: int) -> None:
    """The product's price is its lowest active variant's again."""
    lowest = select(func.min(Variant.price_cents)).where(Variant.product_id == product_id, _ACTIVE).scalar_subquery()
    connection.execute(update(Product).where(Product.id == product_id).values(price_cents=lowest))


def remove(connection: Connection, product_id: int) -> None:
    """The product and its variants (CASCADE); order lines keep what was sold (SET NULL)."""
    connection.execute(delete(Product).where(Product.id == product_id))


def slugs_taken(connection: Connection, slugs: Collection[str], *, besides: int | None = None) -> set[str]:
    """Those of `slugs` another product has (any but `besides`)."""
    statement = select(Product.slug).where(Product.slug.in_(slugs))
    if besides is not None:
        statement = statement.where(Product.id != besides)
    return set(connection.execute(statement).scalars())


def name_taken(connection: Connection, key: str, *, besides: int | None = None) -> bool:
    statement = select(exists().where(Product.name_key == key, Product.id != (besides or 0)))
    return bool(connection.execute(statement).scalar())


def names(connection: Connection, product_ids: Collection[int]) -> dict[int, str]:
    """The names of those of `product_ids` that exist."""
    rows = connection.execute(select(Product.id, Product.name).where(Product.id.in_(product_ids)))
    return {row.id: row.name for row in rows}


# -- Variants, on the unit of work's connection --------------------------------


def add_variants(connection: Connection, rows: list[dict[str, Any]]) -> list[VariantRow]:
    """New variants (`rows` by column), in the order given. A taken SKU, or the same
    values as an active variant, raises IntegrityError."""
    if not rows:
        return []
    statement = insert(Variant).returning(*_VARIANT_COLUMNS, sort_by_parameter_order=True)
    return [VARIANT.make(row) for row in connection.execute(statement, rows)]


def variants_of(connection: Connection, product_id: int, *, archived: bool = False) -> list[VariantRow]:
    """The product's active variants (with `archived`, all), by position, locked
    until the transaction ends: in id order, as orders lock them (no deadlock)."""
    statement = select(*_VARIANT_COLUMNS).where(Variant.product_id == product_id)
    if not archived:
        statement = statement.where(_ACTIVE)
    statement = statement.order_by(Variant.id).with_for_update()
    variants = [VARIANT.make(row) for row in connection.execute(statement)]
    return sorted(variants, key=lambda variant: (variant.position, variant.id))


def change_variant(connection: Connection, variant_id: int, values: Mapping[str, Any]) -> VariantRow:
    """Set `values` (column names). A taken SKU or values raise IntegrityError."""
    statement = update(Variant).where(Variant.id == variant_id).values(**values).returning(*_VARIANT_COLUMNS)
    return VARIANT.make(connection.execute(statement).one())


def skus_taken(connection: Connection, keys: Collection[str], *, besides: int | None = None) -> set[str]:
    """Those of the SKU keys (lower case) a variant has, archived ones included (any but `besides`)."""
    statement = select(Variant.sku_key).where(Variant.sku_key.in_(keys))
    if besides is not None:
        statement = statement.where(Variant.id != besides)
    return set(connection.execute(statement).scalars())


def ever_ordered(connection: Connection, variant_id: int) -> bool:
    """Whether an order ever took the variant's stock (its ledger says so, deleted orders too)."""
    taken = exists().where(StockMovement.variant_id == variant_id, StockMovement.reason == "order")
    return bool(connection.execute(select(taken)).scalar())


def archive(connection: Connection, variant_id: int, now: datetime) -> None:
    connection.execute(update(Variant).where(Variant.id == variant_id).values(archived_at=now))


def remove_variant(connection: Connection, variant_id: int) -> None:
    """A variant never ordered, and its ledger."""
    connection.execute(delete(Variant).where(Variant.id == variant_id))


# -- Stock, in an order's transaction or an admin's ----------------------------

# Built once: building statements costs more than SQLite running them (POST /orders).
# One line's stock taken, never below zero, as it is sold now, with its product's name.
_TAKE = (
    update(Variant)
    .where(Variant.id == bindparam("variant_id"), _ACTIVE, Variant.stock >= bindparam("quantity"))
    .values(stock=Variant.stock - bindparam("quantity"))
    .returning(
        Variant.id,
        Variant.product_id,
        Variant.sku,
        Variant.options,
        Variant.price_cents,
        select(Product.name).where(Product.id == Variant.product_id).scalar_subquery(),
        func.coalesce(
            Variant.tax_class, select(Product.tax_class).where(Product.id == Variant.product_id).scalar_subquery()
        ),
        select(Product.category_ids).where(Product.id == Variant.product_id).scalar_subquery(),
    )
)
_MOVE = insert(StockMovement)


def take(connection: Connection, variant_id: int, quantity: int) -> Taken | None:
    """Take `quantity` from an active variant's stock, or nothing when it has less
    (or is archived, or gone). A conditional UPDATE, never read-compute-write:
    concurrent orders cannot oversell."""
    row = connection.execute(_TAKE, {"variant_id": variant_id, "quantity": quantity}).first()
    return Taken(*row) if row is not None else None


def put_back(connection: Connection, quantities: Mapping[int, int]) -> list[int]:
    """Return stock to the variants (those that still exist, archived ones too), in
    one statement: the ids of those it went back to."""
    if not quantities:
        return []
    amount = case(dict(quantities), value=Variant.id)
    statement = (
        update(Variant).where(Variant.id.in_(quantities)).values(stock=Variant.stock + amount).returning(Variant.id)
    )
    return [int(variant_id) for variant_id in connection.execute(statement).scalars()]


def set_stock(connection: Connection, variant_id: int, stock: int) -> int:
    """Set a variant's stock; the delta from what it was."""
    before = select(Variant.stock).where(Variant.id == variant_id).with_for_update()
    was = int(connection.execute(before).scalar_one())
    connection.execute(update(Variant).where(Variant.id == variant_id).values(stock=stock))
    return stock - was


def move(connection: Connection, movements: list[dict[str, Any]]) -> None:
    """Write stock movements (`variant_id`, `delta`, `reason`, `order_id`, `created_at`), in one statement."""
    if movements:
        connection.execute(_MOVE, movements)


# The active variants of the products that lines name, counted: built once (POST /orders).
_SOLE = (
    select(Variant.product_id, func.count(), func.min(Variant.id))
    .where(Variant.product_id.in_(bindparam("product_ids", expanding=True)), _ACTIVE)
    .group_by(Variant.product_id)
)


def sole_variants(connection: Connection, product_ids: Collection[int]) -> dict[int, Sole]:
    """For lines that name products: each product's active variants, counted (a
    product that is gone, or has none, is not there)."""
    rows = connection.execute(_SOLE, {"product_ids": list(product_ids)})
    return {row[0]: Sole(row[0], row[1], row[2]) for row in rows}


def described(connection: Connection, variant_ids: Collection[int]) -> dict[int, tuple[VariantRow, str]]:
    """Those of the variants that exist, archived ones too, with their product's name."""
    statement = (
        select(*_VARIANT_COLUMNS, Product.name)
        .join(Product, Product.id == Variant.product_id)
        .where(Variant.id.in_(variant_ids))
    )
    return {row[0]: (VARIANT.make(row[:-1]), row[-1]) for row in connection.execute(statement)}


# -- Fast reads (shop.storage.reads) ---------------------------------------------------

# The product and its active variants in one row: the variants as one JSON array
# of arrays made by the database (a row per variant would repeat the product's
# columns in each, and reading rows, not the database, is what costs). Each
# database spells it its own way; the variants come back in no promised order.
_VARIANT_ARRAY = ", ".join(f"v.{name}" for name in VARIANT.columns)
_ACTIVE_OF_P = "FROM variants v WHERE v.product_id = p.id AND v.archived_at IS NULL"
_SHOWN = {
    "sqlite": f"SELECT {PRODUCT.select_list('p')}, (SELECT json_group_array(json_array({_VARIANT_ARRAY}))"
    f" {_ACTIVE_OF_P}) FROM products p WHERE p.id = :id",
    "postgresql": f"SELECT {PRODUCT.select_list('p')}, (SELECT coalesce(json_agg(json_build_array({_VARIANT_ARRAY})),"
    f" '[]')::text {_ACTIVE_OF_P}) FROM products p WHERE p.id = :id",
}
_SPLIT = len(PRODUCT.columns)


_SOLE_NOW = (
    "SELECT product_id, count(*), min(id) FROM variants WHERE product_id IN {among} AND archived_at IS NULL"
    " GROUP BY product_id"
)


async def sole_variants_now(reads: Reads, product_ids: Collection[int]) -> dict[int, Sole]:
    """sole_variants, on the fast reads (a quote)."""
    params: dict[str, Any] = {}
    rows = await reads.rows(_SOLE_NOW.format(among=in_list("id", list(product_ids), params)), params)
    return {row[0]: Sole(row[0], row[1], row[2]) for row in rows}


_FOR_SALE = (
    "SELECT v.id, v.product_id, v.sku, v.options, v.price_cents, p.name, COALESCE(v.tax_class, p.tax_class),"
    " p.category_ids, v.archived_at FROM variants v JOIN products p ON p.id = v.product_id WHERE v.id IN {among}"
)


async def for_sale(reads: Reads, variant_ids: Sequence[int]) -> dict[int, tuple[Taken, object]]:
    """Those of the variants that exist, as an order would sell them now, each with
    its `archived_at` (None while it is sold), on the fast reads (a quote)."""
    params: dict[str, Any] = {}
    rows = await reads.rows(_FOR_SALE.format(among=in_list("id", list(variant_ids), params)), params)
    return {row[0]: (Taken(*row[:-1]), row[-1]) for row in rows}


async def shown(reads: Reads, product_id: int) -> Shown | None:
    rows = await reads.rows(_SHOWN["sqlite" if reads.sqlite else "postgresql"], {"id": product_id})
    if not rows:
        return None
    variants = [VARIANT.make(values) for values in codec.loads(rows[0][_SPLIT])]
    variants.sort(key=lambda variant: (variant.position, variant.id))
    return Shown(PRODUCT.make(rows[0][:_SPLIT]), variants)


def _conditions(filters: Filters, params: dict[str, Any], *, selective: bool = False) -> list[str]:
    conditions = []
    if filters.name_contains is not None:
        conditions.append("name_key LIKE :name_pattern ESCAPE '\\'")
        params["name_pattern"] = f"%{like_fragment(filters.name_contains)}%"
    if filters.slug is not None:
        conditions.append("slug = :slug")
        params["slug"] = filters.slug
    if filters.min_price_cents is not None:
        conditions.append("price_cents >= :min_price")
        params["min_price"] = filters.min_price_cents
    if filters.max_price_cents is not None:
        conditions.append("price_cents <= :max_price")
        params["max_price"] = filters.max_price_cents
    if filters.in_stock is not None:
        stocked = (
            "EXISTS (SELECT 1 FROM variants v WHERE v.product_id = products.id"
            " AND v.archived_at IS NULL AND v.stock > 0)"
        )
        conditions.append(stocked if filters.in_stock else f"NOT {stocked}")
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


async def active_variants(reads: Reads, product_ids: Sequence[int]) -> dict[int, list[VariantRow]]:
    """The active variants of several products in one query (no N+1), by position."""
    found: dict[int, list[VariantRow]] = {product_id: [] for product_id in product_ids}
    if product_ids:
        params: dict[str, Any] = {}
        sql = (
            f"SELECT {VARIANT.select_list()} FROM variants WHERE product_id IN {in_list('id', product_ids, params)}"
            " AND archived_at IS NULL ORDER BY product_id, position, id"
        )
        for variant in await reads.all(VARIANT, sql, params):
            found[variant.product_id].append(variant)
    return found


async def variant(reads: Reads, product_id: int, variant_id: int) -> VariantRow | None:
    """The product's variant, archived or not."""
    sql = f"SELECT {VARIANT.select_list()} FROM variants WHERE id = :id AND product_id = :product_id"
    return await reads.one(VARIANT, sql, {"id": variant_id, "product_id": product_id})


async def variant_window(reads: Reads, product_id: int, rows: Window) -> list[VariantRow]:
    params: dict[str, Any] = {"product_id": product_id}
    conditions = ["product_id = :product_id", "archived_at IS NULL"]
    return await reads.all(
        VARIANT, f"SELECT {VARIANT.select_list()} FROM variants" + rows.sql(conditions, params), params
    )


async def variant_count(reads: Reads, product_id: int) -> int:
    sql = "SELECT count(*) FROM variants WHERE product_id = :product_id AND archived_at IS NULL"
    return int(await reads.scalar(sql, {"product_id": product_id}))


async def movement_window(reads: Reads, variant_id: int, rows: Window) -> list[MovementRow]:
    params: dict[str, Any] = {"variant_id": variant_id}
    sql = f"SELECT {MOVEMENT.select_list()} FROM stock_movements" + rows.sql(["variant_id = :variant_id"], params)
    return await reads.all(MOVEMENT, sql, params)


async def movement_count(reads: Reads, variant_id: int) -> int:
    sql = "SELECT count(*) FROM stock_movements WHERE variant_id = :variant_id"
    return int(await reads.scalar(sql, {"variant_id": variant_id}))
