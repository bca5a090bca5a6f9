"""The rules of the catalogue's tree, over `CategoryRow`s from the store; and
what products use of it: linking a product to its categories, and the
categories at and below one (`GET /products?category=`).

The tree's shape changes one transaction at a time (`store.hold_tree`), so a
move is checked against the tree as it is: never under itself, never below
the tenth level. A move rewrites the lineage of every category below the one
moved, in its own transaction. A category is deleted only when nothing refers
to it: the schema refuses otherwise (RESTRICT), and the refusal is the 409.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from shop.categories import store
from shop.categories.schemas import (
    MAX_SLUG,
    CategoryCreate,
    CategoryList,
    CategoryUpdate,
)
from shop.categories.store import CategoryRow
from shop.kernel.errors import Conflict, Invalid, NotFound
from shop.kernel.ids import plain_id
from shop.kernel.names import name_key
from shop.kernel.slugs import first_free, slug_of
from shop.storage.database import Database
from shop.storage.keyset import Page, Sort, Totals, Window, fetch_page
from shop.storage.models import LINEAGE_DIGITS, MAX_DEPTH
from shop.storage.reads import Condition
from shop.storage.recent import Recent

# By path (the lineage: text order is the path's order, id by id), then position, then id.
BY_PATH = Sort(CategoryRow, ("lineage", "position", "id"))

NO_CATEGORY = "No such category."
NAME_TAKEN = "Another category under the same parent has this name (ignoring case)."
SLUG_TAKEN = "Another category has this slug."
TOO_DEEP = f"A tree is at most {MAX_DEPTH} levels deep: this would put a category below level {MAX_DEPTH}."
UNDER_ITSELF = "A category cannot move under itself."
BELOW_ITSELF = "A category cannot move below itself: the new parent is one of its subcategories."
HAS_CHILDREN = "subcategories (move or delete them first)"
HAS_PRODUCTS = "products (take them out of it first: their category_ids)"


# -- Pure rules ------------------------------------------------------------------------


def below(category: CategoryRow) -> str:
    """The lineage of the category's children: its own, then its id."""
    return f"{category.lineage}{category.id:0{LINEAGE_DIGITS}d}/"


_STEP = LINEAGE_DIGITS + 1  # an ancestor's part of a lineage


def level_of(lineage: str) -> int:
    """The level of a category with this lineage: 1 at the top of the tree."""
    return len(lineage) // _STEP + 1


FALLBACK_SLUG = "category"


def slug_from(name: str) -> str:
    """A slug made of a name, as products' are ("Crème Brûlée Sets" -> "creme-brulee-sets");
    a name that gives none: "category"; one of digits alone: "category-2024" (a slug
    of digits only would read as an id)."""
    slug = slug_of(name, max_length=MAX_SLUG, fallback=FALLBACK_SLUG)
    return slug_of(FALLBACK_SLUG, slug, max_length=MAX_SLUG, fallback=FALLBACK_SLUG) if slug.isdigit() else slug


def _free_slug(connection: Connection, made: str) -> str:
    """`made`, or the first of `made-2`, `made-3` ... that no category has."""
    taken = store.slugs_starting(connection, made[: MAX_SLUG - 12].rstrip("-"))
    return first_free(made, MAX_SLUG, lambda tried: set(tried) & taken)


# -- Writes ------------------------------------------------------------------------------


def _parent(connection: Connection, parent_id: int) -> CategoryRow:
    parent = store.locked(connection, parent_id)
    if parent is None:
        raise Invalid.at(["body", "parent_id"], NO_CATEGORY)
    return parent


async def create_category(database: Database, new: CategoryCreate, now: datetime) -> CategoryRow:
    def work(connection: Connection) -> CategoryRow:
        store.hold_tree(connection)
        lineage = "" if new.parent_id is None else below(_parent(connection, new.parent_id))
        if level_of(lineage) > MAX_DEPTH:
            raise Conflict(TOO_DEEP)
        key = name_key(new.name)
        if store.sibling_named(connection, lineage, key):
            raise Conflict(NAME_TAKEN)
        if new.slug is not None and store.slug_taken(connection, new.slug):
            raise Conflict(SLUG_TAKEN)
        values = {
            "name": new.name,
            "name_key": key,
            "slug": new.slug if new.slug is not None else _free_slug(connection, slug_from(new.name)),
            "parent_id": new.parent_id,
            "lineage": lineage,
            "position": new.position if new.position is not None else store.after_last(connection, lineage),
        }
        return store.add(connection, values, now)

    return await database.transaction(work)


def _moved_lineage(connection: Connection, category: CategoryRow, parent_id: int | None) -> str:
    """The category's lineage under its new parent, once the move is checked."""
    if parent_id is None:
        lineage = ""
    elif parent_id == category.id:
        raise Conflict(UNDER_ITSELF)
    else:
        parent = _parent(connection, parent_id)
        if parent.lineage.startswith(below(category)):
            raise Conflict(BELOW_ITSELF)
        lineage = below(parent)
    deepest = store.deepest_below(connection, below(category))  # the longest lineage below it
    levels_below = deepest // _STEP + 1 - level_of(category.lineage) if deepest else 0
    if level_of(lineage) + levels_below > MAX_DEPTH:
        raise Conflict(TOO_DEEP)
    return lineage


