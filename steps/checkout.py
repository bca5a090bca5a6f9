"""Steps about checkout: where orders ship, how they are taxed, and their quotes.

Zones, rates, tax rates and address book entries are set up as an admin or a
customer makes them, through the API. Their ids are remembered by name, so a
body can name them as `{Parcel}` (a rate) or `{Dave Other}` (an address, by
its recipient's name; `{address}` is the last one kept).

An address written as "Carol Example, Hauptstraße 1, 10115 Berlin, DE" is the
recipient, the street, the postal code and city, and the country.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when

from steps.accounts import add_user, stored_user, user_id
from steps.catalogue import product_id, sole_variant
from steps.categories import add_product_in, named_id
from steps.grammar import step
from steps.http import Exchange, FakeClock, send, start_shop
from steps.ordering import place, token_of
from steps.shop_client import InProcessShop

FIGURES = ("subtotal", "discount_total", "shipping_total", "tax_total", "total_price")
# What an order shows of its pricing, as its quote shows it.
PRICED = (
    *FIGURES,
    "items",
    "currency",
    "prices_include_tax",
    "discount_code",
    "shipping_address",
    "shipping_rate",
)


def address(written: str) -> dict[str, Any]:
    """ "Carol Example, Hauptstraße 1, 10115 Berlin, DE" as an address."""
    name, line1, place_, country = (part.strip() for part in written.split(","))
    postal_code, city = place_.split(" ", 1)
    return {"name": name, "line1": line1, "city": city, "postal_code": postal_code, "country": country}


def written(copy: dict[str, Any]) -> str:
    return f"{copy['name']}, {copy['line1']}, {copy['postal_code']} {copy['city']}, {copy['country']}"


def home_in(country: str) -> dict[str, Any]:
    """Carol's address, in the country."""
    return address(f"Carol Example, Hauptstraße 1, 10115 Berlin, {country}")


def as_admin(exchange: Exchange, shop: InProcessShop, method: str, path: str, body: Any) -> Any:
    exchange.token = token_of(exchange, shop, "root")
    response = send(
        exchange, shop, method, path, headers={"Content-Type": "application/json"}, body=json.dumps(body).encode()
    )
    assert response.status_code in (200, 201), response.text
    return response.json


def restarted(request: pytest.FixtureRequest, shop: InProcessShop, clock: FakeClock, **changes: Any) -> InProcessShop:
    """The shop again, on the same database with the same key (tokens stay good), its settings changed."""
    settings = shop.app.settings.model_copy(update=changes)
    return start_shop(request, settings, clock)


def money(text: str) -> str | None:
    return None if text == "never" else text


# -- The shop's settings ---------------------------------------------------------------


@given(parsers.re(r"the shop's prices (?P<how>include|exclude) tax"), target_fixture="shop")
def prices_with_tax(request: pytest.FixtureRequest, shop: InProcessShop, clock: FakeClock, how: str) -> InProcessShop:
    return restarted(request, shop, clock, PRICES_INCLUDE_TAX=how == "include")


@given(step('the shop\'s country is "{country:q}"'), target_fixture="shop")
def shop_country(request: pytest.FixtureRequest, shop: InProcessShop, clock: FakeClock, country: str) -> InProcessShop:
    return restarted(request, shop, clock, SHOP_COUNTRY=country)


# -- Zones, rates, tax rates, address books ---------------------------------------------


def add_rate(exchange: Exchange, shop: InProcessShop, zone: str, name: str, body: dict[str, Any]) -> None:
    made = as_admin(exchange, shop, "POST", f"/shipping-zones/{shop.remembered[zone]}/rates", {"name": name, **body})
    shop.remembered[name] = made["id"]
    shop.remembered[f"zone of {name}"] = shop.remembered[zone]


