"""Steps about orders and idempotent retries."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when
from sqlalchemy import delete, func, select, update

from shop.idempotency import store as idempotency
from shop.idempotency.service import fingerprint
from shop.kernel.callers import Caller
from shop.kernel.money import parse_cents
from shop.orders import service
from shop.orders.schemas import OrderCreate, OrderUpdate
from shop.payments import service as payments
from shop.storage.models import Order, Product
from steps.accounts import change_stored, login, names, user_id
from steps.catalogue import product_id, sole_variant
from steps.grammar import step
from steps.http import Exchange, FakeClock, send
from steps.shop_client import InProcessShop

ORDER = (
    r'"(?P<username>[^"]+)" (?:orders|has ordered) (?P<lines>\d+ "[^"]+"(?:(?:, | and )\d+ "[^"]+")*)'
    r'(?: for "(?P<buyer>[^"]+)")?(?: with the Idempotency-Key "(?P<key>[^"]*)")?'
)
# The way to reach each status from pending, as an admin would.
PATH_TO = {
    "pending": [],
    "paid": ["paid"],
    "shipped": ["paid", "shipped"],
    "delivered": ["paid", "shipped", "delivered"],
    "cancelled": ["cancelled"],
}


@pytest.fixture
def placed() -> list[int]:
    """Ids of the orders the scenario placed, in order; "that order" is the last."""
    return []


def token_of(exchange: Exchange, shop: InProcessShop, username: str) -> str:
    if username not in exchange.tokens:
        response = login(shop, username, "correct horse battery")
        assert response.status_code == 200, response.text
        exchange.tokens[username] = response.json["access_token"]
    return exchange.tokens[username]


def order_body(shop: InProcessShop, lines: str, buyer: str | None = None) -> dict[str, Any]:
    items = [
        {"product_id": product_id(shop, name), "quantity": int(quantity)}
        for quantity, name in re.findall(r'(\d+) "([^"]+)"', lines)
    ]
    body: dict[str, Any] = {"items": items}
    if buyer is not None:
        body["user_id"] = user_id(shop, buyer)
    return body


def place(
    exchange: Exchange, shop: InProcessShop, placed: list[int], username: str, body: Any, key: str | None = None
) -> Any:
    exchange.token = token_of(exchange, shop, username)
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Idempotency-Key"] = key
    response = send(exchange, shop, "POST", "/orders", headers=headers, body=json.dumps(body).encode())
    exchange.history.append(response)
    if response.status_code == 201:
        placed.append(response.json["id"])
    return response


def stock_of(shop: InProcessShop, name: str) -> int:
    """The stock of the product's one variant."""
    return int(sole_variant(shop, name).stock)


def orders_of(shop: InProcessShop, username: str) -> int:
    owner = user_id(shop, username)

    statement = select(func.count()).select_from(Order).where(Order.user_id == owner)
    return int(shop.in_database(lambda connection: connection.execute(statement).scalar_one()))


def as_admin(shop: InProcessShop) -> Caller:
    return Caller(id=user_id(shop, "root"), role="admin")


# -- Placing ------------------------------------------------------------------


@given(parsers.re(ORDER + "$"))
@when(parsers.re(ORDER + "$"))
def orders(
    exchange: Exchange,
    shop: InProcessShop,
    placed: list[int],
    username: str,
    lines: str,
    buyer: str | None,
    key: str | None,
) -> None:
    place(exchange, shop, placed, username, order_body(shop, lines, buyer), key)


@when(step('"{username:q}" orders {quantity:d} "{name:q}" with an Idempotency-Key of {length:d} "{char:q}" characters'))
def orders_with_long_key(
    exchange: Exchange,
    shop: InProcessShop,
    placed: list[int],
    username: str,
    quantity: int,
    name: str,
    length: int,
    char: str,
) -> None:
    # Sent as UTF-8 bytes, as an HTTP client would (the test client sends a str's code points as bytes).
    key = (char * length).encode().decode("latin-1")
    place(exchange, shop, placed, username, order_body(shop, f'{quantity} "{name}"'), key)


@when(step('"{username:q}" places an order with the body:'))
def places_raw(exchange: Exchange, shop: InProcessShop, placed: list[int], username: str, docstring: str) -> None:
    # {Name}: the id of the product, or of the shipping rate or address kept under that name.
    raw = re.sub(r"\{([\w ]+)\}", lambda m: str(product_id(shop, m.group(1))), docstring)
    exchange.token = token_of(exchange, shop, username)
    send(exchange, shop, "POST", "/orders", headers={"Content-Type": "application/json"}, body=raw.encode())


