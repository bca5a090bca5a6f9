"""The rules about the catalogue, over the store's named rows: products, their
variants, and the stock the variants hold (with its ledger of movements)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from shop.categories import service as categories
from shop.events import service as events
from shop.events.schemas import EventType
from shop.kernel import codec
from shop.kernel.errors import Conflict, Invalid, NotFound, PreconditionFailed
from shop.kernel.names import name_key
from shop.kernel.slugs import first_free, slug_of
from shop.products import store
from shop.products.options import OptionSet, key_of
from shop.products.schemas import (
    Image,
    ProductCreate,
    ProductList,
    ProductUpdate,
    VariantIn,
    public,
)
from shop.products.store import Filters, MovementRow, ProductRow, Shown, VariantRow
from shop.products.store import Taken as Taken
from shop.storage.database import Database
from shop.storage.keyset import Page, Sort, Totals, Window, fetch_page
from shop.storage.models import MovementReason

# A sort's columns, the id last: it breaks ties.
SORTS = {
    "id": ("id",),
    "name": ("name_key", "id"),
    "price": ("price_cents", "id"),
    "created_at": ("created_at", "id"),
}
BY_POSITION = Sort(VariantRow, ("position", "id"))
NEWEST_FIRST = Sort(MovementRow, ("id",), descending=True)
NAME_TAKEN = "A product with this name already exists."
RACED = "Another write took the same name, slug or SKU at the same moment; nothing was saved. Try again."


def etag(body: bytes) -> str:
    """A strong ETag of a product as the API shows it: a variant's stock or price
    changing changes it too."""
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


# Up to this many products in a category (and below it), a list of them reads them through
# their links and sorts them; with more, it reads the catalogue in the list's order and keeps
# those in the category, and a page is soon full (store.window's `selective`). On a million
# products the two ways cost the same at a few thousand.
FEW_IN_CATEGORY = 3000


def category_ids_json(ids: Sequence[int]) -> str:
    """The products.category_ids column's JSON: the ids, smallest first."""
    return codec.dumps(sorted(ids)).decode()


def images_json(images: Sequence[Image]) -> str:
    return codec.dumps([image.model_dump() for image in images]).decode()


def tell(connection: Connection, kind: EventType, shown: Shown, currency: str, now: datetime) -> None:
    """Record the event `kind` of the product, as the API shows it now, in this transaction."""
    data = public(shown.product, shown.variants, currency)
    events.record(connection, kind, f"product:{shown.product.id}", data, now)


def _free_slug(connection: Connection, wanted: str, *, besides: int | None = None) -> str:
    return first_free(wanted, 200, lambda tried: store.slugs_taken(connection, tried, besides=besides))


def saved[T](write: Callable[[], T]) -> T:
    """A write whose names were checked free in this transaction: only a concurrent
    one (PostgreSQL) can have taken them since."""
    try:
        return write()
    except IntegrityError:
        raise Conflict(RACED) from None


class Skus:
    """The SKUs of one transaction's new variants: given ones checked free, the
    others made from the product's slug and their values."""

    def __init__(self, connection: Connection, slug: str) -> None:
        self.connection = connection
        self.slug = slug
        self.claimed: set[str] = set()  # keys (lower case) given out in this transaction
        self.reserved: set[str] = set()  # keys given in the request, checked free: made ones avoid them

    def reserve(self, skus: Sequence[str]) -> None:
        """The SKUs a request gives, checked free before any is made for the others."""
        keys = [sku.lower() for sku in skus]
        taken = store.skus_taken(self.connection, keys) if keys else set()
        for sku, key in zip(skus, keys, strict=True):
            if key in taken or key in self.reserved:
                raise Conflict(f"The SKU {sku!r} is taken (ignoring case), archived variants included.")
            self.reserved.add(key)

    def given(self, sku: str, loc: list[str | int], *, besides: int | None = None) -> str:
        key = sku.lower()
        if key in self.reserved:  # checked by reserve()
            self.reserved.discard(key)
        elif key in self.claimed or store.skus_taken(self.connection, [key], besides=besides):
            raise Conflict(f"The SKU {sku!r} is taken (ignoring case), archived variants included.")
        self.claimed.add(key)
        return sku

    def made(self, values: dict[str, str]) -> str:
        wanted = slug_of(self.slug, *values.values(), max_length=64, fallback="variant")

        def taken(tried: list[str]) -> set[str]:
            return (set(tried) & (self.claimed | self.reserved)) | store.skus_taken(self.connection, tried)

        sku = first_free(wanted, 64, taken)
        self.claimed.add(sku)
        return sku


