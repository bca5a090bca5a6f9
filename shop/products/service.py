"""The rules about the catalogue, over `ProductRow`s from the store."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy.engine import Connection

from shop.categories import service as categories
from shop.events import service as events
from shop.events.schemas import EventType
from shop.kernel import codec
from shop.kernel.errors import NotFound, PreconditionFailed
from shop.products import store
from shop.products.schemas import ProductCreate, ProductList, ProductUpdate, name_key, public
from shop.products.store import Filters, ProductRow
from shop.storage.database import Database
from shop.storage.keyset import Page, Sort, Totals, Window, fetch_page

# A sort's columns, the id last: it breaks ties.
SORTS = {
    "id": ("id",),
    "name": ("name_key", "id"),
    "price": ("price_cents", "id"),
    "created_at": ("created_at", "id"),
}


# Up to this many products in a category (and below it), a list of them reads them through
# their links and sorts them; with more, it reads the catalogue in the list's order and keeps
# those in the category, and a page is soon full (store.window's `selective`). On a million
# products the two ways cost the same at a few thousand.
FEW_IN_CATEGORY = 3000


# Stock, taken and given back in an order's own unit of work (shop.orders.service).
take_stock = store.take  # a line's quantity, or nothing: one conditional UPDATE, never below zero
put_back_stock = store.put_back  # what an order held, to the products still in the catalogue
names = store.names  # of those of the ids that exist: for an order that names a product that is gone


class NewProduct(NamedTuple):
    name: str
    description: str
    price_cents: int
    stock: int


async def add_many(database: Database, products: Sequence[NewProduct], now: datetime) -> None:
    """Products in bulk (demo data), whose names are known to be free: one multi-row INSERT."""
    rows = [
        {**product._asdict(), "name_key": name_key(product.name), "created_at": now, "updated_at": now}
        for product in products
    ]
    await database.transaction(lambda connection: store.add_many(connection, rows))


async def last_id(database: Database) -> int:
    return await database.transaction(store.last_id)


def etag(product: ProductRow) -> str:
    """A strong ETag of the product as stored now."""
    state = f"{product.id}|{product.name}|{product.description}|{product.price_cents}|{product.stock}"
    return '"' + hashlib.blake2b(f"{state}|{product.updated_at.isoformat()}".encode(), digest_size=12).hexdigest() + '"'


def _category_ids(ids: Sequence[int]) -> str:
    """The column's JSON: the ids, smallest first."""
    return codec.dumps(sorted(ids)).decode()


def _tell(connection: Connection, kind: EventType, product: ProductRow, currency: str, now: datetime) -> None:
    """Record the event `kind` of the product, as the API shows it now, in this transaction."""
    events.record(connection, kind, f"product:{product.id}", public(product, currency), now)


async def create_product(database: Database, new: ProductCreate, now: datetime, currency: str) -> ProductRow:
    def work(connection: Connection) -> ProductRow:
        product = store.add(
            connection,
            name=new.name,
            name_key=name_key(new.name),
            description=new.description,
            price_cents=new.price,
            stock=new.stock,
            now=now,
            category_ids=_category_ids(new.category_ids),
        )
        if new.category_ids:
            categories.link(connection, product.id, new.category_ids)
        _tell(connection, "product.created", product, currency, now)
        return product

    return await database.transaction(work)


async def read_product(database: Database, product_id: int) -> ProductRow:
    product = await store.by_id(database.reads, product_id)
    if product is None:
        raise NotFound("No such product.")
    return product


async def list_products(
    database: Database, query: ProductList, totals: Totals, trees: categories.Trees
) -> Page[ProductRow]:
    category_ids = None if query.category is None else await trees.at_and_below(query.category)
    filters = Filters(
        name_contains=name_key(query.q) if query.q is not None else None,
        min_price_cents=query.min_price,
        max_price_cents=query.max_price,
        in_stock=query.in_stock,
        in_categories=None if category_ids is None else categories.products_in(database, category_ids),
    )
    sort = Sort(ProductRow, SORTS[query.sort.removeprefix("-")], descending=query.sort.startswith("-"))

    async def total() -> int:
        if category_ids is not None and filters._replace(in_categories=None) == Filters():
            # Only a category: its links alone say how many products it has.
            ids = category_ids
            return await totals.count(("products", filters), lambda: categories.count_products(database, ids))
        return await totals.count(("products", filters), lambda: store.count(database.reads, filters))

    async def rows(window: Window) -> list[ProductRow]:
        selective = filters.in_categories is not None and await total() <= FEW_IN_CATEGORY
        return await store.window(database.reads, filters, window, selective=selective)

    return await fetch_page(query, sort, rows, total)


async def update_product(
    database: Database,
    product_id: int,
    changes: ProductUpdate,
    now: datetime,
    currency: str,
    *,
    if_match: list[str] | None,
) -> ProductRow:
    """Apply a PATCH; with If-Match, only to the product in the state the client saw (else 412)."""
    values: dict[str, object] = {}
    if changes.name is not None:
        values.update(name=changes.name, name_key=name_key(changes.name))
    if changes.description is not None:
        values["description"] = changes.description
    if changes.price is not None:
        values["price_cents"] = changes.price
    if changes.stock is not None:
        values["stock"] = changes.stock
    if changes.category_ids is not None:
        values["category_ids"] = _category_ids(changes.category_ids)

    def work(connection: Connection) -> ProductRow:
        product = store.locked(connection, product_id)
        if product is None:
            raise NotFound("No such product.")
        if if_match is not None and "*" not in if_match and etag(product) not in if_match:
            raise PreconditionFailed("The product has changed since you read it; read it again.")
        if all(getattr(product, column) == value for column, value in values.items()):
            return product  # nothing changes: neither updated_at nor the ETag moves, nothing to tell
        changed = store.change(connection, product_id, values, now)
        if changes.category_ids is not None and changed.category_ids != product.category_ids:
            categories.link(connection, product_id, changes.category_ids)
        _tell(connection, "product.updated", changed, currency, now)
        return changed

    return await database.transaction(work)


async def delete_product(database: Database, product_id: int, currency: str, now: datetime) -> None:
    """The product leaves the catalogue; orders keep their lines of it, as sold."""

    def work(connection: Connection) -> None:
        product = store.locked(connection, product_id)
        if product is None:
            raise NotFound("No such product.")
        store.remove(connection, product_id)
        _tell(connection, "product.deleted", product, currency, now)

    await database.transaction(work)