@when(parsers.re(r'"(?P<username>[^"]+)" orders one of each of the (?:first )?(?P<count>\d+) of them'))
def orders_one_of_each(exchange: Exchange, shop: InProcessShop, placed: list[int], username: str, count: str) -> None:
    statement = select(Product.id).where(Product.name.like("L%")).order_by(Product.name)
    ids = shop.in_database(lambda connection: list(connection.execute(statement).scalars()))[: int(count)]
    place(exchange, shop, placed, username, {"items": [{"product_id": i, "quantity": 1} for i in ids]})


@given(step('the price of "{name:q}" has since become "{price:q}"'))
def price_changed(shop: InProcessShop, name: str, price: str) -> None:
    change_stored(shop, update(Product).where(Product.name == name).values(price_cents=parse_cents(price)))


@given(step('the product "{name:q}" has been deleted'))
def product_deleted(shop: InProcessShop, name: str) -> None:
    change_stored(shop, delete(Product).where(Product.name == name))


@given(step('a request of "{username:q}" with the Idempotency-Key "{key:q}" is still running'))
def request_in_flight(shop: InProcessShop, clock: FakeClock, username: str, key: str) -> None:
    body = OrderCreate.model_validate(order_body(shop, '2 "Teapot"'))
    owner = user_id(shop, username)

    request_hash = fingerprint(body.fingerprinted())
    shop.in_database(lambda connection: idempotency.add(connection, owner, key, request_hash, clock()))


# -- Reading ------------------------------------------------------------------


@when(step('"{username:q}" reads that order'))
def reads_that_order(exchange: Exchange, shop: InProcessShop, placed: list[int], username: str) -> None:
    exchange.token = token_of(exchange, shop, username)
    send(exchange, shop, "GET", f"/orders/{placed[-1]}")


@when(step('"{username:q}" reads "{owner:q}"\'s order'))
def reads_order_of(exchange: Exchange, shop: InProcessShop, placed: list[int], username: str, owner: str) -> None:
    exchange.token = token_of(exchange, shop, username)
    send(exchange, shop, "GET", f"/orders/{placed[-1]}")


@when(step('"{username:q}" lists the orders of "{owner:q}"'))
def lists_orders_of(exchange: Exchange, shop: InProcessShop, username: str, owner: str) -> None:
    exchange.token = token_of(exchange, shop, username)
    send(exchange, shop, "GET", f"/orders?user_id={user_id(shop, owner)}")


@given(step('"{username:q}"\'s first order has been cancelled'))
def first_order_cancelled(shop: InProcessShop, placed: list[int], username: str) -> None:
    change_stored(shop, update(Order).where(Order.id == placed[0]).values(status="cancelled"))


# -- Changing -----------------------------------------------------------------


@given(parsers.re(r"that order is (?P<status>pending|paid|shipped|delivered|cancelled)$"))
def that_order_is(shop: InProcessShop, placed: list[int], status: str) -> None:
    admin = as_admin(shop)

    for move in PATH_TO[status]:
        changes = OrderUpdate(status=move)  # type: ignore[arg-type]
        shop.run(
            service.update_order(
                shop.app.database,
                admin,
                placed[-1],
                changes,
                shop.app.clock(),
                shop.app.settings.CURRENCY,
                paid_cents=payments.applied_cents,
            )
        )


@when(step('"{username:q}" sets that order\'s status to "{status:q}"'))
def sets_status(exchange: Exchange, shop: InProcessShop, placed: list[int], username: str, status: str) -> None:
    exchange.token = token_of(exchange, shop, username)
    send(exchange, shop, "PATCH", f"/orders/{placed[-1]}", json={"status": status})


@given(step('"{username:q}" has set that order\'s status to "{status:q}"'))
def has_set_status(exchange: Exchange, shop: InProcessShop, placed: list[int], username: str, status: str) -> None:
    sets_status(exchange, shop, placed, username, status)
    assert exchange.last.status_code == 200, exchange.last.text


@when(step('"{username:q}" changes that order with:'))
def changes_order(exchange: Exchange, shop: InProcessShop, placed: list[int], username: str, docstring: str) -> None:
    exchange.token = token_of(exchange, shop, username)
    headers = {"Content-Type": "application/json"}
    send(exchange, shop, "PATCH", f"/orders/{placed[-1]}", headers=headers, body=docstring.encode())


