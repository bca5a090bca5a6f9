"""The taxes' SQL: the one place that reads or writes `tax_rates`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from shop.kernel.errors import Conflict
from shop.storage.keyset import Window
from shop.storage.models import TaxRate
from shop.storage.reads import Reads, row_type, where


class TaxRateRow(NamedTuple):
    id: int
    country: str
    tax_class: str
    rate_bp: int  # hundredths of a percent: 7.70% is 770
    created_at: datetime
    updated_at: datetime


TAX_RATE = row_type(TaxRateRow)
_COLUMNS = [TaxRate.__table__.c[name] for name in TAX_RATE.columns]


def taken_message(country: str, tax_class: str) -> str:
    return f"{country} has a rate for the tax class {tax_class!r} already: change that one."


# -- Writes, on the unit of work's connection ---------------------------------


def locked(connection: Connection, tax_rate_id: int) -> TaxRateRow | None:
    row = connection.execute(select(*_COLUMNS).where(TaxRate.id == tax_rate_id).with_for_update()).first()
    return TAX_RATE.make(row) if row is not None else None


def taken(connection: Connection, country: str, tax_class: str) -> bool:
    found = select(TaxRate.id).where(TaxRate.country == country, TaxRate.tax_class == tax_class)
    return connection.execute(found).first() is not None


def add(connection: Connection, values: Mapping[str, Any], now: datetime) -> TaxRateRow:
    statement = insert(TaxRate).values(**values, created_at=now, updated_at=now).returning(*_COLUMNS)
    try:
        with connection.begin_nested():
            return TAX_RATE.make(connection.execute(statement).one())
    except IntegrityError:  # one rate per (country, tax_class): checked before, so only in a race
        raise Conflict(taken_message(values["country"], values["tax_class"])) from None


def change(connection: Connection, tax_rate_id: int, values: Mapping[str, Any], now: datetime) -> TaxRateRow:
    statement = update(TaxRate).where(TaxRate.id == tax_rate_id).values(**values, updated_at=now).returning(*_COLUMNS)
    try:
        with connection.begin_nested():
            return TAX_RATE.make(connection.execute(statement).one())
    except IntegrityError:
        raise Conflict("Another rate has this country and tax class.") from None


def remove(connection: Connection, tax_rate_id: int) -> None:
    connection.execute(delete(TaxRate).where(TaxRate.id == tax_rate_id))


# -- Fast reads (shop.storage.reads) ---------------------------------------------------

_BY_ID = f"SELECT {TAX_RATE.select_list()} FROM tax_rates WHERE id = :id"
_OF_COUNTRY = "SELECT tax_class, rate_bp FROM tax_rates WHERE country = :country"


async def by_id(reads: Reads, tax_rate_id: int) -> TaxRateRow | None:
    return await reads.one(TAX_RATE, _BY_ID, {"id": tax_rate_id})


def _conditions(country: str | None, params: dict[str, Any]) -> list[str]:
    if country is None:
        return []
    params["country"] = country
    return ["country = :country"]


async def window(reads: Reads, country: str | None, rows: Window) -> list[TaxRateRow]:
    """A page of the tax rates (with `country`: only that country's)."""
    params: dict[str, Any] = {}
    sql = f"SELECT {TAX_RATE.select_list()} FROM tax_rates" + rows.sql(_conditions(country, params), params)
    return await reads.all(TAX_RATE, sql, params)


async def count(reads: Reads, country: str | None) -> int:
    params: dict[str, Any] = {}
    return int(await reads.scalar("SELECT count(*) FROM tax_rates" + where(_conditions(country, params)), params))


async def of_country(reads: Reads, country: str) -> dict[str, int]:
    """The country's rates in hundredths of a percent, by tax class."""
    return {str(tax_class): int(rate) for tax_class, rate in await reads.rows(_OF_COUNTRY, {"country": country})}
