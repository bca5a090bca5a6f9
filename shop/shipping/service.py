"""The rules of shipping zones and rates, over the store's rows; and what orders
use of them: the rates that serve a country (`zone_rates`).

A country is in one zone at most: checked first, so that the 409 names the
zone that holds it, and kept by the schema (the country is the primary key of
`shipping_zone_countries`), so that two zones claiming a country at once
cannot both have it. A zone with rates is not deleted: the schema refuses
(RESTRICT), and the refusal is the 409. A rate belongs to its zone: asked
through another zone's path, it does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from shop.kernel.errors import Conflict, Invalid, NotFound
from shop.kernel.money import format_cents
from shop.kernel.names import name_key
from shop.shipping import store
from shop.shipping.schemas import ShippingRateCreate, ShippingRateUpdate, ShippingZoneCreate, ShippingZoneUpdate
from shop.shipping.store import RateRow as RateRow
from shop.shipping.store import Zone, ZoneRow
from shop.storage.database import Database
from shop.storage.keyset import ListQuery, Page, Sort, Totals, Window, fetch_page

BY_ID = Sort(Zone, ("id",))
RATES_BY_ID = Sort(RateRow, ("id",))

NO_ZONE = "No such shipping zone."
NO_RATE = "No such rate in this shipping zone."
HAS_RATES = "This shipping zone has rates (delete them first); nothing was deleted."
BAND = "must not be more than max_subtotal"
RATE_FIELDS = ("min_subtotal", "max_subtotal", "free_over")


# -- Pure rules ------------------------------------------------------------------------


def band_errors(min_subtotal_cents: int | None, max_subtotal_cents: int | None) -> None:
    """A rate's range of subtotals is not empty: min_subtotal is not above max_subtotal (422)."""
    if min_subtotal_cents is not None and max_subtotal_cents is not None and min_subtotal_cents > max_subtotal_cents:
        shown = f"{BAND} ({format_cents(min_subtotal_cents)} > {format_cents(max_subtotal_cents)})"
        raise Invalid.at(["body", "min_subtotal"], shown)


def _taken(holders: Mapping[str, str]) -> Conflict:
    said = ", ".join(f"{country} (in {zone!r})" for country, zone in sorted(holders.items()))
    return Conflict(f"A country is in one shipping zone at most; another zone holds {said or 'one of these'}.")


# -- Zones -------------------------------------------------------------------------------


def _place(connection: Connection, zone_id: int, countries: Sequence[str]) -> None:
    """The zone holds these countries, or a 409 names those another zone holds."""
    held = store.holders(connection, countries, but=zone_id)
    if held or not store.place(connection, zone_id, countries):
        # Lost a race to another zone's transaction: it has committed by now, so it is seen.
        raise _taken(held or store.holders(connection, countries, but=zone_id))


async def create_zone(database: Database, new: ShippingZoneCreate, now: datetime) -> Zone:
    def work(connection: Connection) -> Zone:
        key = name_key(new.name)
        if store.named(connection, key):
            raise Conflict(store.NAME_TAKEN)
        row = store.add(connection, {"name": new.name, "name_key": key}, now)
        _place(connection, row.id, new.countries)
        return Zone(row.id, row, tuple(new.countries), ())

    return await database.transaction(work)


async def update_zone(database: Database, zone_id: int, changes: ShippingZoneUpdate, now: datetime) -> Zone:
    """Rename and/or replace the countries, at once."""

    def work(connection: Connection) -> Zone:
        zone = store.locked(connection, zone_id)
        if zone is None:
            raise NotFound(NO_ZONE)
        values: dict[str, Any] = {}
        if changes.name is not None and changes.name != zone.name:
            key = name_key(changes.name)
            if key != zone.name_key and store.named(connection, key, but=zone_id):
                raise Conflict(store.NAME_TAKEN)
            values.update(name=changes.name, name_key=key)
        countries = store.countries_of(connection, zone_id)
        moved = changes.countries is not None and tuple(changes.countries) != countries
        if changes.countries is not None and moved:
            _place(connection, zone_id, changes.countries)
            countries = tuple(changes.countries)
        row: ZoneRow = zone
        if values or moved:  # nothing changes: updated_at stays
            row = store.change(connection, zone_id, values, now)
        return Zone(zone_id, row, countries, store.rates_of(connection, zone_id))

    return await database.transaction(work)


