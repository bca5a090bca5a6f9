"""Steps about discount codes (the admins' side).

Discounts are set up as the service makes them, each remembered by its code,
so that `{SUMMER25}` in a path or a body (steps.categories.with_ids) stands for
its id. An order's use of a code is written as placing an order with it would
leave it: the order names the discount, which counts one more use.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pytest_bdd import given, parsers, then, when

from shop.discounts import service as discounts
from shop.discounts.schemas import DiscountCreate
from steps.accounts import names
from steps.categories import with_ids
from steps.grammar import step
from steps.http import Exchange, send
from steps.shop_client import InProcessShop

KEYS = {
    "id",
    "code",
    "kind",
    "value",
    "starts_at",
    "ends_at",
    "usage_limit",
    "per_customer_limit",
    "min_subtotal",
    "product_ids",
    "category_ids",
    "active",
    "times_used",
    "created_at",
    "updated_at",
}
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _cell(shop: InProcessShop, text: str) -> Any:
    """A table's cell: JSON when it is JSON (`25`, `true`, `[{Mug}]`), else the text itself."""
    text = with_ids(shop, text)
    try:
        return json.loads(text)
    except ValueError:
        return text


def _as(exchange: Exchange, username: str) -> None:
    exchange.token = exchange.tokens[username]


# -- Given --------------------------------------------------------------------


@given("the discounts:")
def the_discounts(shop: InProcessShop, datatable: list[list[str]]) -> None:
    """Columns: code, kind and any other field of a discount; a blank cell leaves the field out."""
    header, *rows = datatable
    for row in rows:
        body = {field: _cell(shop, value) for field, value in zip(header, row, strict=True) if value}
        body["code"] = row[header.index("code")]
        made = shop.run(
            discounts.create_discount(shop.app.database, DiscountCreate.model_validate(body), shop.app.clock())
        )
        shop.remembered[made.code] = made.id


# -- When ---------------------------------------------------------------------


@when(step('"{username:q}" adds a free-shipping discount with a code of {count:d} "{char:q}" characters'))
def adds_long_code(exchange: Exchange, shop: InProcessShop, username: str, count: int, char: str) -> None:
    _as(exchange, username)
    send(exchange, shop, "POST", "/discounts", json={"code": char * count, "kind": "free_shipping"})


@when(step('"{username:q}" adds a discount for {count:d} products'))
def adds_many_products(exchange: Exchange, shop: InProcessShop, username: str, count: int) -> None:
    _as(exchange, username)
    body = {"code": "MANY", "kind": "fixed", "value": "1", "product_ids": list(range(1, count + 1))}
    send(exchange, shop, "POST", "/discounts", json=body)


# -- Then ---------------------------------------------------------------------


@then("the response is the discount:")
def response_is_discount(exchange: Exchange, shop: InProcessShop, datatable: list[list[str]]) -> None:
    """Rows: a field, and its value as JSON (`{Mug}` for the product's id)."""
    body = exchange.last.json
    assert exchange.last.status_code in (200, 201), exchange.last.text
    assert set(body) == KEYS, body
    assert all(STAMP.fullmatch(body[stamp]) for stamp in ("created_at", "updated_at")), body
    expected = {field: json.loads(with_ids(shop, value)) for field, value in datatable}
    assert {field: body[field] for field in expected} == expected, body
    shop.remembered[body["code"]] = body["id"]


@then(parsers.re(r"the listed discount codes are (?P<listed>.+)"))
def listed_codes(exchange: Exchange, listed: str) -> None:
    assert exchange.last.status_code == 200, exchange.last.text
    assert [item["code"] for item in exchange.last.json["items"]] == names(listed), exchange.last.json
    assert all(set(item) == KEYS for item in exchange.last.json["items"]), exchange.last.json


@then(parsers.re(r"the discount codes seen are (?P<listed>.+)"))
def codes_seen(seen: list[dict[str, Any]], listed: str) -> None:
    assert [item["code"] for item in seen] == names(listed), seen