class Drafted(NamedTuple):
    """A variant about to be written: its columns, and its values for the duplicate check."""

    row: dict[str, Any]
    values_key: str


def draft_variant(
    options: OptionSet, skus: Skus, new: VariantIn, position: int, loc: list[str | int], product_id: int
) -> Drafted:
    values, key = options.values_of(new.options, [*loc, "options"])
    sku = skus.given(new.sku, [*loc, "sku"]) if new.sku is not None else skus.made(values)
    row = {
        "product_id": product_id,
        "sku": sku,
        "sku_key": sku.lower(),
        "options": codec.dumps(values).decode(),
        "values_key": key,
        "price_cents": new.price,
        "stock": new.stock,
        "position": position,
        "images": images_json(new.images),
        "tax_class": new.tax_class,
    }
    return Drafted(row, key)


def first_stock(connection: Connection, variants: Sequence[VariantRow], now: datetime) -> None:
    """A new variant's ledger starts with its first stock (an admin's)."""
    store.move(
        connection,
        [
            {"variant_id": variant.id, "delta": variant.stock, "reason": "admin", "order_id": None, "created_at": now}
            for variant in variants
        ],
    )


# -- Products -----------------------------------------------------------------


async def create_product(database: Database, new: ProductCreate, now: datetime, currency: str) -> Shown:
    key = name_key(new.name)

    def work(connection: Connection) -> Shown:
        if store.name_taken(connection, key):
            raise Conflict(NAME_TAKEN)
        if new.slug is not None and store.slugs_taken(connection, [new.slug]):
            raise Conflict(f"The slug {new.slug!r} is taken by another product.")
        slug = new.slug or _free_slug(connection, slug_of(new.name, max_length=200, fallback="product"))
        options = OptionSet.given(new.options)
        values = {
            "name": new.name,
            "name_key": key,
            "slug": slug,
            "description": new.description,
            "price_cents": 0,  # the lowest variant's, below
            "options": options.json(),
            "category_ids": category_ids_json(new.category_ids),
            "images": images_json(new.images),
            "tax_class": new.tax_class,
            "created_at": now,
            "updated_at": now,
        }
        product = saved(lambda: store.add(connection, values))
        if new.category_ids:
            categories.link(connection, product.id, new.category_ids)
        # Without options, its one variant (already valid: constructed, not validated again).
        wanted = new.variants or [
            VariantIn.model_construct(sku=None, options={}, price=new.price or 0, stock=new.stock or 0)
        ]
        skus = Skus(connection, slug)
        skus.reserve([variant.sku for variant in wanted if variant.sku is not None])
        drafts = [
            draft_variant(options, skus, variant, position, ["body", "variants", position], product.id)
            for position, variant in enumerate(wanted)
        ]
        _no_twins([draft.values_key for draft in drafts])
        variants = saved(lambda: store.add_variants(connection, [draft.row for draft in drafts]))
        first_stock(connection, variants, now)
        product = product._replace(price_cents=min(variant.price_cents for variant in variants))
        store.reprice(connection, product.id)
        shown = Shown(product, variants)
        tell(connection, "product.created", shown, currency, now)
        return shown

    return await database.transaction(work)


def _no_twins(keys: Sequence[str]) -> None:
    seen: dict[str, int] = {}
    for index, key in enumerate(keys):
        if key in seen:
            msg = f"Variants {seen[key]} and {index} have the same values: no two active variants may."
            raise Conflict(msg)
        seen[key] = index


async def read_product(database: Database, product_id: int) -> Shown:
    found = await store.shown(database.reads, product_id)
    if found is None:
        raise NotFound("No such product.")
    return found


