"""Where an order goes and how it is taxed, settled before it is priced: the
address (given, or from the caller's book), the shipping rate chosen for it,
and the tax rates of its country. Read before the order's transaction (they are
the shop's settings, not its stock), by a quote and an order alike, so both
price the same cart the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from shop.addresses import service as addresses
from shop.addresses.schemas import copy_of
from shop.discounts import service as discounts
from shop.kernel import codec
from shop.kernel.callers import Caller
from shop.kernel.errors import Invalid
from shop.kernel.money import format_cents
from shop.orders.pricing import Discount, Line, OutsideBand, Priced, Rate, Setting, price, serves
from shop.orders.schemas import ChosenRate, OrderCreate
from shop.shipping import service as shipping
from shop.storage.database import Database
from shop.taxes import service as taxes

RATE_ID: list[str | int] = ["body", "shipping_rate_id"]


class Selling(NamedTuple):
    """How the shop sells (its settings): in one currency, with prices that include
    tax or not, taxing orders shipped nowhere as in its own country (None: not)."""

    currency: str
    prices_include_tax: bool
    country: str | None


class Terms(NamedTuple):
    """What an order's price depends on besides its lines."""

    address: dict[str, Any] | None  # the copy an order keeps; None: nothing ships
    rates: Sequence[shipping.RateRow]  # those of the address's zone (none without an address)
    rate: shipping.RateRow | None  # the one chosen
    setting: Setting
    offer: discounts.Offer | None = None  # the discount code given, valid now

    def rate_json(self) -> str | None:
        """The rate as the order keeps it: {"id", "name", "price"} as chosen."""
        return codec.dumps(shown_rate(self.rate)).decode() if self.rate is not None else None


def shown_rate(rate: shipping.RateRow) -> ChosenRate:
    return {"id": rate.id, "name": rate.name, "price": format_cents(rate.price_cents)}


async def settle(database: Database, caller: Caller, new: OrderCreate, selling: Selling, now: datetime) -> Terms:
    """The terms of `new`, or the refusal of the field that makes them impossible:
    an address not in the caller's book, a country the shop does not ship to, a
    missing rate or one that does not serve the country, a rate without an address
    (422); a discount code that is unknown (422), or not valid now (409)."""
    offer = await discounts.offer(database, new.discount_code, now) if new.discount_code is not None else None
    address, where = await _address(database, caller, new)
    include = selling.prices_include_tax
    if address is None:
        if new.shipping_rate_id is not None:
            raise Invalid.at(RATE_ID, "Nothing ships without a shipping address: give one, or leave the rate out.")
        return Terms(None, (), None, await _setting(database, selling.country, include), offer)
    country = address["country"]
    rates = await shipping.zone_rates(database, country)
    if rates is None:
        raise Invalid.at(where, f"The shop does not ship to {country}.")
    if new.shipping_rate_id is None:
        offered = ", ".join(f"{rate.id} ({rate.name})" for rate in rates) or "none"
        raise Invalid.at(RATE_ID, f"Choose a shipping rate for {country}: {offered}.")
    chosen = next((rate for rate in rates if rate.id == new.shipping_rate_id), None)
    if chosen is None:
        raise Invalid.at(RATE_ID, f"No such shipping rate ships to {country}.")
    return Terms(address, rates, chosen, await _setting(database, country, include), offer)


async def _address(
    database: Database, caller: Caller, new: OrderCreate
) -> tuple[dict[str, Any] | None, list[str | int]]:
    """The address as the order keeps it, and where the country came from (for a 422)."""
    if new.shipping_address is not None:
        return copy_of(new.shipping_address), ["body", "shipping_address", "country"]
    if new.shipping_address_id is not None:
        where: list[str | int] = ["body", "shipping_address_id"]
        entry = await addresses.entry(database, caller.id, new.shipping_address_id)
        if entry is None:
            raise Invalid.at(where, "No such address in your address book.")
        return copy_of(entry), where
    return None, []


async def _setting(database: Database, country: str | None, include_tax: bool) -> Setting:
    return Setting(await taxes.rates_in(database, country) if country else {}, include_tax)


def rate_of(row: shipping.RateRow) -> Rate:
    return Rate(row.price_cents, row.min_subtotal_cents, row.max_subtotal_cents, row.free_over_cents)


def priced(lines: Sequence[Line], terms: Terms) -> Priced:
    """The lines priced on the terms: 409 when the discount's minimum is not met by
    its eligible lines; 422 at the rate when its band does not take the order."""
    discount = None
    if terms.offer is not None:
        eligible = sum(line.unit_cents * line.quantity for line in lines if line.eligible)
        discounts.check_minimum(terms.offer, eligible)
        discount = Discount(terms.offer.discount.kind, terms.offer.discount.value)
    try:
        return price(lines, rate_of(terms.rate) if terms.rate else None, terms.setting, discount)
    except OutsideBand:
        assert terms.rate is not None
        raise Invalid.at(RATE_ID, _band(terms.rate)) from None


def _band(rate: shipping.RateRow) -> str:
    low, high = rate.min_subtotal_cents, rate.max_subtotal_cents
    if high is None:
        return f"This shipping rate serves orders of {format_cents(low or 0)} or more (after discounts)."
    return f"This shipping rate serves orders from {format_cents(low or 0)} to {format_cents(high)} (after discounts)."


def serving(rates: Sequence[shipping.RateRow], subtotal_after_discount: int) -> list[shipping.RateRow]:
    """The rates whose band takes an order of this subtotal (after discounts)."""
    return [rate for rate in rates if serves(rate_of(rate), subtotal_after_discount)]