async def delete_zone(database: Database, zone_id: int) -> None:
    """Only a zone without rates; its countries go with it."""

    def work(connection: Connection) -> None:
        if store.locked(connection, zone_id) is None:
            raise NotFound(NO_ZONE)
        if not store.remove(connection, zone_id):
            raise Conflict(HAS_RATES)

    await database.transaction(work)


async def read_zone(database: Database, zone_id: int) -> Zone:
    zone = await store.zone_by_id(database.reads, zone_id)
    if zone is None:
        raise NotFound(NO_ZONE)
    return zone


async def list_zones(database: Database, query: ListQuery, totals: Totals) -> Page[Zone]:
    async def rows(window: Window) -> list[Zone]:
        return await store.zones(database.reads, window)

    async def total() -> int:
        return await totals.count(("shipping_zones",), lambda: store.count_zones(database.reads))

    return await fetch_page(query, BY_ID, rows, total)


# -- Rates -------------------------------------------------------------------------------


def _zone(connection: Connection, zone_id: int) -> ZoneRow:
    zone = store.locked(connection, zone_id)
    if zone is None:
        raise NotFound(NO_ZONE)
    return zone


async def create_rate(database: Database, zone_id: int, new: ShippingRateCreate, now: datetime) -> RateRow:
    band_errors(new.min_subtotal, new.max_subtotal)

    def work(connection: Connection) -> RateRow:
        _zone(connection, zone_id)  # held: the zone is not deleted meanwhile
        values = {
            "zone_id": zone_id,
            "name": new.name,
            "price_cents": new.price,
            "min_subtotal_cents": new.min_subtotal,
            "max_subtotal_cents": new.max_subtotal,
            "free_over_cents": new.free_over,
        }
        return store.add_rate(connection, values, now)

    return await database.transaction(work)


async def update_rate(
    database: Database, zone_id: int, rate_id: int, changes: ShippingRateUpdate, now: datetime
) -> RateRow:
    """The fields given; a limit given as null is removed."""

    def work(connection: Connection) -> RateRow:
        rate = store.locked_rate(connection, zone_id, rate_id)
        if rate is None:
            raise NotFound(NO_RATE)
        values: dict[str, Any] = {}
        if changes.name is not None:
            values["name"] = changes.name
        if changes.price is not None:
            values["price_cents"] = changes.price
        for field in RATE_FIELDS:
            if field in changes.model_fields_set:
                values[f"{field}_cents"] = getattr(changes, field)
        band_errors(
            values.get("min_subtotal_cents", rate.min_subtotal_cents),
            values.get("max_subtotal_cents", rate.max_subtotal_cents),
        )
        if all(getattr(rate, column) == value for column, value in values.items()):
            return rate  # nothing changes: updated_at stays
        return store.change_rate(connection, rate_id, values, now)

    return await database.transaction(work)


async def delete_rate(database: Database, zone_id: int, rate_id: int) -> None:
    def work(connection: Connection) -> None:
        if store.locked_rate(connection, zone_id, rate_id) is None:
            raise NotFound(NO_RATE)
        store.remove_rate(connection, rate_id)

    await database.transaction(work)


async def read_rate(database: Database, zone_id: int, rate_id: int) -> RateRow:
    rate = await store.rate_by_id(database.reads, zone_id, rate_id)
    if rate is None:
        raise NotFound(NO_RATE)
    return rate


async def list_rates(database: Database, zone_id: int, query: ListQuery, totals: Totals) -> Page[RateRow]:
    if not await store.zone_exists(database.reads, zone_id):
        raise NotFound(NO_ZONE)

    async def rows(window: Window) -> list[RateRow]:
        return await store.rates(database.reads, zone_id, window)

    async def total() -> int:
        return await totals.count(("shipping_rates", zone_id), lambda: store.count_rates(database.reads, zone_id))

    return await fetch_page(query, RATES_BY_ID, rows, total)


# -- For orders ----------------------------------------------------------------------------


async def zone_rates(database: Database, country: str) -> list[RateRow] | None:
    """The rates (by id) of the zone that holds the country, in one query: None when
    no zone holds it (the shop does not ship there), [] when its zone has no rates."""
    return await store.rates_for(database.reads, country)
