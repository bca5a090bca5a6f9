"""The shipping SQL: the one place that reads or writes `shipping_zones`,
`shipping_zone_countries` and `shipping_rates`.

A zone's countries are rows of their own, keyed by the country: the primary
key is the rule "a country is in one zone at most", so two zones claiming a
country at once cannot both have it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from shop.kernel.errors import Conflict
from shop.storage.keyset import Window
from shop.storage.models import ShippingRate, ShippingZone, ShippingZoneCountry
from shop.storage.reads import Reads, in_list, row_type


class ZoneRow(NamedTuple):
    id: int
    name: str
    name_key: str  # what makes two names the same name (shop.kernel.names.name_key)
    created_at: datetime
    updated_at: datetime


class RateRow(NamedTuple):
    id: int
    zone_id: int
    name: str
    price_cents: int
    min_subtotal_cents: int | None  # only for subtotals (after discounts) of at least this
    max_subtotal_cents: int | None  # ... and of at most this
    free_over_cents: int | None  # free for subtotals of at least this
    created_at: datetime
    updated_at: datetime


class Zone(NamedTuple):
    """A zone with its countries (in the admin's order) and its rates (by id)."""

    id: int  # the row's: the key of a page of zones
    row: ZoneRow
    countries: tuple[str, ...]
    rates: tuple[RateRow, ...]


ZONE = row_type(ZoneRow)
RATE = row_type(RateRow)
_ZONE_COLUMNS = [ShippingZone.__table__.c[name] for name in ZONE.columns]
_RATE_COLUMNS = [ShippingRate.__table__.c[name] for name in RATE.columns]
NAME_TAKEN = "Another shipping zone has this name (ignoring case)."


# -- Writes, on the unit of work's connection ---------------------------------


def locked(connection: Connection, zone_id: int) -> ZoneRow | None:
    row = connection.execute(select(*_ZONE_COLUMNS).where(ShippingZone.id == zone_id).with_for_update()).first()
    return ZONE.make(row) if row is not None else None


def named(connection: Connection, name_key: str, but: int | None = None) -> bool:
    """Whether a zone other than `but` has this name key."""
    found = select(ShippingZone.id).where(ShippingZone.name_key == name_key)
    if but is not None:
        found = found.where(ShippingZone.id != but)
    return connection.execute(found.limit(1)).first() is not None


def holders(connection: Connection, countries: Sequence[str], but: int | None = None) -> dict[str, str]:
    """Those of the countries that a zone other than `but` holds: the name of that zone, by country."""
    found = (
        select(ShippingZoneCountry.country, ShippingZone.name)
        .join(ShippingZone, ShippingZone.id == ShippingZoneCountry.zone_id)
        .where(ShippingZoneCountry.country.in_(countries))
    )
    if but is not None:
        found = found.where(ShippingZoneCountry.zone_id != but)
    return {str(country): str(name) for country, name in connection.execute(found)}


def add(connection: Connection, values: Mapping[str, Any], now: datetime) -> ZoneRow:
    statement = insert(ShippingZone).values(**values, created_at=now, updated_at=now).returning(*_ZONE_COLUMNS)
    try:
        with connection.begin_nested():
            return ZONE.make(connection.execute(statement).one())
    except IntegrityError:  # the unique name key: checked before, so only in a race
        raise Conflict(NAME_TAKEN) from None


def change(connection: Connection, zone_id: int, values: Mapping[str, Any], now: datetime) -> ZoneRow:
    statement = (
        update(ShippingZone)
        .where(ShippingZone.id == zone_id)
        .values(**values, updated_at=now)
        .returning(*_ZONE_COLUMNS)
    )
    try:
        with connection.begin_nested():
            return ZONE.make(connection.execute(statement).one())
    except IntegrityError:
        raise Conflict(NAME_TAKEN) from None


def place(connection: Connection, zone_id: int, countries: Sequence[str]) -> bool:
    """The zone holds exactly these countries, in this order. False when another
    zone holds one of them (the primary key refuses: a race lost), and then the
    zone's countries are as they were."""
    rows = [{"country": country, "zone_id": zone_id, "position": index} for index, country in enumerate(countries)]
    try:
        with connection.begin_nested():  # the refusal rolls back to here, the transaction goes on
            connection.execute(delete(ShippingZoneCountry).where(ShippingZoneCountry.zone_id == zone_id))
            connection.execute(insert(ShippingZoneCountry), rows)
    except IntegrityError:
        return False
    return True


def countries_of(connection: Connection, zone_id: int) -> tuple[str, ...]:
    found = select(ShippingZoneCountry.country).where(ShippingZoneCountry.zone_id == zone_id)
    return tuple(connection.execute(found.order_by(ShippingZoneCountry.position)).scalars())


def rates_of(connection: Connection, zone_id: int) -> tuple[RateRow, ...]:
    found = select(*_RATE_COLUMNS).where(ShippingRate.zone_id == zone_id).order_by(ShippingRate.id)
    return tuple(RATE.make(row) for row in connection.execute(found))


def remove(connection: Connection, zone_id: int) -> bool:
    """Delete the zone and its countries; False when the schema refuses (RESTRICT:
    it has rates), and then nothing is deleted."""
    try:
        with connection.begin_nested():
            connection.execute(delete(ShippingZone).where(ShippingZone.id == zone_id))
    except IntegrityError:
        return False
    return True


def locked_rate(connection: Connection, zone_id: int, rate_id: int) -> RateRow | None:
    """The rate, when it is one of this zone's."""
    found = select(*_RATE_COLUMNS).where(ShippingRate.id == rate_id, ShippingRate.zone_id == zone_id)
    row = connection.execute(found.with_for_update()).first()
    return RATE.make(row) if row is not None else None


def add_rate(connection: Connection, values: Mapping[str, Any], now: datetime) -> RateRow:
    statement = insert(ShippingRate).values(**values, created_at=now, updated_at=now).returning(*_RATE_COLUMNS)
    return RATE.make(connection.execute(statement).one())


def change_rate(connection: Connection, rate_id: int, values: Mapping[str, Any], now: datetime) -> RateRow:
    statement = (
        update(ShippingRate)
        .where(ShippingRate.id == rate_id)
        .values(**values, updated_at=now)
        .returning(*_RATE_COLUMNS)
    )
    return RATE.make(connection.execute(statement).one())


def remove_rate(connection: Connection, rate_id: int) -> None:
    connection.execute(delete(ShippingRate).where(ShippingRate.id == rate_id))


# -- Fast reads (shop.storage.reads) ---------------------------------------------------

_ZONE_BY_ID = f"SELECT {ZONE.select_list()} FROM shipping_zones WHERE id = :id"
_RATE_BY_ID = f"SELECT {RATE.select_list()} FROM shipping_rates WHERE id = :id AND zone_id = :zone_id"
_ZONE_EXISTS = "SELECT 1 FROM shipping_zones WHERE id = :id"
# The rates of the zone that holds a country, by id: a row of NULLs when that zone has none,
# no row when no zone holds it.
_RATES_FOR_COUNTRY = (
    f"SELECT {RATE.select_list('r')} FROM shipping_zone_countries AS c"
    " LEFT JOIN shipping_rates AS r ON r.zone_id = c.zone_id WHERE c.country = :country ORDER BY r.id"
)


async def _complete(reads: Reads, rows: list[ZoneRow]) -> list[Zone]:
    """The zones with their countries and rates: two queries for any number of zones."""
    if not rows:
        return []
    params: dict[str, Any] = {}
    ids = in_list("zone", [row.id for row in rows], params)
    countries: dict[int, list[str]] = {row.id: [] for row in rows}
    sql = f"SELECT zone_id, country FROM shipping_zone_countries WHERE zone_id IN {ids} ORDER BY zone_id, position"
    for zone_id, country in await reads.rows(sql, params):
        countries[zone_id].append(country)
    rates: dict[int, list[RateRow]] = {row.id: [] for row in rows}
    sql = f"SELECT {RATE.select_list()} FROM shipping_rates WHERE zone_id IN {ids} ORDER BY zone_id, id"
    for rate in await reads.all(RATE, sql, params):
        rates[rate.zone_id].append(rate)
    return [Zone(row.id, row, tuple(countries[row.id]), tuple(rates[row.id])) for row in rows]


async def zone_by_id(reads: Reads, zone_id: int) -> Zone | None:
    row = await reads.one(ZONE, _ZONE_BY_ID, {"id": zone_id})
    return None if row is None else (await _complete(reads, [row]))[0]


async def zone_exists(reads: Reads, zone_id: int) -> bool:
    return bool(await reads.rows(_ZONE_EXISTS, {"id": zone_id}))


async def zones(reads: Reads, rows: Window) -> list[Zone]:
    """A page of the zones, each with its countries and rates."""
    params: dict[str, Any] = {}
    sql = f"SELECT {ZONE.select_list()} FROM shipping_zones" + rows.sql([], params)
    return await _complete(reads, await reads.all(ZONE, sql, params))


async def count_zones(reads: Reads) -> int:
    return int(await reads.scalar("SELECT count(*) FROM shipping_zones"))


async def rate_by_id(reads: Reads, zone_id: int, rate_id: int) -> RateRow | None:
    return await reads.one(RATE, _RATE_BY_ID, {"id": rate_id, "zone_id": zone_id})


async def rates(reads: Reads, zone_id: int, rows: Window) -> list[RateRow]:
    params: dict[str, Any] = {"zone_id": zone_id}
    sql = f"SELECT {RATE.select_list()} FROM shipping_rates" + rows.sql(["zone_id = :zone_id"], params)
    return await reads.all(RATE, sql, params)


async def count_rates(reads: Reads, zone_id: int) -> int:
    return int(await reads.scalar("SELECT count(*) FROM shipping_rates WHERE zone_id = :zone_id", {"zone_id": zone_id}))


async def rates_for(reads: Reads, country: str) -> list[RateRow] | None:
    """The rates of the zone that holds the country, by id; None when no zone holds it."""
    found = await reads.rows(_RATES_FOR_COUNTRY, {"country": country})
    if not found:
        return None
    return [RATE.make(row) for row in found if row[0] is not None]