@given(
    step('the zone "{zone:q}" ships to "{countries:q}" at the rate "{name:q}" for "{price:q}", free from "{free:q}"')
)
def zone_with_rate(
    exchange: Exchange, shop: InProcessShop, zone: str, countries: str, name: str, price: str, free: str
) -> None:
    made = as_admin(exchange, shop, "POST", "/shipping-zones", {"name": zone, "countries": countries.split(", ")})
    shop.remembered[zone] = made["id"]
    add_rate(exchange, shop, zone, name, {"price": price, "free_over": money(free)})


@given(step('the zone "{zone:q}" also has the rate "{name:q}" for "{price:q}"'))
def another_rate(exchange: Exchange, shop: InProcessShop, zone: str, name: str, price: str) -> None:
    add_rate(exchange, shop, zone, name, {"price": price})


@given(step('the zone "{zone:q}" also has the rate "{name:q}" for "{price:q}", for subtotals from "{low:q}"'))
def banded_rate(exchange: Exchange, shop: InProcessShop, zone: str, name: str, price: str, low: str) -> None:
    add_rate(exchange, shop, zone, name, {"price": price, "min_subtotal": low})


@when(step('"{username:q}" changes the rate "{name:q}" to cost "{price:q}"'))
def reprices_rate(exchange: Exchange, shop: InProcessShop, username: str, name: str, price: str) -> None:
    assert username == "root"
    path = f"/shipping-zones/{shop.remembered[f'zone of {name}']}/rates/{shop.remembered[name]}"
    as_admin(exchange, shop, "PATCH", path, {"price": price})


@given(step('the product "{name:q}" is taxed as "{tax_class:q}"'))
def product_tax_class(exchange: Exchange, shop: InProcessShop, name: str, tax_class: str) -> None:
    as_admin(exchange, shop, "PATCH", f"/products/{product_id(shop, name)}", {"tax_class": tax_class})


@given(step('the product "{name:q}"\'s variant is taxed as "{tax_class:q}"'))
def variant_tax_class(exchange: Exchange, shop: InProcessShop, name: str, tax_class: str) -> None:
    path = f"/products/{product_id(shop, name)}/variants/{sole_variant(shop, name).id}"
    as_admin(exchange, shop, "PATCH", path, {"tax_class": tax_class})


def keep_address(exchange: Exchange, shop: InProcessShop, username: str, entry: str) -> None:
    exchange.token = token_of(exchange, shop, username)
    body = json.dumps(address(entry)).encode()
    response = send(
        exchange, shop, "POST", "/users/me/addresses", headers={"Content-Type": "application/json"}, body=body
    )
    assert response.status_code == 201, response.text
    shop.remembered[address(entry)["name"]] = shop.remembered["address"] = response.json["id"]


@given(parsers.re(r'"(?P<username>[^"]+)" keeps the address "(?P<entry>[^"]+)" in (?:her|his) address book'))
def keeps_address(exchange: Exchange, shop: InProcessShop, username: str, entry: str) -> None:
    keep_address(exchange, shop, username, entry)


@given(parsers.re(r'"(?P<username>[^"]+)" is another customer with the address "(?P<entry>[^"]+)" in (?:her|his) book'))
def another_customer(exchange: Exchange, shop: InProcessShop, username: str, entry: str) -> None:
    add_user(shop, shop.app, username, "correct horse battery", "customer")
    keep_address(exchange, shop, username, entry)


# -- Quotes and orders -----------------------------------------------------------------


def buyer_id(shop: InProcessShop, username: str) -> int:
    """The user's id; for a user there is not, an id no user has."""
    return user_id(shop, username) if stored_user(shop, username) else 987_654_321


SHIPPED = re.compile(
    r'(?P<lines>.+?)(?: for "(?P<buyer>[^"]+)")?(?: shipped to (?P<to>no address|"[^"]+"(?: and to "[^"]+")?)'
    r' by (?P<by>no rate|the rate \d+|"[^"]+"))?(?: with the code "(?P<code>[^"]+)")?'
)


