"""The rules about the catalogue, as plain async functions over a session."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shop.direct import DirectReads, utc
from shop.errors import Conflict, NotFound, PreconditionFailed
from shop.models import Product
from shop.paging import Ordering, Page, Totals, fetch_page, like_fragment
from shop.products.schemas import ProductCreate, ProductList, ProductUpdate, Stored, name_key

TAKEN = "A product with this name already exists."


def etag(product: Stored) -> str:
    """A strong ETag of the product as stored now."""
    state = f"{product.id}|{product.name}|{product.description}|{product.price_cents}|{product.stock}"
    return '"' + hashlib.blake2b(f"{state}|{product.updated_at.isoformat()}".encode(), digest_size=12).hexdigest() + '"'


async def create_product(session: AsyncSession, new: ProductCreate) -> Product:
    product = Product(
        name=new.name,
        name_key=name_key(new.name),
        description=new.description,
        price_cents=new.price,
        stock=new.stock,
    )
    session.add(product)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(TAKEN) from None
    return product


@dataclass(frozen=True, slots=True)
class ProductRow:
    id: int
    name: str
    description: str
    price_cents: int
    stock: int
    created_at: datetime
    updated_at: datetime


# A ProductRow's columns, in its order; a page adds name_key, the name sort's key.
_ROW_COLUMNS = (
    Product.id,
    Product.name,
    Product.description,
    Product.price_cents,
    Product.stock,
    Product.created_at,
    Product.updated_at,
)
_BY_ID = f"SELECT {', '.join(column.key for column in _ROW_COLUMNS)} FROM products WHERE id = ?"
_PAGE_COLUMNS: tuple[Any, ...] = (*_ROW_COLUMNS, Product.name_key)


@dataclass(frozen=True, slots=True)
class _Sort:
    columns: tuple[Any, ...]  # the id last: it breaks ties
    key_types: tuple[type, ...]  # of the values in a cursor
    key_of: Callable[[Sequence[Any]], list[Any]]  # those values, from a page's row


_SORTS = {
    "id": _Sort((Product.id,), (int,), lambda row: [row[0]]),
    "name": _Sort((Product.name_key, Product.id), (str, int), lambda row: [row[7], row[0]]),
    "price": _Sort((Product.price_cents, Product.id), (int, int), lambda row: [row[3], row[0]]),
    "created_at": _Sort((Product.created_at, Product.id), (datetime, int), lambda row: [utc(row[5]), row[0]]),
}


def _product_row(row: Sequence[Any]) -> ProductRow:
    return ProductRow(row[0], row[1], row[2], row[3], row[4], utc(row[5]), utc(row[6]))


async def read_product(reads: DirectReads, product_id: int) -> ProductRow:
    """A product for showing, read in one trip to the driver (GET /products/{id})."""
    row = await reads.row(_BY_ID, product_id)
    if row is None:
        raise NotFound("No such product.")
    return _product_row(row)


async def get_product(session: AsyncSession, product_id: int, *, lock: bool = False) -> Product:
    statement = select(Product).where(Product.id == product_id)
    if lock:
        statement = statement.with_for_update()
    product = (await session.execute(statement)).scalar_one_or_none()
    if product is None:
        raise NotFound("No such product.")
    return product


def _filtered(query: ProductList) -> Select[Any]:
    statement = select(*_PAGE_COLUMNS)
    conditions: list[ColumnElement[bool]] = []
    if query.q is not None:
        conditions.append(Product.name_key.like(f"%{like_fragment(name_key(query.q))}%", escape="\\"))
    if query.min_price is not None:
        conditions.append(Product.price_cents >= query.min_price)
    if query.max_price is not None:
        conditions.append(Product.price_cents <= query.max_price)
    if query.in_stock is not None:
        conditions.append(Product.stock > 0 if query.in_stock else Product.stock == 0)
    return statement.where(*conditions)


async def list_products(reads: DirectReads, query: ProductList, *, totals: Totals) -> Page[ProductRow]:
    """A page of the catalogue, read directly: lists are the busiest reads after single products."""
    sort = _SORTS[query.sort.removeprefix("-")]
    return await fetch_page(
        reads.select,
        _filtered(query),
        query=query,
        ordering=Ordering(sort.columns, descending=query.sort.startswith("-")),
        key_types=sort.key_types,
        key_of=sort.key_of,
        convert=_product_row,
        totals=totals,
        count_key=("products", query.q, query.min_price, query.max_price, query.in_stock),
    )


async def update_product(
    session: AsyncSession, product_id: int, changes: ProductUpdate, *, if_match: list[str] | None
) -> Product:
    """Apply a PATCH; with If-Match, only to the product in the state the client saw (else 412)."""
    product = await get_product(session, product_id, lock=True)
    if if_match is not None and "*" not in if_match and etag(product) not in if_match:
        raise PreconditionFailed("The product has changed since you read it; read it again.")
    if changes.name is not None:
        product.name, product.name_key = changes.name, name_key(changes.name)
    if changes.description is not None:
        product.description = changes.description
    if changes.price is not None:
        product.price_cents = changes.price
    if changes.stock is not None:
        product.stock = changes.stock
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(TAKEN) from None
    return product


async def delete_product(session: AsyncSession, product_id: int) -> None:
    """The product leaves the catalogue; order lines keep its name and price (FK: SET NULL)."""
    product = await get_product(session, product_id, lock=True)
    await session.delete(product)
