"""The categories' SQL: the one place that reads or writes `categories` and
`product_categories`.

A category's `lineage` holds its ancestors' ids, each in LINEAGE_DIGITS digits
and a "/", the top one first (shop.storage.models). The categories below one
are those whose lineage starts with its children's lineage: a range of the
lineage index, from that text up to (not with) that text followed by "~", a
character above every digit and "/". A move rewrites every lineage of that
range in one UPDATE.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, exists, func, insert, literal, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from shop.kernel.errors import Conflict
from shop.storage.keyset import Window
from shop.storage.models import LINEAGE_DIGITS, Category, ProductCategory
from shop.storage.reads import Condition, Reads, row_type, where


class CategoryRow(NamedTuple):
    id: int
    name: str
    name_key: str  # what makes two sibling names the same name (categories.schemas.name_key)
    slug: str
    parent_id: int | None
    lineage: str  # its ancestors' ids, the top one first ("" at the top)
    position: int
    created_at: datetime
    updated_at: datetime


CATEGORY = row_type(CategoryRow)
_COLUMNS = [Category.__table__.c[name] for name in CATEGORY.columns]
TAKEN = "Another category has this slug or, under the same parent, this name (ignoring case)."


def subtree_range(children_lineage: str) -> tuple[str, str]:
    """The lineages that start with `children_lineage` are those from the first up to, not with, the second."""
    return children_lineage, children_lineage + "~"


# -- Writes, on the unit of work's connection ---------------------------------


def hold_tree(connection: Connection) -> None:
    """Changes to the tree run one at a time: a move checked against a tree another
    transaction is moving could make a loop. SQLite's one writer does it already; on
    PostgreSQL, the lock lets reads and the links of products go on meanwhile."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("LOCK TABLE categories IN SHARE ROW EXCLUSIVE MODE"))


def locked(connection: Connection, category_id: int) -> CategoryRow | None:
    row = connection.execute(select(*_COLUMNS).where(Category.id == category_id).with_for_update()).first()
    return CATEGORY.make(row) if row is not None else None


def sibling_named(connection: Connection, lineage: str, name_key: str, but: int | None = None) -> bool:
    """Whether a category with this lineage (a sibling) has this name key, other than `but`."""
    found = select(Category.id).where(Category.lineage == lineage, Category.name_key == name_key)
    if but is not None:
        found = found.where(Category.id != but)
    return connection.execute(select(exists(found))).scalar_one()


def slug_taken(connection: Connection, slug: str) -> bool:
    return connection.execute(select(exists().where(Category.slug == slug))).scalar_one()


def slugs_starting(connection: Connection, stem: str) -> set[str]:
    """The slugs that start with `stem` (a slug: no LIKE wildcard in it)."""
    return set(connection.execute(select(Category.slug).where(Category.slug.like(stem + "%"))).scalars())


def after_last(connection: Connection, lineage: str) -> int:
    """The position after the last of these siblings (0 for the first)."""
    last = connection.execute(select(func.max(Category.position)).where(Category.lineage == lineage)).scalar_one()
    return 0 if last is None else int(last) + 1


def deepest_below(connection: Connection, children_lineage: str) -> int:
    """The length of the longest lineage below a category (0 when it has no children)."""
    low, high = subtree_range(children_lineage)
    longest = select(func.max(func.length(Category.lineage))).where(Category.lineage >= low, Category.lineage < high)
    return int(connection.execute(longest).scalar_one() or 0)


def add(connection: Connection, values: Mapping[str, Any], now: datetime) -> CategoryRow:
    statement = insert(Category).values(**values, created_at=now, updated_at=now).returning(*_COLUMNS)
    try:
        return CATEGORY.make(connection.execute(statement).one())
    except IntegrityError:  # a unique slug or sibling name: checked before, so only in a race
        raise Conflict(TAKEN) from None


def change(connection: Connection, category_id: int, values: Mapping[str, Any], now: datetime) -> CategoryRow:
    statement = update(Category).where(Category.id == category_id).values(**values, updated_at=now).returning(*_COLUMNS)
    try:
        return CATEGORY.make(connection.execute(statement).one())
    except IntegrityError:
        raise Conflict(TAKEN) from None


def move_below(connection: Connection, old: str, new: str, now: datetime) -> None:
    """Every category whose lineage starts with `old` starts with `new` instead: one
    UPDATE over the range, in the transaction that moves their ancestor."""
    low, high = subtree_range(old)
    connection.execute(
        update(Category)
        .where(Category.lineage >= low, Category.lineage < high)
        .values(lineage=literal(new) + func.substr(Category.lineage, len(old) + 1), updated_at=now)
    )


def remove(connection: Connection, category_id: int) -> bool:
    """Delete the category; False when the schema refuses (RESTRICT: it has
    subcategories or products), and then nothing is deleted."""
    try:
        with connection.begin_nested():  # the refusal rolls back to here, the transaction goes on
            connection.execute(delete(Category).where(Category.id == category_id))
    except IntegrityError:
        return False
    return True


def has_children(connection: Connection, category_id: int) -> bool:
    return connection.execute(select(exists().where(Category.parent_id == category_id))).scalar_one()


def has_products(connection: Connection, category_id: int) -> bool:
    return connection.execute(select(exists().where(ProductCategory.category_id == category_id))).scalar_one()


def existing(connection: Connection, category_ids: Sequence[int]) -> set[int]:
    """Those of the ids that are categories."""
    return set(connection.execute(select(Category.id).where(Category.id.in_(category_ids))).scalars())