async def list_products(database: Database, query: ProductList, totals: Totals, trees: categories.Trees) -> Page[Shown]:
    category_ids = None if query.category is None else await trees.at_and_below(query.category)
    filters = Filters(
        name_contains=name_key(query.q) if query.q is not None else None,
        slug=query.slug,
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

    page = await fetch_page(query, sort, rows, total)
    variants = await store.active_variants(database.reads, [product.id for product in page.items])
    return page.map(lambda product: Shown(product, variants[product.id]))


def locked_shown(connection: Connection, product_id: int) -> Shown:
    product = store.locked(connection, product_id)
    if product is None:
        raise NotFound("No such product.")
    return Shown(product, store.variants_of(connection, product_id))


def _matches(shown: Shown, currency: str, if_match: list[str] | None) -> None:
    current = etag(codec.dumps(public(shown.product, shown.variants, currency)))
    if if_match is not None and "*" not in if_match and current not in if_match:
        raise PreconditionFailed("The product has changed since you read it; read it again.")


async def update_product(
    database: Database,
    product_id: int,
    changes: ProductUpdate,
    now: datetime,
    currency: str,
    *,
    if_match: list[str] | None,
) -> Shown:
    """Apply a PATCH; with If-Match, only to the product in the state the client saw (else 412)."""

    def work(connection: Connection) -> Shown:
        shown = locked_shown(connection, product_id)
        _matches(shown, currency, if_match)
        product, variants = shown
        options = OptionSet.stored(product.options)
        values: dict[str, Any] = {}
        if changes.name is not None and changes.name != product.name:
            if store.name_taken(connection, name_key(changes.name), besides=product_id):
                raise Conflict(NAME_TAKEN)
            values.update(name=changes.name, name_key=name_key(changes.name))
        if changes.description is not None:
            values["description"] = changes.description
        if changes.slug is not None and changes.slug != product.slug:
            if store.slugs_taken(connection, [changes.slug], besides=product_id):
                raise Conflict(f"The slug {changes.slug!r} is taken by another product.")
            values["slug"] = changes.slug
        if changes.images is not None:
            values["images"] = images_json(changes.images)
        if changes.tax_class is not None:
            values["tax_class"] = changes.tax_class
        if changes.category_ids is not None:
            values["category_ids"] = category_ids_json(changes.category_ids)
            if values["category_ids"] != product.category_ids:
                categories.link(connection, product_id, changes.category_ids)
        if changes.options is not None:
            new = OptionSet.given(changes.options)
            renames = options.changed_to(new, [codec.loads(variant.options) for variant in variants])
            values["options"] = new.json()
            _rename_values(connection, product_id, renames, new)
        if changes.price is not None or changes.stock is not None:
            if options.options:
                raise Conflict("A product with options has a price and stock per variant: change its variants.")
            (sole,) = variants
            if changes.price is not None:
                store.change_variant(connection, sole.id, {"price_cents": changes.price})
                values["price_cents"] = changes.price
            if changes.stock is not None:
                set_stock(connection, sole.id, changes.stock, now)
        changed = Shown(product._replace(**values), store.variants_of(connection, product_id))
        if changed == shown:
            return shown  # nothing changes: neither updated_at nor the ETag moves, nothing to tell
        changed = Shown(saved(lambda: store.change(connection, product_id, values, now)), changed.variants)
        tell(connection, "product.updated", changed, currency, now)
        return changed

    return await database.transaction(work)


def _rename_values(connection: Connection, product_id: int, renames: Mapping[str, str], options: OptionSet) -> None:
    """Options renamed: every variant of the product (archived ones too) names them anew."""
    if not renames:
        return
    for variant in store.variants_of(connection, product_id, archived=True):
        values = {renames.get(name, name): value for name, value in codec.loads(variant.options).items()}
        change = {"options": codec.dumps(values).decode()}
        if variant.archived_at is None:
            change["values_key"] = key_of(values, options)
        store.change_variant(connection, variant.id, change)


async def delete_product(database: Database, product_id: int, currency: str, now: datetime) -> None:
    """The product leaves the catalogue with its variants; orders keep their lines of it, as sold."""

    def work(connection: Connection) -> None:
        shown = locked_shown(connection, product_id)
        store.remove(connection, product_id)
        tell(connection, "product.deleted", shown, currency, now)

    await database.transaction(work)


def existing_products(connection: Connection, product_ids: Sequence[int]) -> set[int]:
    """Those of the ids that are products, in the caller's transaction (a discount's products)."""
    return set(store.names(connection, product_ids)) if product_ids else set()


# -- Stock --------------------------------------------------------------------


def set_stock(connection: Connection, variant_id: int, stock: int, now: datetime) -> None:
    """An admin sets a variant's stock: the difference is a movement."""
    delta = store.set_stock(connection, variant_id, stock)
    if delta:
        store.move(
            connection,
            [{"variant_id": variant_id, "delta": delta, "reason": "admin", "order_id": None, "created_at": now}],
        )


class Wanted(NamedTuple):
    """A line of an order: a variant, or a product with one active variant."""

    product_id: int | None
    variant_id: int | None
    quantity: int


def _chosen(lines: Sequence[Wanted], soles: Mapping[int, store.Sole]) -> list[int]:
    """The variant each line buys; or 422 at a line naming a product that is not for
    sale or has several variants, or the same variant as another line."""
    chosen: list[int] = []
    errors: list[dict[str, Any]] = []
    for index, line in enumerate(lines):
        loc: list[str | int] = ["body", "items", index]
        if line.variant_id is not None:
            chosen.append(line.variant_id)
            continue
        assert line.product_id is not None
        sole = soles.get(line.product_id)
        if sole is None:
            errors.append({"loc": [*loc, "product_id"], "msg": "No such product."})
        elif sole.active > 1:
            errors.append({"loc": [*loc, "product_id"], "msg": "This product has variants: choose a variant."})
        chosen.append(sole.variant_id if sole is not None else 0)
    if errors:
        raise Invalid("Some lines do not name one thing to buy.", errors=errors)
    seen: set[int] = set()
    for index, variant_id in enumerate(chosen):
        if variant_id in seen:
            field = "variant_id" if lines[index].variant_id is not None else "product_id"
            errors.append(
                {"loc": ["body", "items", index, field], "msg": "This variant is in the order more than once."}
            )
        seen.add(variant_id)
    if errors:
        raise Invalid("The same variant is in the order more than once.", errors=errors)
    return chosen


def _named_products(lines: Sequence[Wanted]) -> set[int]:
    return {line.product_id for line in lines if line.product_id is not None}


def take_lines(connection: Connection, lines: Sequence[Wanted]) -> list[Taken]:
    """Take every line's stock (in the caller's transaction), each line as sold,
    in the order of `lines`; or raise, and the caller's transaction changes
    nothing: 422 at a line naming a product or variant not for sale, or the same
    variant twice; 409 naming the lines short of stock."""
    named = _named_products(lines)
    chosen = _chosen(lines, store.sole_variants(connection, named) if named else {})
    # In variant order, so concurrent orders lock rows in the same order (no deadlocks).
    taken: dict[int, Taken] = {}
    quantities = sorted((variant_id, line.quantity) for variant_id, line in zip(chosen, lines, strict=True))
    for variant_id, quantity in quantities:
        got = store.take(connection, variant_id, quantity)
        if got is not None:
            taken[variant_id] = got
    if len(taken) < len(lines):
        known = store.described(connection, [variant_id for variant_id in chosen if variant_id not in taken])
        active = dict.fromkeys(taken, True) | {
            variant_id: row.archived_at is None for variant_id, (row, _) in known.items()
        }
        _not_for_sale(lines, chosen, active)
        short = ", ".join(
            f"{known[variant_id][1]} (SKU {known[variant_id][0].sku})"
            for variant_id in chosen
            if variant_id not in taken
        )
        raise Conflict(f"Not enough stock for: {short}. Nothing was ordered.")
    return [taken[variant_id] for variant_id in chosen]


def _not_for_sale(lines: Sequence[Wanted], chosen: Sequence[int], active: Mapping[int, bool]) -> None:
    """422 at each line whose variant is unknown or archived (`active`: what is known
    of the variants in question)."""
    errors = []
    for index, variant_id in enumerate(chosen):
        field = "variant_id" if lines[index].variant_id is not None else "product_id"
        if variant_id not in active:
            errors.append({"loc": ["body", "items", index, field], "msg": "No such variant."})
        elif not active[variant_id]:
            errors.append({"loc": ["body", "items", index, field], "msg": "This variant is no longer sold."})
    if errors:
        raise Invalid("The order names things that are not for sale.", errors=errors)


async def lines_as_sold(database: Database, lines: Sequence[Wanted]) -> list[Taken]:
    """What `lines` would buy now, as `take_lines` would sell them, without taking
    any stock (a quote): the same 422s, and no 409 for stock."""
    named = _named_products(lines)
    chosen = _chosen(lines, await store.sole_variants_now(database.reads, named) if named else {})
    found = await store.for_sale(database.reads, chosen)
    _not_for_sale(lines, chosen, {variant_id: archived_at is None for variant_id, (_, archived_at) in found.items()})
    return [found[variant_id][0] for variant_id in chosen]


def record_taken(connection: Connection, order_id: int, taken: Mapping[int, int], now: datetime) -> None:
    """The movements of an order's lines taken (variant id to quantity)."""
    store.move(
        connection,
        [
            {"variant_id": variant_id, "delta": -quantity, "reason": "order", "order_id": order_id, "created_at": now}
            for variant_id, quantity in taken.items()
        ],
    )


def put_back_stock(
    connection: Connection, held: Mapping[int, int], reason: MovementReason, order_id: int, now: datetime
) -> None:
    """What an order held goes back to its variants (those that still exist), each a movement."""
    back = store.put_back(connection, held)
    store.move(
        connection,
        [
            {
                "variant_id": variant_id,
                "delta": held[variant_id],
                "reason": reason,
                "order_id": order_id,
                "created_at": now,
            }
            for variant_id in sorted(back)
        ],
    )


# -- Demo data ------------------------------------------------------------------


class NewVariant(NamedTuple):
    """A variant of demo data: its values, by option name, in the product's option order."""

    values: dict[str, str]
    price_cents: int
    stock: int


class NewProduct(NamedTuple):
    """A product of demo data: with `options` and `variants`, or one variant of
    `price_cents` and `stock`."""

    name: str
    description: str
    price_cents: int
    stock: int
    options: tuple[tuple[str, tuple[str, ...]], ...] = ()
    variants: tuple[NewVariant, ...] = ()
    images: tuple[tuple[str, str], ...] = ()  # (url, alt)
    category_ids: tuple[int, ...] = ()  # categories known to exist


async def add_many(database: Database, products: Sequence[NewProduct], now: datetime) -> None:
    """Products in bulk (demo data), whose names are known to be free, each with its
    variants and their first stock: a few multi-row INSERTs."""

    def work(connection: Connection) -> None:
        wanted = [slug_of(product.name, max_length=200, fallback="product") for product in products]
        slugs = _all_free(wanted, 200, lambda tried: store.slugs_taken(connection, tried))
        sold = [product.variants or (NewVariant({}, product.price_cents, product.stock),) for product in products]
        rows = [
            {
                "name": product.name,
                "name_key": name_key(product.name),
                "slug": slug,
                "description": product.description,
                "price_cents": min(variant.price_cents for variant in variants),
                "options": OptionSet([(name, list(values)) for name, values in product.options]).json(),
                "images": codec.dumps([{"url": url, "alt": alt} for url, alt in product.images]).decode(),
                "category_ids": category_ids_json(product.category_ids),
                "created_at": now,
                "updated_at": now,
            }
            for product, slug, variants in zip(products, slugs, sold, strict=True)
        ]
        ids = store.add_many(connection, rows)
        categories.link_new(
            connection,
            [
                (product_id, category_id)
                for product_id, product in zip(ids, products, strict=True)
                for category_id in product.category_ids
            ],
        )
        made = [
            slug_of(slug, *variant.values.values(), max_length=64, fallback="variant")
            for slug, variants in zip(slugs, sold, strict=True)
            for variant in variants
        ]
        skus = iter(_all_free(made, 64, lambda tried: store.skus_taken(connection, tried)))
        variants = []
        for product_id, product, variants_of in zip(ids, products, sold, strict=True):
            options = OptionSet([(name, list(values)) for name, values in product.options])
            for position, variant in enumerate(variants_of):
                sku = next(skus)
                variants.append(
                    {
                        "product_id": product_id,
                        "sku": sku,
                        "sku_key": sku,
                        "options": codec.dumps(variant.values).decode(),
                        "values_key": key_of(variant.values, options),
                        "price_cents": variant.price_cents,
                        "stock": variant.stock,
                        "position": position,
                    }
                )
        first_stock(connection, store.add_variants(connection, variants), now)

    await database.transaction(work)


def _all_free(wanted: Sequence[str], max_length: int, taken: Callable[[list[str]], set[str]]) -> list[str]:
    """A free name for each of `wanted` (lower case), distinct among themselves: one
    query for all, and one more for each that clashes."""
    used = taken(list(wanted))
    free = []
    for name in wanted:
        if name in used:
            name = first_free(name, max_length, lambda tried: (set(tried) & used) | taken(tried))
        used.add(name)
        free.append(name)
    return free


async def last_id(database: Database) -> int:
    return await database.transaction(store.last_id)


async def last_variant_id(database: Database) -> int:
    return await database.transaction(store.last_variant_id)
