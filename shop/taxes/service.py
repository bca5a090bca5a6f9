"""The rules of tax rates, over the store's rows; and what orders use of them:
a country's rates by tax class (`rates_in`).

A country has one rate per tax class: checked first, and kept by the schema's
unique key on (country, tax_class), whose refusal in a race is the same 409.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from shop.kernel.errors import Conflict, NotFound
from shop.storage.database import Database
from shop.storage.keyset import Page, Sort, Totals, Window, fetch_page
from shop.taxes import store
from shop.taxes.schemas import TaxRateCreate, TaxRateList, TaxRateUpdate
from shop.taxes.store import TaxRateRow

BY_ID = Sort(TaxRateRow, ("id",))
NO_TAX_RATE = "No such tax rate."


async def create_tax_rate(database: Database, new: TaxRateCreate, now: datetime) -> TaxRateRow:
    def work(connection: Connection) -> TaxRateRow:
        if store.taken(connection, new.country, new.tax_class):
            raise Conflict(store.taken_message(new.country, new.tax_class))
        values = {"country": new.country, "tax_class": new.tax_class, "rate_bp": new.rate}
        return store.add(connection, values, now)

    return await database.transaction(work)


async def update_tax_rate(database: Database, tax_rate_id: int, changes: TaxRateUpdate, now: datetime) -> TaxRateRow:
    """Any of country, tax_class and rate; still one rate per country and class."""

    def work(connection: Connection) -> TaxRateRow:
        tax_rate = store.locked(connection, tax_rate_id)
        if tax_rate is None:
            raise NotFound(NO_TAX_RATE)
        values: dict[str, Any] = {}
        if changes.country is not None:
            values["country"] = changes.country
        if changes.tax_class is not None:
            values["tax_class"] = changes.tax_class
        if changes.rate is not None:
            values["rate_bp"] = changes.rate
        country = values.get("country", tax_rate.country)
        tax_class = values.get("tax_class", tax_rate.tax_class)
        if (country, tax_class) != (tax_rate.country, tax_rate.tax_class) and store.taken(
            connection, country, tax_class
        ):
            raise Conflict(store.taken_message(country, tax_class))
        if all(getattr(tax_rate, column) == value for column, value in values.items()):
            return tax_rate  # nothing changes: updated_at stays
        return store.change(connection, tax_rate_id, values, now)

    return await database.transaction(work)


async def delete_tax_rate(database: Database, tax_rate_id: int) -> None:
    def work(connection: Connection) -> None:
        if store.locked(connection, tax_rate_id) is None:
            raise NotFound(NO_TAX_RATE)
        store.remove(connection, tax_rate_id)

    await database.transaction(work)


async def read_tax_rate(database: Database, tax_rate_id: int) -> TaxRateRow:
    tax_rate = await store.by_id(database.reads, tax_rate_id)
    if tax_rate is None:
        raise NotFound(NO_TAX_RATE)
    return tax_rate


async def list_tax_rates(database: Database, query: TaxRateList, totals: Totals) -> Page[TaxRateRow]:
    async def rows(window: Window) -> list[TaxRateRow]:
        return await store.window(database.reads, query.country, window)

    async def total() -> int:
        return await totals.count(("tax_rates", query.country), lambda: store.count(database.reads, query.country))

    return await fetch_page(query, BY_ID, rows, total)


# -- For orders ----------------------------------------------------------------------------


async def rates_in(database: Database, country: str) -> dict[str, int]:
    """The country's tax rates by tax class, in hundredths of a percent (7.70% is 770),
    in one query; a class without a rate there is not in it."""
    return await store.of_country(database.reads, country)