def link(connection: Connection, product_id: int, category_ids: Sequence[int]) -> None:
    """The product is in exactly these categories (existing ones: else IntegrityError)."""
    connection.execute(delete(ProductCategory).where(ProductCategory.product_id == product_id))
    if category_ids:
        rows = [{"product_id": product_id, "category_id": category_id} for category_id in category_ids]
        connection.execute(insert(ProductCategory), rows)


def link_many(connection: Connection, rows: Sequence[tuple[int, int]]) -> None:
    """Links of new products (demo data), (product_id, category_id), in one statement."""
    if rows:
        connection.execute(insert(ProductCategory), [{"product_id": p, "category_id": c} for p, c in rows])


# -- Fast reads (shop.storage.reads) ---------------------------------------------------

_BY_ID = f"SELECT {CATEGORY.select_list()} FROM categories WHERE id = :id"
# The lineage of c's children, in SQL that SQLite and PostgreSQL both speak: c's own, then its
# id in LINEAGE_DIGITS digits (the last of that many zeros and its digits) and a "/".
_ID_TEXT = "CAST(c.id AS TEXT)"
_CHILDREN = f"c.lineage || substr('{'0' * LINEAGE_DIGITS}' || {_ID_TEXT}, length({_ID_TEXT}) + 1) || '/'"
# A category (by id or by slug) and every category below it, in one query.
_AT_AND_BELOW = {
    column: "SELECT below.id FROM categories AS c JOIN categories AS below"
    f" ON below.id = c.id OR (below.lineage >= {_CHILDREN} AND below.lineage < {_CHILDREN} || '~')"
    f" WHERE c.{column} = :ref ORDER BY below.id"
    for column in ("id", "slug")
}


async def by_id(reads: Reads, category_id: int) -> CategoryRow | None:
    return await reads.one(CATEGORY, _BY_ID, {"id": category_id})


async def at_and_below(reads: Reads, *, category_id: int | None = None, slug: str | None = None) -> list[int]:
    """The ids of the category with this id (or slug) and of every category below it,
    smallest first; none when there is no such category."""
    sql, ref = (_AT_AND_BELOW["id"], category_id) if category_id is not None else (_AT_AND_BELOW["slug"], slug)
    return [int(row[0]) for row in await reads.rows(sql, {"ref": ref})]


def _conditions(lineage: str | None, params: dict[str, Any]) -> list[str]:
    if lineage is None:
        return []
    params["lineage"] = lineage
    return ["lineage = :lineage"]


async def window(reads: Reads, lineage: str | None, rows: Window) -> list[CategoryRow]:
    """A page of the categories (with `lineage`: only those, one family of siblings)."""
    params: dict[str, Any] = {}
    sql = f"SELECT {CATEGORY.select_list()} FROM categories" + rows.sql(_conditions(lineage, params), params)
    return await reads.all(CATEGORY, sql, params)


async def count(reads: Reads, lineage: str | None) -> int:
    params: dict[str, Any] = {}
    return int(await reads.scalar("SELECT count(*) FROM categories" + where(_conditions(lineage, params)), params))


def _listed(category_ids: Sequence[int]) -> tuple[str, tuple[tuple[str, int], ...]]:
    """The ids as SQL parameters, padded to a power of two (the last one repeated),
    so that a few statements serve every subtree."""
    ids = list(category_ids)
    ids += ids[-1:] * ((1 << (len(ids) - 1).bit_length()) - len(ids))
    names = [f"category_{index}" for index in range(len(ids))]
    return ", ".join(":" + name for name in names), tuple(zip(names, ids, strict=True))


@functools.lru_cache(maxsize=256)  # a category's list, page after page: the same ids
def products_in(category_ids: tuple[int, ...], *, postgres: bool) -> Condition:
    """A condition on a query FROM products: the product is in one of these categories.

    Tested on each product (`sql`), it is an EXISTS on product_categories' primary
    key (product_id, then category_id): the products are read in the list's own
    order, by its index, and the first page stops after a page of matches. The `+`
    keeps the database on the product_id part of that key: the category ids are a
    set to look each link up in, not keys to look up one by one for every product
    (SQLite did the latter: a hundred lookups a product). The OFFSET keeps it a test
    on each product on PostgreSQL too, which never turns such a subquery into a
    join: a plan made once for every LIMIT could otherwise read all the links.

    Finding the products (`selective_sql`), it reads the links of those categories
    by their index (category_id, product_id) first. PostgreSQL's planner, given a
    plain IN, may still walk the catalogue in the list's order and look for them
    there (a long walk for a few products); from an ARRAY of their ids it fetches
    them by primary key and sorts them."""
    listed, params = _listed(category_ids)
    sql = (
        "EXISTS (SELECT 1 FROM product_categories WHERE product_categories.product_id = products.id"
        f" AND +product_categories.category_id IN ({listed}) LIMIT 1 OFFSET 0)"
    )
    linked = f"SELECT product_id FROM product_categories WHERE category_id IN ({listed})"
    selective = f"products.id = ANY(ARRAY({linked}))" if postgres else f"products.id IN ({linked})"
    return Condition(sql, selective, params)


async def count_products(reads: Reads, category_ids: Sequence[int]) -> int:
    """How many products are in one or more of these categories: from the links' index alone."""
    listed, params = _listed(category_ids)
    sql = f"SELECT count(DISTINCT product_id) FROM product_categories WHERE category_id IN ({listed})"
    return int(await reads.scalar(sql, dict(params)))