@given(step('"{username:q}" has deleted that order'))
@when(step('"{username:q}" deletes that order'))
def deletes_order(exchange: Exchange, shop: InProcessShop, placed: list[int], username: str) -> None:
    exchange.token = token_of(exchange, shop, username)
    send(exchange, shop, "DELETE", f"/orders/{placed[-1]}")


# -- Then ---------------------------------------------------------------------


@then(step('the response is a pending order of "{username:q}" totalling "{total:q}" {currency:w} with the lines:'))
def response_is_order(
    exchange: Exchange, shop: InProcessShop, username: str, total: str, currency: str, datatable: list[list[str]]
) -> None:
    body = exchange.last.json
    keys = {"id", "user_id", "status", "items", "total_price", "currency", "cancel_reason", "created_at", "updated_at"}
    figures = {"subtotal", "discount_total", "shipping_total", "tax_total", "prices_include_tax", "discount_code"}
    assert set(body) == keys | figures | {"shipping_address", "shipping_rate"}, body
    assert (body["user_id"], body["status"], body["total_price"], body["currency"]) == (
        user_id(shop, username),
        "pending",
        total,
        currency,
    )
    header, *rows = datatable
    expected = [dict(zip(header, row, strict=True)) for row in rows]
    for item, want in zip(body["items"], expected, strict=True):
        assert set(item) == {
            "product_id",
            "variant_id",
            "sku",
            "name",
            "options",
            "unit_price",
            "quantity",
            "subtotal",
            "discount",
            "tax_class",
            "tax_rate",
            "tax",
            "line_total",
        }
        assert item["product_id"] == product_id(shop, want["name"])
        assert item["variant_id"] is not None and item["sku"], item
        assert (item["name"], item["unit_price"], str(item["quantity"]), item["line_total"]) == (
            want["name"],
            want["unit_price"],
            want["quantity"],
            want["line_total"],
        )


@then('the response header "Location" is the new order\'s address')
def location_of_new_order(exchange: Exchange) -> None:
    assert exchange.last.headers["Location"].endswith(f"/orders/{exchange.last.json['id']}")


@then(parsers.re(r"the stock is (?P<listed>\d+ \"[^\"]+\"(?: and \d+ \"[^\"]+\")*)$"))
def stock_is(shop: InProcessShop, listed: str) -> None:
    for quantity, name in re.findall(r'(\d+) "([^"]+)"', listed):
        assert stock_of(shop, name) == int(quantity), name


@then("the new order has an id no order had before")
def id_never_given_before(placed: list[int]) -> None:
    assert len(placed) >= 2 and placed[-1] > max(placed[:-1]), placed


@then(step('the order totals "{total:q}"'))
def order_totals(exchange: Exchange, total: str) -> None:
    assert exchange.last.status_code == 200
    assert exchange.last.json["total_price"] == total


@then(step('the problem does not mention "{text:q}"'))
def problem_silent_on(exchange: Exchange, text: str) -> None:
    assert text not in exchange.last.json["detail"]


@then(parsers.re(r'"(?P<username>[^"]+)" has (?P<count>no|\d+) orders?$'))
def has_orders(shop: InProcessShop, username: str, count: str) -> None:
    assert orders_of(shop, username) == (0 if count == "no" else int(count))


@then(parsers.re(r'the listed orders are "(?P<username>[^"]+)"\'s, totalling (?P<totals>.+)'))
def listed_orders_of(exchange: Exchange, shop: InProcessShop, username: str, totals: str) -> None:
    items = exchange.last.json["items"]
    assert {order["user_id"] for order in items} == {user_id(shop, username)}
    assert [order["total_price"] for order in items] == names(totals)


@then(parsers.re(r"the listed orders total (?P<totals>.+)"))
def listed_orders_total(exchange: Exchange, totals: str) -> None:
    assert [order["total_price"] for order in exchange.last.json["items"]] == names(totals)


@then(parsers.re(r"that order is now (?P<status>\w+)$"))
def that_order_is_now(shop: InProcessShop, placed: list[int], status: str) -> None:
    statement = select(Order.status).where(Order.id == placed[-1])
    assert shop.in_database(lambda connection: connection.execute(statement).scalar_one()) == status


@then("the response body is the first answer's")
def same_body_as_first(exchange: Exchange) -> None:
    assert exchange.history[-1].content == exchange.history[0].content
