"""Steps about shipping zones, their rates, and tax rates.

Zones, rates and tax rates are set up as the services make them. Each is
remembered by its name (a tax rate as "DE standard"), so that `{Europe}` in a
path or a body (steps.categories.with_ids) stands for its id.
"""

from __future__ import annotations

import re
from typing import Any

from falcon.testing import Result
from pytest_bdd import given, parsers, then, when
from sqlalchemy import text

from shop.shipping import service as shipping
from shop.shipping.schemas import ShippingRateCreate, ShippingZoneCreate
from shop.taxes import service as taxes
from shop.taxes.schemas import TaxRateCreate
from steps.accounts import login, names
from steps.categories import with_ids
from steps.grammar import step
from steps.http import Exchange, send
from steps.shop_client import InProcessShop

ZONE_KEYS = {"id", "name", "countries", "rates", "created_at", "updated_at"}
RATE_KEYS = {"id", "zone_id", "name", "price", "min_subtotal", "max_subtotal", "free_over", "created_at", "updated_at"}
TAX_RATE_KEYS = {"id", "country", "tax_class", "rate", "created_at", "updated_at"}
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _rows(datatable: list[list[str]]) -> list[dict[str, str]]:
    header, *rows = datatable
    return [dict(zip(header, row, strict=True)) for row in rows]


def _listed(text: str) -> list[str]:
    """`DE, FR` -> ["DE", "FR"]; blank -> []."""
    return [each.strip() for each in text.split(",") if each.strip()]


def _stamped(body: dict[str, Any]) -> None:
    for stamp in ("created_at", "updated_at"):
        assert STAMP.fullmatch(body[stamp]), body


# -- Given --------------------------------------------------------------------


@given("the shipping zones:")
def shipping_zones(shop: InProcessShop, datatable: list[list[str]]) -> None:
    """Columns: name, countries (separated by commas)."""
    for row in _rows(datatable):
        new = ShippingZoneCreate.model_validate({"name": row["name"], "countries": _listed(row["countries"])})
        zone = shop.run(shipping.create_zone(shop.app.database, new, shop.app.clock()))
        shop.remembered[row["name"]] = zone.id


@given("the shipping rates:")
def shipping_rates(shop: InProcessShop, datatable: list[list[str]]) -> None:
    """Columns: zone (its name), name, price, min_subtotal, max_subtotal, free_over (blank: none)."""
    for row in _rows(datatable):
        body = {field: value for field, value in row.items() if field != "zone" and value}
        rate = shop.run(
            shipping.create_rate(
                shop.app.database,
                shop.remembered[row["zone"]],
                ShippingRateCreate.model_validate(body),
                shop.app.clock(),
            )
        )
        shop.remembered[row["name"]] = rate.id


@given("the tax rates:")
def tax_rates(shop: InProcessShop, datatable: list[list[str]]) -> None:
    """Columns: country, tax_class, rate; each remembered as "<country> <tax_class>"."""
    for row in _rows(datatable):
        new = TaxRateCreate.model_validate(row)
        made = shop.run(taxes.create_tax_rate(shop.app.database, new, shop.app.clock()))
        shop.remembered[f"{row['country']} {row['tax_class']}"] = made.id


# -- When ---------------------------------------------------------------------


def _as(exchange: Exchange, username: str) -> None:
    exchange.token = exchange.tokens[username]


@when(step('"{username:q}" makes a zone for "{country:q}" named with {count:d} "{char:q}" characters'))
def makes_long_named_zone(
    exchange: Exchange, shop: InProcessShop, username: str, country: str, count: int, char: str
) -> None:
    _as(exchange, username)
    send(exchange, shop, "POST", "/shipping-zones", json={"name": char * count, "countries": [country]})


@when(
    step('two admins make the zones "{first:q}" and "{second:q}" with the country "{country:q}" at once'),
    target_fixture="answers",
)
def zones_at_once(shop: InProcessShop, first: str, second: str, country: str) -> list[Result]:
    token = login(shop, "root", "correct horse battery").json["access_token"]
    requests = [
        {
            "method": "POST",
            "path": "/shipping-zones",
            "json": {"name": name, "countries": [country]},
            "headers": {"Authorization": f"Bearer {token}"},
        }
        for name in (first, second)
    ]
    return shop.at_once(requests)


@when(step('"{username:q}" sets a rate for "{country:q}" in a tax class of {count:d} "{char:q}" characters'))
def sets_long_class(
    exchange: Exchange, shop: InProcessShop, username: str, country: str, count: int, char: str
) -> None:
    _as(exchange, username)
    send(exchange, shop, "POST", "/tax-rates", json={"country": country, "tax_class": char * count, "rate": "5"})