def cart(shop: InProcessShop, lines: str) -> dict[str, Any]:
    """`1 "Pen", 1 "Clip" and 1 "Stamp"`, optionally `for "root"`, optionally shipped
    (below), optionally `with the code "SAVE"`. Shipped: `shipped to "DE" by "Parcel"`
    (Carol's address in that country, at that rate), to `"Dave Other"` (a book entry),
    to `no address`, `by no rate`, `by the rate 999999`."""
    found = SHIPPED.fullmatch(lines)
    assert found is not None, lines
    items = [
        {"product_id": product_id(shop, name), "quantity": int(quantity)}
        for quantity, name in re.findall(r'(\d+) "([^"]+)"', found["lines"])
    ]
    body: dict[str, Any] = {"items": items}
    if found["buyer"]:
        body["user_id"] = buyer_id(shop, found["buyer"])
    for where in re.findall(r'"([^"]+)"', found["to"] or ""):
        if re.fullmatch(r"[A-Za-z]{2}", where):
            body["shipping_address"] = home_in(where)
        else:
            body["shipping_address_id"] = shop.remembered[where]
    if found["code"]:
        body["discount_code"] = found["code"]
    by = found["by"] or "no rate"
    if by.startswith("the rate "):
        body["shipping_rate_id"] = int(by.removeprefix("the rate "))
    elif by != "no rate":
        body["shipping_rate_id"] = shop.remembered[by.strip('"')]
    return body


def quote(exchange: Exchange, shop: InProcessShop, username: str | None, body: dict[str, Any]) -> Any:
    exchange.token = token_of(exchange, shop, username) if username else None
    exchange.quoted = body
    payload = json.dumps(body).encode()
    response = send(exchange, shop, "POST", "/orders/quote", headers={"Content-Type": "application/json"}, body=payload)
    exchange.history.append(response)
    return response


@when(
    parsers.re(
        r'"(?P<username>[^"]+)" asks for a quote of (?P<lines>\d+ "[^"]+".*?)(?P<whom> for (?:herself|"[^"]+"))?$'
    )
)
def asks_for_quote(exchange: Exchange, shop: InProcessShop, username: str, lines: str, whom: str | None) -> None:
    body = cart(shop, lines)
    if whom and whom != " for herself":
        body["user_id"] = buyer_id(shop, whom.removeprefix(' for "').removesuffix('"'))
    quote(exchange, shop, username, body)


@when(step('a client with no token asks for a quote of 1 "{name:q}" for herself'))
def anonymous_quote(exchange: Exchange, shop: InProcessShop, name: str) -> None:
    quote(exchange, shop, None, cart(shop, f'1 "{name}"'))


@given(
    parsers.re(
        r'"(?P<username>[^"]+)" (?:orders|has ordered) (?P<lines>\d+ "[^"]+".*? (?:shipped to|with the code) .+)$'
    )
)
@when(
    parsers.re(
        r'"(?P<username>[^"]+)" (?:orders|has ordered) (?P<lines>\d+ "[^"]+".*? (?:shipped to|with the code) .+)$'
    )
)
def orders_shipped(exchange: Exchange, shop: InProcessShop, placed: list[int], username: str, lines: str) -> None:
    place(exchange, shop, placed, username, cart(shop, lines))


@then("an order of the same body has the same figures")
def order_agrees(exchange: Exchange, shop: InProcessShop, placed: list[int]) -> None:
    quoted = exchange.last
    assert quoted.status_code == 200, quoted.text
    username = next(name for name, token in exchange.tokens.items() if token == exchange.token)
    order = place(exchange, shop, placed, username, exchange.quoted)
    assert order.status_code == 201, order.text
    assert {key: order.json[key] for key in PRICED} == {key: quoted.json[key] for key in PRICED}


# -- What they show --------------------------------------------------------------------


@then(
    parsers.re(
        r'the (?:quote|order)\'s figures are a subtotal of "(?P<subtotal>[^"]+)", shipping of "(?P<shipping>[^"]+)", '
        r'tax of "(?P<tax>[^"]+)" and a total of "(?P<total>[^"]+)"'
    )
)
def figures(exchange: Exchange, subtotal: str, shipping: str, tax: str, total: str) -> None:
    shown = exchange.last.json
    got = {key: shown[key] for key in ("subtotal", "shipping_total", "tax_total", "total_price")}
    assert got == {"subtotal": subtotal, "shipping_total": shipping, "tax_total": tax, "total_price": total}, shown