async def update_category(database: Database, category_id: int, changes: CategoryUpdate, now: datetime) -> CategoryRow:
    """Rename, give a new slug, reorder, move (with every category below it): at once."""

    def work(connection: Connection) -> CategoryRow:
        store.hold_tree(connection)
        category = store.locked(connection, category_id)
        if category is None:
            raise NotFound(NO_CATEGORY)
        values: dict[str, Any] = {}
        lineage = category.lineage
        if "parent_id" in changes.model_fields_set and changes.parent_id != category.parent_id:
            lineage = _moved_lineage(connection, category, changes.parent_id)
            values.update(parent_id=changes.parent_id, lineage=lineage)
            values["position"] = store.after_last(connection, lineage)
        if changes.position is not None:
            values["position"] = changes.position
        if changes.name is not None:
            values.update(name=changes.name, name_key=name_key(changes.name))
        if changes.slug is not None and changes.slug != category.slug:
            if store.slug_taken(connection, changes.slug):
                raise Conflict(SLUG_TAKEN)
            values["slug"] = changes.slug
        key = values.get("name_key", category.name_key)
        if (key, lineage) != (category.name_key, category.lineage) and store.sibling_named(
            connection, lineage, key, but=category_id
        ):
            raise Conflict(NAME_TAKEN)
        if all(getattr(category, column) == value for column, value in values.items()):
            return category  # nothing changes: updated_at stays
        changed = store.change(connection, category_id, values, now)
        if lineage != category.lineage:
            store.move_below(connection, below(category), below(changed), now)
        return changed

    return await database.transaction(work)


async def delete_category(database: Database, category_id: int) -> None:
    """Only a category that nothing is in: the schema refuses the others, and
    nothing below it, category or product, is ever deleted with it."""

    def work(connection: Connection) -> None:
        store.hold_tree(connection)
        if store.locked(connection, category_id) is None:
            raise NotFound(NO_CATEGORY)
        if store.remove(connection, category_id):
            return
        holds = [HAS_CHILDREN] if store.has_children(connection, category_id) else []
        holds += [HAS_PRODUCTS] if store.has_products(connection, category_id) else []
        raise Conflict(f"This category has {' and '.join(holds or ['something in it'])}; nothing was deleted.")

    await database.transaction(work)


# -- Reads ---------------------------------------------------------------------------------


async def read_category(database: Database, category_id: int) -> CategoryRow:
    category = await store.by_id(database.reads, category_id)
    if category is None:
        raise NotFound(NO_CATEGORY)
    return category


async def list_categories(database: Database, query: CategoryList, totals: Totals) -> Page[CategoryRow]:
    lineage = None if query.parent_id is None else below(await read_category(database, query.parent_id))

    async def rows(window: Window) -> list[CategoryRow]:
        return await store.window(database.reads, lineage, window)

    async def total() -> int:
        return await totals.count(("categories", lineage), lambda: store.count(database.reads, lineage))

    return await fetch_page(query, BY_PATH, rows, total)


# -- For the catalogue (shop.products.service) ------------------------------------------------


def link(connection: Connection, product_id: int, category_ids: Sequence[int]) -> None:
    """Put the product in exactly these categories, in the caller's transaction.
    An id that is no category: 422 at `body.category_ids.<index>`."""
    known = store.existing(connection, category_ids) if category_ids else set()
    unknown = [index for index, category_id in enumerate(category_ids) if category_id not in known]
    if unknown:
        errors = [{"loc": ["body", "category_ids", index], "msg": NO_CATEGORY} for index in unknown]
        raise Invalid(NO_CATEGORY, errors=errors)
    try:
        with connection.begin_nested():
            store.link(connection, product_id, category_ids)
    except IntegrityError:  # deleted meanwhile, by another transaction
        raise Invalid.at(["body", "category_ids"], NO_CATEGORY) from None


def existing(connection: Connection, category_ids: Sequence[int]) -> set[int]:
    """Those of the ids that are categories, in the caller's transaction (a discount's categories)."""
    return store.existing(connection, category_ids) if category_ids else set()


def link_new(connection: Connection, rows: Sequence[tuple[int, int]]) -> None:
    """Put new products (demo data) in categories known to exist, (product_id, category_id), in bulk."""
    store.link_many(connection, rows)


class Trees:
    """Which categories are at and below a category named by its id or its slug
    (`GET /products?category=`), remembered for a moment as list totals are: at
    most a second, and never after a write of this app's; another worker's move
    shows within that second. A storefront asks the same few again and again."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._recent: Recent[tuple[int, ...]] = Recent(database.writes)

    async def at_and_below(self, ref: str) -> tuple[int, ...]:
        """The ids of the category `ref` and of every category below it, smallest
        first; 404 when there is no such category."""
        found = await self._recent.get(ref, lambda: self._read(ref))
        if not found:
            raise NotFound(NO_CATEGORY)
        return found

    async def _read(self, ref: str) -> tuple[int, ...]:
        category_id = plain_id(ref)
        if category_id is not None:
            return tuple(await store.at_and_below(self.database.reads, category_id=category_id))
        return tuple(await store.at_and_below(self.database.reads, slug=ref))


def products_in(database: Database, category_ids: tuple[int, ...]) -> Condition:
    """The condition, on a query of products, of being in one of these categories."""
    return store.products_in(category_ids, postgres=not database.reads.sqlite)


async def count_products(database: Database, category_ids: Sequence[int]) -> int:
    """How many products are in one of these categories (or more)."""
    return await store.count_products(database.reads, category_ids)


async def at_and_below_all(database: Database, category_ids: Sequence[int]) -> set[int]:
    """The categories and every one below each (what a discount for them covers);
    categories since deleted cover nothing."""
    found: set[int] = set()
    for category_id in category_ids:
        found.update(await store.at_and_below(database.reads, category_id=category_id))
    return found