# -- Then ---------------------------------------------------------------------


@then(
    parsers.re(
        r'the response is the shipping zone "(?P<name>[^"]+)" with the countries (?P<countries>.+?)'
        r" and (?:no rates|the rates (?P<rates>.+))$"
    )
)
def response_is_zone(exchange: Exchange, shop: InProcessShop, name: str, countries: str, rates: str | None) -> None:
    body = exchange.last.json
    assert exchange.last.status_code in (200, 201), exchange.last.text
    assert set(body) == ZONE_KEYS, body
    assert (body["name"], body["countries"]) == (name, names(countries)), body
    assert [rate["name"] for rate in body["rates"]] == (names(rates) if rates else []), body
    assert all(set(rate) == RATE_KEYS and rate["zone_id"] == body["id"] for rate in body["rates"]), body
    assert [rate["id"] for rate in body["rates"]] == sorted(rate["id"] for rate in body["rates"]), body
    _stamped(body)
    shop.remembered[name] = body["id"]


@then(step('the response is the rate "{name:q}" of the zone "{zone:q}"'))
def response_is_rate(exchange: Exchange, shop: InProcessShop, name: str, zone: str) -> None:
    body = exchange.last.json
    assert exchange.last.status_code in (200, 201), exchange.last.text
    assert set(body) == RATE_KEYS, body
    assert (body["name"], body["zone_id"]) == (name, shop.remembered[zone]), body
    _stamped(body)
    shop.remembered[name] = body["id"]


@then(step('the response is the tax rate of "{country:q}" for "{tax_class:q}" at "{rate:q}"'))
def response_is_tax_rate(exchange: Exchange, country: str, tax_class: str, rate: str) -> None:
    body = exchange.last.json
    assert exchange.last.status_code in (200, 201), exchange.last.text
    assert set(body) == TAX_RATE_KEYS, body
    assert (body["country"], body["tax_class"], body["rate"]) == (country, tax_class, rate), body
    _stamped(body)


@then(step('the response header "Location" is the address of the new item under "{path:q}"'))
def location_of_new_item(exchange: Exchange, shop: InProcessShop, path: str) -> None:
    location = exchange.last.headers["Location"]
    assert location.endswith(f"{with_ids(shop, path)}/{exchange.last.json['id']}"), location


@then(parsers.re(r"the listed names are (?P<listed>.+)"))
def listed_names(exchange: Exchange, listed: str) -> None:
    assert exchange.last.status_code == 200, exchange.last.text
    assert [item["name"] for item in exchange.last.json["items"]] == names(listed), exchange.last.json


@then(parsers.re(r"the names seen are (?P<listed>.+)"))
def names_seen(seen: list[dict[str, Any]], listed: str) -> None:
    assert [item["name"] for item in seen] == names(listed), seen


@then("the listed items have the rates:")
def listed_rates(exchange: Exchange, datatable: list[list[str]]) -> None:
    """Columns: name (of a zone), rates (their names, separated by commas)."""
    shown = {item["name"]: [rate["name"] for rate in item["rates"]] for item in exchange.last.json["items"]}
    assert shown == {row["name"]: _listed(row["rates"]) for row in _rows(datatable)}


@then("the listed tax rates are:")
def listed_tax_rates(exchange: Exchange, datatable: list[list[str]]) -> None:
    assert exchange.last.status_code == 200, exchange.last.text
    shown = [{key: item[key] for key in ("country", "tax_class", "rate")} for item in exchange.last.json["items"]]
    assert shown == _rows(datatable), shown


@then(step('there is no shipping zone "{name:q}"'))
def no_zone(shop: InProcessShop, name: str) -> None:
    query = text("SELECT count(*) FROM shipping_zones WHERE name = :name")
    assert shop.in_database(lambda connection: connection.execute(query, {"name": name}).scalar_one()) == 0


@then(parsers.re(r'the country "(?P<country>[A-Z]{2})" is in (?P<count>no|one) zone$'))
def country_in_zones(shop: InProcessShop, country: str, count: str) -> None:
    query = text("SELECT count(*) FROM shipping_zone_countries WHERE country = :country")
    found = shop.in_database(lambda connection: connection.execute(query, {"country": country}).scalar_one())
    assert found == (0 if count == "no" else 1)


@then(step('one of them is 201 and the other a 409 problem that says "{says:q}"'))
def one_wins(answers: list[Result], says: str) -> None:
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201, 409], [answer.text for answer in answers]
    (lost,) = [answer for answer in answers if answer.status_code == 409]
    assert says in lost.json["detail"], lost.json
