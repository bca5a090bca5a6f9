"""A quote and its order agree, through the HTTP layer, for any cart: random lines
of variants in three tax classes, shipped nowhere, to an address written out or
one from the customer's book, at a rate with or without a band or a free-over
amount, in a shop whose prices include tax or exclude it.

And the figures are the pure function's: recomputed here from the lines the
order shows and the rate and tax rates the test set up, by shop.orders.pricing.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Databases
from shop.kernel.money import format_cents, parse_cents
from shop.kernel.percent import parse_hundredths
from shop.kernel.settings import load_settings
from shop.orders.pricing import Line, Rate, Setting, price
from shop.users.service import create_user
from steps.http import CHEAP_HASHER, FakeClock, in_process_app
from steps.shop_client import InProcessShop

PASSWORD = "correct horse battery"
CLASSES = ("standard", "reduced", "zero")
TAX = {"DE": {"standard": "19.00", "reduced": "7.70"}, "FR": {"standard": "20.00", "zero": "0.00"}}
# name: (country of its zone, price, min_subtotal, max_subtotal, free_over)
RATES = {
    "Parcel": ("DE", "4.90", None, None, "50.00"),
    "Express": ("DE", "12.35", None, "300.00", None),
    "Bulky": ("DE", "39.99", "100.00", None, None),
    "Colis": ("FR", "6.05", None, None, None),
}
PRICES = ("0.01", "0.33", "0.50", "1.99", "4.99", "12.45", "99.95", "1234.56")


@cache
def password_hash() -> str:
    return CHEAP_HASHER.hash(PASSWORD)


class Shop:
    """A shop set up with products, zones, rates and tax rates, and a customer with an address book."""

    def __init__(self, databases: Databases, *, include_tax: bool) -> None:
        self.url = databases.migrated()
        settings_ = load_settings(
            _env_file=None,
            SECRET_KEY=secrets.token_urlsafe(48),
            DATABASE_URL=str(self.url),
            PRICES_INCLUDE_TAX=include_tax,
            SHOP_COUNTRY="DE",
        )
        self.include_tax = include_tax
        self.http = InProcessShop(in_process_app(settings_, FakeClock()))
        self.tokens: dict[str, str] = {}
        for name, role in (("root", "admin"), ("ada", "customer")):
            app = self.http.app
            self.http.run(
                create_user(
                    app.database,
                    username=name,
                    email=f"{name}@shop.example",
                    password_hash=password_hash(),
                    role=role,
                    now=app.clock(),
                )
            )
            login = {"username": name, "password": PASSWORD}
            self.tokens[name] = self.http.request("POST", "/login", json=login).json["access_token"]
        self.variants: list[tuple[int, str]] = []  # (variant id, its tax class)
        for index, unit in enumerate(PRICES):
            tax_class = CLASSES[index % len(CLASSES)]
            body = {"name": f"Thing {index}", "price": unit, "stock": 1_000_000_000, "tax_class": tax_class}
            made = self.call("root", "POST", "/products", body)
            self.variants.append((made["variants"][0]["id"], tax_class))
        for country, rates in TAX.items():
            for tax_class, rate in rates.items():
                self.call("root", "POST", "/tax-rates", {"country": country, "tax_class": tax_class, "rate": rate})
        zones = {
            country: self.call("root", "POST", "/shipping-zones", {"name": country, "countries": [country]})["id"]
            for country in TAX
        }
        self.rates: dict[str, tuple[int, Rate, str]] = {}
        for name, (country, rate_price, low, high, free) in RATES.items():
            body = {"name": name, "price": rate_price, "min_subtotal": low, "max_subtotal": high, "free_over": free}
            made = self.call("root", "POST", f"/shipping-zones/{zones[country]}/rates", body)
            money = [None if value is None else parse_cents(value) for value in (low, high, free)]
            self.rates[name] = (made["id"], Rate(parse_cents(rate_price), *money), country)
        book = {"name": "Ada", "line1": "Rue 1", "city": "Paris", "postal_code": "75001", "country": "FR"}
        self.book_entry = self.call("ada", "POST", "/users/me/addresses", book)["id"]

    def call(self, who: str, method: str, path: str, body: Any = None, *, expect: int | None = None) -> Any:
        response = self.http.request(method, path, json=body, token=self.tokens[who])
        assert response.status_code == (expect or (201 if method == "POST" else 200)), response.text
        return response.json

    def close(self, databases: Databases) -> None:
        self.http.close()
        databases.release(self.url)


@pytest.fixture(scope="module")
def shops(databases: Databases) -> Iterator[dict[bool, Shop]]:
    made = {include: Shop(databases, include_tax=include) for include in (False, True)}
    yield made
    for shop in made.values():
        shop.close(databases)


carts = st.fixed_dictionaries(
    {
        "picks": st.lists(
            st.tuples(st.integers(0, len(PRICES) - 1), st.integers(1, 10_000)),
            min_size=1,
            max_size=8,
            unique_by=lambda pick: pick[0],
        ),
        "where": st.sampled_from(["nowhere", "DE", "FR", "book"]),
        "rate": st.sampled_from(sorted(RATES)),
        "include_tax": st.booleans(),
    }
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cart=carts)
def test_a_quote_and_its_order_agree_and_are_the_pricing_rules(shops: dict[bool, Shop], cart: dict[str, Any]) -> None:
    shop = shops[cart["include_tax"]]
    items = [{"variant_id": shop.variants[index][0], "quantity": quantity} for index, quantity in cart["picks"]]
    body: dict[str, Any] = {"items": items}
    rate_id, rate, rate_country = shop.rates[cart["rate"]]
    country = {"nowhere": None, "book": "FR"}.get(cart["where"], cart["where"])
    if cart["where"] == "book":
        body["shipping_address_id"] = shop.book_entry
    elif country is not None:
        body["shipping_address"] = {"name": "Ada", "line1": "L 1", "city": "C", "postal_code": "1", "country": country}
    if country is not None:
        body["shipping_rate_id"] = rate_id

    quote = shop.http.request("POST", "/orders/quote", json=body, token=shop.tokens["ada"])
    order = shop.http.request("POST", "/orders", json=body, token=shop.tokens["ada"])
    lines = [Line(parse_cents(PRICES[index]), quantity, shop.variants[index][1]) for index, quantity in cart["picks"]]
    subtotal = sum(line.unit_cents * line.quantity for line in lines)
    serves = rate.min_subtotal_cents is None or subtotal >= rate.min_subtotal_cents
    serves = serves and (rate.max_subtotal_cents is None or subtotal <= rate.max_subtotal_cents)
    if country is not None and (rate_country != country or not serves):
        # Refused alike, at the rate.
        assert quote.status_code == order.status_code == 422, (quote.text, order.text)
        assert quote.json["errors"] == order.json["errors"]
        assert quote.json["errors"][0]["loc"] == ["body", "shipping_rate_id"]
        return
    assert quote.status_code == 200, quote.text
    assert order.status_code == 201, order.text
    shown: tuple[str, ...] = (
        "items",
        "subtotal",
        "discount_total",
        "shipping_total",
        "tax_total",
        "total_price",
        "currency",
    )
    shown += ("prices_include_tax", "discount_code", "shipping_address", "shipping_rate")
    assert {key: quote.json[key] for key in shown} == {key: order.json[key] for key in shown}

    rates = {tax_class: parse_hundredths(rate) for tax_class, rate in TAX[country or "DE"].items()}
    expected = price(lines, rate if country else None, Setting(rates, shop.include_tax))
    assert order.json["subtotal"] == format_cents(expected.subtotal)
    assert order.json["shipping_total"] == format_cents(expected.shipping)
    assert order.json["tax_total"] == format_cents(expected.tax)
    assert order.json["total_price"] == format_cents(expected.total)
    assert [item["tax"] for item in order.json["items"]] == [format_cents(line.tax) for line in expected.lines]
    assert [item["line_total"] for item in order.json["items"]] == [format_cents(line.total) for line in expected.lines]
    due = shop.call("ada", "GET", f"/orders/{order.json['id']}/payments")["due"]
    assert due == order.json["total_price"]  # what is due is the total, shipping and tax included
