"""The rules about one product's variants and their stock movements, over the store's rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from shop.kernel import codec
from shop.kernel.errors import Conflict, NotFound
from shop.products import store
from shop.products.options import OptionSet
from shop.products.schemas import MAX_VARIANTS, MovementList, VariantCreate, VariantList, VariantUpdate
from shop.products.service import (
    BY_POSITION,
    NEWEST_FIRST,
    Skus,
    draft_variant,
    first_stock,
    images_json,
    locked_shown,
    saved,
    set_stock,
    tell,
)
from shop.products.store import MovementRow, Shown, VariantRow
from shop.storage.database import Database
from shop.storage.keyset import Page, Totals, Window, fetch_page


def _one(shown: Shown, variant_id: int) -> VariantRow:
    for variant in shown.variants:
        if variant.id == variant_id:
            return variant
    raise NotFound("No such variant of this product.")


def _changed(connection: Connection, product_id: int, now: datetime, currency: str) -> Shown:
    """After a variant changed: the product's price is its lowest variant's, its
    updated_at moves on, and product.updated tells it."""
    store.reprice(connection, product_id)
    shown = Shown(store.change(connection, product_id, {}, now), store.variants_of(connection, product_id))
    tell(connection, "product.updated", shown, currency, now)
    return shown


async def add_variant(
    database: Database, product_id: int, new: VariantCreate, now: datetime, currency: str
) -> VariantRow:
    def work(connection: Connection) -> VariantRow:
        product, variants = locked_shown(connection, product_id)
        if len(variants) >= MAX_VARIANTS:
            raise Conflict(f"A product has at most {MAX_VARIANTS} active variants.")
        last = max((variant.position for variant in variants), default=-1)
        position = new.position if new.position is not None else last + 1
        draft = draft_variant(
            OptionSet.stored(product.options), Skus(connection, product.slug), new, position, ["body"], product_id
        )
        _no_twin(variants, draft.values_key)
        (variant,) = saved(lambda: store.add_variants(connection, [draft.row]))
        first_stock(connection, [variant], now)
        _changed(connection, product_id, now, currency)
        return variant

    return await database.transaction(work)


def _no_twin(variants: list[VariantRow], values_key: str, *, besides: int | None = None) -> None:
    for variant in variants:
        if variant.values_key == values_key and variant.id != besides:
            raise Conflict(f"The active variant {variant.sku} has the same values.")


async def list_variants(database: Database, product_id: int, query: VariantList, totals: Totals) -> Page[VariantRow]:
    if await store.shown(database.reads, product_id) is None:
        raise NotFound("No such product.")

    async def rows(window: Window) -> list[VariantRow]:
        return await store.variant_window(database.reads, product_id, window)

    async def total() -> int:
        return await totals.count(("variants", product_id), lambda: store.variant_count(database.reads, product_id))

    return await fetch_page(query, BY_POSITION, rows, total)


async def read_variant(database: Database, product_id: int, variant_id: int) -> VariantRow:
    """An active variant of the product."""
    variant = await store.variant(database.reads, product_id, variant_id)
    if variant is None or variant.archived_at is not None:
        raise NotFound("No such variant of this product.")
    return variant


async def update_variant(
    database: Database, product_id: int, variant_id: int, changes: VariantUpdate, now: datetime, currency: str
) -> VariantRow:
    def work(connection: Connection) -> VariantRow:
        shown = locked_shown(connection, product_id)
        variant = _one(shown, variant_id)
        values: dict[str, Any] = {}
        if changes.sku is not None and changes.sku != variant.sku:
            sku = Skus(connection, shown.product.slug).given(changes.sku, ["body", "sku"], besides=variant_id)
            values.update(sku=sku, sku_key=sku.lower())
        if changes.options is not None:
            options = OptionSet.stored(shown.product.options)
            named, key = options.values_of(changes.options, ["body", "options"])
            _no_twin(shown.variants, key, besides=variant_id)
            values.update(options=codec.dumps(named).decode(), values_key=key)
        if changes.price is not None:
            values["price_cents"] = changes.price
        if changes.position is not None:
            values["position"] = changes.position
        if changes.images is not None:
            values["images"] = images_json(changes.images)
        if "tax_class" in changes.model_fields_set:  # null: back to its product's
            values["tax_class"] = changes.tax_class
        if changes.stock is not None:
            set_stock(connection, variant_id, changes.stock, now)
            values["stock"] = changes.stock
        if all(getattr(variant, column, value) == value for column, value in values.items()):
            return variant  # nothing changes, nothing to tell
        changed = saved(lambda: store.change_variant(connection, variant_id, values))
        _changed(connection, product_id, now, currency)
        return changed

    return await database.transaction(work)


async def delete_variant(database: Database, product_id: int, variant_id: int, now: datetime, currency: str) -> None:
    """A variant ever ordered is archived (its ledger and the lines that sold it
    stay); one never ordered is deleted. The last active variant stays (409)."""

    def work(connection: Connection) -> None:
        shown = locked_shown(connection, product_id)
        _one(shown, variant_id)
        if len(shown.variants) == 1:
            raise Conflict("A product keeps at least one active variant: delete the product instead.")
        if store.ever_ordered(connection, variant_id):
            store.archive(connection, variant_id, now)
        else:
            store.remove_variant(connection, variant_id)
        _changed(connection, product_id, now, currency)

    await database.transaction(work)


async def list_movements(
    database: Database, product_id: int, variant_id: int, query: MovementList, totals: Totals
) -> Page[MovementRow]:
    """A variant's movements, newest first: archived variants' too."""
    if await store.variant(database.reads, product_id, variant_id) is None:
        raise NotFound("No such variant of this product.")

    async def rows(window: Window) -> list[MovementRow]:
        return await store.movement_window(database.reads, variant_id, window)

    async def total() -> int:
        return await totals.count(("movements", variant_id), lambda: store.movement_count(database.reads, variant_id))

    return await fetch_page(query, NEWEST_FIRST, rows, total)