@then(step('its line is taxed "{tax:q}"'))
def line_tax(exchange: Exchange, tax: str) -> None:
    [line] = exchange.last.json["items"]
    assert line["tax"] == tax, line


@then("the quote's lines are:")
def quote_lines(exchange: Exchange, datatable: list[list[str]]) -> None:
    header, *rows = datatable
    shown = [{key: str(line[key]) for key in header} for line in exchange.last.json["items"]]
    assert shown == [dict(zip(header, row, strict=True)) for row in rows], shown


@then("the quote ships nowhere")
def ships_nowhere(exchange: Exchange) -> None:
    shown = exchange.last.json
    assert (shown["shipping_address"], shown["shipping_rate"], shown["shipping_rates"]) == (None, None, []), shown


@then(step('the order ships to "{entry:q}" by "{rate:q}" at "{price:q}"'))
def ships_to(exchange: Exchange, shop: InProcessShop, entry: str, rate: str, price: str) -> None:
    shown = exchange.last.json
    assert written(shown["shipping_address"]) == entry, shown["shipping_address"]
    assert shown["shipping_rate"] == {"id": shop.remembered[rate], "name": rate, "price": price}, shown


@then(parsers.re(r"the quote offers the rates (?P<offered>.+)"))
def offers(exchange: Exchange, offered: str) -> None:
    shown = [(rate["name"], rate["price"]) for rate in exchange.last.json["shipping_rates"]]
    assert shown == re.findall(r'"([^"]+)" at "([^"]+)"', offered), shown


# -- Discount codes at checkout ----------------------------------------------------------


@given(step('the discount code "{code:q}" with {terms}'))
def discount_code(exchange: Exchange, shop: InProcessShop, code: str, terms: str) -> None:
    raw = re.sub(r"\{([\w ]+)\}", lambda m: str(named_id(shop, m.group(1))), terms)  # a category, or a product
    made = as_admin(exchange, shop, "POST", "/discounts", {"code": code, **json.loads(raw)})
    shop.remembered[f"discount {code}"] = shop.remembered[code] = made["id"]


@when(step('"{username:q}" changes the discount code "{code:q}" to {changes}'))
def changes_discount(exchange: Exchange, shop: InProcessShop, username: str, code: str, changes: str) -> None:
    assert username == "root"
    as_admin(exchange, shop, "PATCH", f"/discounts/{shop.remembered[f'discount {code}']}", json.loads(changes))


@given(step('the product "{name:q}" priced "{price:q}" in the category "{category:q}"'))
def product_in_category(shop: InProcessShop, name: str, price: str, category: str) -> None:
    add_product_in(shop, name, price, [category])


@given(step('"{username:q}" is a customer too'))
def customer_too(shop: InProcessShop, username: str) -> None:
    add_user(shop, shop.app, username, "correct horse battery", "customer")


@then(parsers.re(r'the discount code "(?P<code>[^"]+)" has been used (?P<times>\d+) times?'))
def used(exchange: Exchange, shop: InProcessShop, code: str, times: str) -> None:
    exchange.token = token_of(exchange, shop, "root")
    found = send(exchange, shop, "GET", f"/discounts/{shop.remembered[f'discount {code}']}")
    assert found.status_code == 200 and found.json["times_used"] == int(times), found.json


@then(
    parsers.re(r"the (?:quote|order)'s line discounts are (?P<discounts>.+), and its discount is \"(?P<total>[^\"]+)\"")
)
def line_discounts(exchange: Exchange, discounts: str, total: str) -> None:
    shown = exchange.last.json
    assert [line["discount"] for line in shown["items"]] == re.findall(r'"([^"]+)"', discounts), shown["items"]
    assert shown["discount_total"] == total, shown
