"""What a client may send about shipping zones and their rates, and what it sees."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypedDict

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, with_config

from shop.kernel import codec
from shop.kernel.codec import Timestamp
from shop.kernel.countries import Country
from shop.kernel.fields import NOT_NULL, Changes, one_line
from shop.kernel.ids import Id
from shop.kernel.money import Amount, Money, format_cents
from shop.kernel.names import name_key, not_blank

if TYPE_CHECKING:
    from shop.shipping.store import RateRow, Zone

MAX_NAME = 100
MAX_COUNTRIES = 250  # more than the assigned codes: a zone may hold the whole world


def _key_fits(value: str) -> str:
    # The key column holds MAX_NAME characters; case folding can make a name longer ("ß" -> "ss").
    if len(name_key(value)) > MAX_NAME:
        raise ValueError(f"must stay within {MAX_NAME} characters once case-folded and normalized (NFKC)")
    return value


def _each_once(countries: list[str]) -> list[str]:
    seen: set[str] = set()
    for country in countries:
        if country in seen:
            raise ValueError(f'names "{country}" more than once')
        seen.add(country)
    return countries


Name = Annotated[
    str,
    Field(min_length=1, max_length=MAX_NAME, examples=["Europe"]),
    AfterValidator(not_blank),
    AfterValidator(one_line),
]
ZoneName = Annotated[Name, AfterValidator(_key_fits), Field(description="Unique ignoring case.")]
Countries = Annotated[
    list[Country],
    Field(
        min_length=1,
        max_length=MAX_COUNTRIES,
        examples=[["DE", "FR", "AT"]],
        description="Each once, kept in this order. A country is in one zone at most.",
    ),
    AfterValidator(_each_once),
]
RateName = Annotated[Name, Field(examples=["Standard"])]


class ShippingZoneCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: ZoneName
    countries: Countries


class ShippingZoneUpdate(Changes):
    name: Annotated[ZoneName | None, NOT_NULL] = None
    countries: Annotated[Countries | None, NOT_NULL] = Field(None, description="Replaces the zone's countries.")


_MIN = "Only for subtotals (after discounts) of at least this; none when null."
_MAX = "Only for subtotals (after discounts) of at most this; none when null. Not below `min_subtotal`."
_FREE = "Free for subtotals (after discounts) of at least this; never when null."


class ShippingRateCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: RateName
    price: Money
    min_subtotal: Money | None = Field(None, description=_MIN)
    max_subtotal: Money | None = Field(None, description=_MAX)
    free_over: Money | None = Field(None, description=_FREE)


class ShippingRateUpdate(Changes):
    name: Annotated[RateName | None, NOT_NULL] = None
    price: Annotated[Money | None, NOT_NULL] = None
    # null removes the limit: absent keeps it.
    min_subtotal: Money | None = Field(None, description=_MIN)
    max_subtotal: Money | None = Field(None, description=_MAX)
    free_over: Money | None = Field(None, description=_FREE)


@with_config(ConfigDict(extra="forbid"))
class ShippingRate(TypedDict):
    id: Id
    zone_id: Id
    name: str
    price: Amount
    min_subtotal: Amount | None
    max_subtotal: Amount | None
    free_over: Amount | None
    created_at: Timestamp
    updated_at: Timestamp


@with_config(ConfigDict(extra="forbid"))
class ShippingZone(TypedDict):
    id: Id
    name: str
    countries: list[Country]  # in the order the admin gave them
    rates: list[ShippingRate]  # by id
    created_at: Timestamp
    updated_at: Timestamp


def _money(cents: int | None) -> str | None:
    return None if cents is None else format_cents(cents)


def public_rate(rate: RateRow) -> ShippingRate:
    return {
        "id": rate.id,
        "zone_id": rate.zone_id,
        "name": rate.name,
        "price": format_cents(rate.price_cents),
        "min_subtotal": _money(rate.min_subtotal_cents),
        "max_subtotal": _money(rate.max_subtotal_cents),
        "free_over": _money(rate.free_over_cents),
        "created_at": codec.timestamp(rate.created_at),
        "updated_at": codec.timestamp(rate.updated_at),
    }


def public(zone: Zone) -> ShippingZone:
    return {
        "id": zone.row.id,
        "name": zone.row.name,
        "countries": list(zone.countries),
        "rates": [public_rate(rate) for rate in zone.rates],
        "created_at": codec.timestamp(zone.row.created_at),
        "updated_at": codec.timestamp(zone.row.updated_at),
    }
