"""Steps about the catalogue."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from pytest_bdd import given, parsers, then, when
from sqlalchemy import select, update
from sqlalchemy.engine import URL, Row

from shop.kernel.money import parse_cents
from shop.orders import store as orders
from shop.orders.store import LineRow
from shop.products import service
from shop.products.schemas import ProductCreate
from shop.storage.models import Order, OrderLine, Product, Variant
from steps.accounts import change_stored, names, user_id
from steps.grammar import step
from steps.http import Exchange, FakeClock, send, start_shop, test_settings
from steps.shop_client import InProcessShop


def add_product(shop: InProcessShop, name: str, price: str, stock: int) -> int:
    new = ProductCreate.model_validate({"name": name, "price": price, "stock": stock})
    shop.remembered[name] = shop.run(
        service.create_product(shop.app.database, new, shop.app.clock(), shop.app.settings.CURRENCY)
    ).product.id
    return shop.remembered[name]


def stored_product(shop: InProcessShop, name: str) -> Row[Any] | None:
    return shop.in_database(lambda connection: connection.execute(select(Product).where(Product.name == name)).first())


def sole_variant(shop: InProcessShop, name: str) -> Row[Any]:
    """The one active variant of a product without options."""
    statement = (
        select(Variant).join(Product).where(Product.name == name, Variant.archived_at.is_(None)).order_by(Variant.id)
    )
    (variant,) = shop.in_database(lambda connection: connection.execute(statement).all())
    return variant


def product_id(shop: InProcessShop, name: str) -> int:
    """The product's id, also after it was deleted (so a scenario can still name it)."""
    product = stored_product(shop, name)
    if product is not None:
        shop.remembered[name] = product.id
    assert name in shop.remembered, f"no product {name}"
    return shop.remembered[name]


def numbered(first: str, last: str) -> list[str]:
    """ "P01" to "P25" -> ["P01", ..., "P25"]."""
    prefix, start = re.fullmatch(r"(\D*)(\d+)", first).groups()  # type: ignore[union-attr]
    end = re.fullmatch(r"\D*(\d+)", last).group(1)  # type: ignore[union-attr]
    return [f"{prefix}{n:0{len(start)}d}" for n in range(int(start), int(end) + 1)]


def post_json(exchange: Exchange, shop: InProcessShop, method: str, path: str, raw: str, **headers: str) -> None:
    send(exchange, shop, method, path, headers={"Content-Type": "application/json", **headers}, body=raw.encode())


# -- Given --------------------------------------------------------------------


@given(step('the product "{name:q}" priced "{price:q}" with {stock:d} in stock'))
def a_product(shop: InProcessShop, name: str, price: str, stock: int) -> None:
    add_product(shop, name, price, stock)


@given(step('{count:d} products "{first:q}" to "{last:q}"'))
def numbered_products(shop: InProcessShop, count: int, first: str, last: str) -> None:
    listed = numbered(first, last)
    assert len(listed) == count
    for index, name in enumerate(listed, start=1):
        add_product(shop, name, f"{index}.00", index)


@given("the products:")
def products_table(shop: InProcessShop, datatable: list[list[str]]) -> None:
    header, *rows = datatable
    for row in rows:
        values = dict(zip(header, row, strict=True))
        add_product(shop, values["name"], values["price"], int(values["stock"]))


@given(step('the product "{name:q}" has since been changed to {stock:d} in stock'))
def changed_behind(shop: InProcessShop, name: str, stock: int) -> None:
    change_stored(shop, update(Variant).where(Variant.id == sole_variant(shop, name).id).values(stock=stock))


@given(step('"{username:q}" has an order of {quantity:d} "{name:q}"'))
def an_order(shop: InProcessShop, username: str, quantity: int, name: str) -> None:
    product = stored_product(shop, name)
    assert product is not None
    owner = user_id(shop, username)

    variant = sole_variant(shop, name)
    line = LineRow(product.id, variant.id, variant.sku, "{}", product.name, product.price_cents, quantity)
    shop.in_database(lambda connection: orders.add(connection, owner, [line], shop.app.clock()))


@given(step('"{username:q}" has read the product "{name:q}" and kept its ETag'), target_fixture="kept_etag")
def keep_etag(exchange: Exchange, shop: InProcessShop, username: str, name: str) -> str:
    exchange.token = exchange.tokens[username]
    response = send(exchange, shop, "GET", f"/products/{product_id(shop, name)}")
    assert response.status_code == 200
    return str(response.headers["ETag"])


# -- When ---------------------------------------------------------------------


@when(parsers.re(r'"(?P<username>[^"]+)" adds a product "(?P<name>[^"]*)" priced (?P<price>.+)'))
def adds_product(exchange: Exchange, shop: InProcessShop, username: str, name: str, price: str) -> None:
    exchange.token = exchange.tokens[username]
    post_json(exchange, shop, "POST", "/products", f'{{"name": "{name}", "price": {price}, "stock": 1}}')


@when(step('"{username:q}" adds a product "{name:q}" priced "{price:q}" sending the header "{header}: {value}"'))
def adds_product_with_header(
    exchange: Exchange, shop: InProcessShop, username: str, name: str, price: str, header: str, value: str
) -> None:
    exchange.token = exchange.tokens[username]
    body = f'{{"name": "{name}", "price": "{price}", "stock": 1}}'
    post_json(exchange, shop, "POST", "/products", body, **{header: value})


@when(
    step(
        '"{username:q}" adds a product named with {n:d} "{char:q}" characters '
        'and a description of {d:d} "{dchar:q}" characters'
    )
)
def adds_long_product(
    exchange: Exchange, shop: InProcessShop, username: str, n: int, char: str, d: int, dchar: str
) -> None:
    exchange.token = exchange.tokens[username]
    body = {"name": char * n, "description": dchar * d, "price": "1.00", "stock": 1}
    send(exchange, shop, "POST", "/products", json=body)


@when(step('"{username:q}" asks for the product "{name:q}"'))
def asks_for_product(exchange: Exchange, shop: InProcessShop, username: str, name: str) -> None:
    exchange.token = exchange.tokens[username]
    send(exchange, shop, "GET", f"/products/{product_id(shop, name)}")


IF_NONE_MATCH = {
    "the kept ETag": "{etag}",
    "the kept ETag marked weak (W/)": "W/{etag}",
    "another ETag, then the kept one": '"0f0f0f", {etag}',
    '"*"': "*",
    "another ETag": '"0f0f0f"',
}


@when(
    parsers.re(
        r'"(?P<username>[^"]+)" (?P<verb>asks for|sends HEAD for) the product "(?P<name>[^"]+)" '
        r"with If-None-Match (?P<which>.+)$"
    )
)
def asks_with_if_none_match(
    exchange: Exchange, shop: InProcessShop, kept_etag: str, username: str, verb: str, name: str, which: str
) -> None:
    exchange.token = exchange.tokens[username]
    headers = {"If-None-Match": IF_NONE_MATCH[which].format(etag=kept_etag)}
    method = "GET" if verb == "asks for" else "HEAD"
    send(exchange, shop, method, f"/products/{product_id(shop, name)}", headers=headers)


@when(step('"{username:q}" sends GET "{path:q}" and then HEAD "{same:q}"'))
def get_then_head(exchange: Exchange, shop: InProcessShop, username: str, path: str, same: str) -> None:
    """`{Name}` in the path is that product's id."""
    assert path == same
    exchange.token = exchange.tokens[username]
    path = re.sub(r"\{(\w+)\}", lambda m: str(product_id(shop, m[1])), path)
    exchange.history = [send(exchange, shop, "GET", path), send(exchange, shop, "HEAD", path)]


@when(step('a visitor without a token asks for the product "{name:q}"'))
def visitor_asks_for_product(exchange: Exchange, shop: InProcessShop, name: str) -> None:
    exchange.token = None
    send(exchange, shop, "GET", f"/products/{product_id(shop, name)}")


@given(step('the shop\'s PUBLIC_BASE_URL is "{url:q}"'), target_fixture="shop")
def public_base_url(request: pytest.FixtureRequest, database_url: URL, clock: FakeClock, url: str) -> InProcessShop:
    return start_shop(request, test_settings(database_url, PUBLIC_BASE_URL=url), clock)


@given("the catalogue is public", target_fixture="shop")
def public_catalogue(request: pytest.FixtureRequest, database_url: URL, clock: FakeClock) -> InProcessShop:
    return start_shop(request, test_settings(database_url, PUBLIC_CATALOGUE=True), clock)


@when(step('"{username:q}" changes the product "{name:q}" with:'))
def changes_product(exchange: Exchange, shop: InProcessShop, username: str, name: str, docstring: str) -> None:
    exchange.token = exchange.tokens[username]
    post_json(exchange, shop, "PATCH", f"/products/{product_id(shop, name)}", docstring)


@when(step('"{username:q}" changes the product "{name:q}" with the kept ETag and:'))
def changes_product_if_match(
    exchange: Exchange, shop: InProcessShop, kept_etag: str, username: str, name: str, docstring: str
) -> None:
    exchange.token = exchange.tokens[username]
    post_json(exchange, shop, "PATCH", f"/products/{product_id(shop, name)}", docstring, **{"If-Match": kept_etag})


@when(step('"{username:q}" deletes the product "{name:q}"'))
def deletes_product(exchange: Exchange, shop: InProcessShop, username: str, name: str) -> None:
    exchange.token = exchange.tokens[username]
    send(exchange, shop, "DELETE", f"/products/{product_id(shop, name)}")


@when(step('the client sends the next_cursor with "{replacement:q}" instead'))
def cursor_elsewhere(exchange: Exchange, shop: InProcessShop, replacement: str) -> None:
    cursor = exchange.last.json["next_cursor"]
    assert cursor
    send(exchange, shop, "GET", f"/products?per_page=5&{replacement}&cursor={cursor}")


@when(step("the client sends the next_cursor with its page changed to {page:d}"))
def cursor_changed(exchange: Exchange, shop: InProcessShop, page: int) -> None:
    cursor = exchange.last.json["next_cursor"]
    payload, dot, seal = cursor.partition(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    changed = base64.urlsafe_b64encode(json.dumps({**data, "p": page}).encode()).rstrip(b"=").decode()
    send(exchange, shop, "GET", f"/products?per_page=5&sort=name&{urlencode({'cursor': changed + dot + seal})}")


@dataclass
class Walk:
    """A client walking a list by cursor while the list changes."""

    path: str
    before: list[str]  # the list's names when the walk began, in its order
    page: list[dict[str, Any]]  # the page just read
    next_cursor: str | None
    seen: list[str] = field(default_factory=list)
    deleted: set[str] = field(default_factory=set)


def _every_name(exchange: Exchange, shop: InProcessShop, path: str) -> list[str]:
    parts = urlsplit(path)
    query = {**dict(parse_qsl(parts.query)), "per_page": "100"}
    response = send(exchange, shop, "GET", f"{parts.path}?{urlencode(query)}")
    assert response.status_code == 200 and response.json["next_cursor"] is None, response.text
    return [item["name"] for item in response.json["items"]]


@when(step('"{username:q}" starts walking GET "{path:q}"'), target_fixture="walk")
def starts_walking(exchange: Exchange, shop: InProcessShop, username: str, path: str) -> Walk:
    exchange.token = exchange.tokens[username]
    before = _every_name(exchange, shop, path)
    response = send(exchange, shop, "GET", path)
    assert response.status_code == 200, response.text
    items = response.json["items"]
    return Walk(path, before, items, response.json["next_cursor"], seen=[item["name"] for item in items])


@when(step('"{username:q}" deletes the first and the last product of that page'))
def deletes_first_and_last(exchange: Exchange, shop: InProcessShop, walk: Walk, username: str) -> None:
    exchange.token = exchange.tokens[username]
    for item in (walk.page[0], walk.page[-1]):
        assert send(exchange, shop, "DELETE", f"/products/{item['id']}").status_code == 204
        walk.deleted.add(item["name"])


@when("the walk goes on by next_cursor to the end")
def walk_on(exchange: Exchange, shop: InProcessShop, walk: Walk) -> None:
    for _ in range(100):
        if walk.next_cursor is None:
            return
        response = send(exchange, shop, "GET", f"{walk.path}&cursor={walk.next_cursor}")
        assert response.status_code == 200, response.text
        walk.page, walk.next_cursor = response.json["items"], response.json["next_cursor"]
        walk.seen += [item["name"] for item in walk.page]
    raise AssertionError("the cursor never ended")


@then("the walk showed every product that was there all along, once each and in order")
def walk_showed_all(walk: Walk) -> None:
    stayed = [name for name in walk.before if name not in walk.deleted]
    assert len(walk.seen) == len(set(walk.seen)), walk.seen  # nothing twice
    assert [name for name in walk.seen if name in stayed] == stayed, (walk.seen, stayed)


# -- Then ---------------------------------------------------------------------


@then(step('the response is the product "{name:q}" priced "{price:q}" {currency:w} with {stock:d} in stock'))
def response_is_product(exchange: Exchange, name: str, price: str, currency: str, stock: int) -> None:
    body = exchange.last.json
    keys = {"id", "name", "slug", "description", "price", "currency", "stock", "options", "variants", "images"}
    assert set(body) == keys | {"category_ids", "tax_class", "created_at", "updated_at"}, body
    assert (body["name"], body["price"], body["currency"], body["stock"]) == (name, price, currency, stock)
    if not body["options"]:  # its one variant carries the price and stock
        (variant,) = body["variants"]
        assert (variant["price"], variant["stock"], variant["options"]) == (price, stock, {}), variant
    for stamp in ("created_at", "updated_at"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body[stamp])


@then('the response header "Location" is the new product\'s address')
def location_of_new_product(exchange: Exchange) -> None:
    assert exchange.last.headers["Location"].endswith(f"/products/{exchange.last.json['id']}")


@then(step('the catalogue holds no product "{name:q}"'))
def no_product(shop: InProcessShop, name: str) -> None:
    assert stored_product(shop, name) is None


@then(step('the product "{name:q}" is priced "{price:q}" with {stock:d} in stock'))
def product_stored_as(shop: InProcessShop, name: str, price: str, stock: int) -> None:
    product = stored_product(shop, name)
    assert product is not None
    assert (product.price_cents, sole_variant(shop, name).stock) == (parse_cents(price), stock)


@then("the response has an ETag")
def has_etag(exchange: Exchange) -> None:
    assert re.fullmatch(r'"[^"]+"', exchange.last.headers["ETag"])


@then("the response has a new ETag")
def has_new_etag(exchange: Exchange, kept_etag: str) -> None:
    assert exchange.last.headers["ETag"] != kept_etag
    has_etag(exchange)


@then(step('the listed products are "{first:q}" to "{last:q}"'))
def listed_range(exchange: Exchange, first: str, last: str) -> None:
    assert [p["name"] for p in exchange.last.json["items"]] == numbered(first, last)


@then(parsers.re(r"the listed (?:products|product names) are (?P<listed>.+)"))
def listed_names(exchange: Exchange, listed: str) -> None:
    expected = [] if listed == "none" else names(listed)
    assert [p["name"] for p in exchange.last.json["items"]] == expected


@then(step('the product names seen are "{first:q}" to "{last:q}" in {order}'))
def names_seen(seen: list[dict[str, Any]], first: str, last: str, order: str) -> None:
    expected = numbered(first, last)
    assert [p["name"] for p in seen] == (expected if order == "order" else expected[::-1])


@then(step('every Link keeps "{first:q}" and "{second:q}"'))
def links_keep(exchange: Exchange, first: str, second: str) -> None:
    for link in exchange.last.headers["Link"].split(", "):
        assert first in link
        assert second in link


@then(step('"{username:q}"\'s order still has a line of {quantity:d} "{name:q}" at "{price:q}" with no product id'))
def order_line_kept(shop: InProcessShop, username: str, quantity: int, name: str, price: str) -> None:
    owner = user_id(shop, username)

    statement = (
        select(OrderLine.product_id, OrderLine.name, OrderLine.unit_price_cents, OrderLine.quantity)
        .join(Order)
        .where(Order.user_id == owner)
    )
    lines = shop.in_database(lambda connection: [tuple(row) for row in connection.execute(statement)])
    assert lines == [(None, name, parse_cents(price), quantity)]


@then(step('the response header "{name:q}" is the kept ETag'))
def header_is_kept_etag(exchange: Exchange, kept_etag: str, name: str) -> None:
    assert exchange.last.headers[name] == kept_etag, exchange.last.headers


# Headers that differ between any two answers, or only describe a body.
_PER_ANSWER = {"x-request-id", "content-length"}


@then(step("both answers have the status {status:d} and the same headers"))
def same_headers(exchange: Exchange, status: int) -> None:
    got, head = exchange.history
    assert (got.status_code, head.status_code) == (status, status)

    def kept(result: Any) -> dict[str, str]:
        return {name.lower(): value for name, value in result.headers.items() if name.lower() not in _PER_ANSWER}

    assert kept(head) == kept(got), (kept(got), kept(head))


@then("the HEAD answer has no body and the GET answer's Content-Length")
def head_without_body(exchange: Exchange) -> None:
    got, head = exchange.history
    assert head.content == b"" and got.content != b""
    assert head.headers["Content-Length"] == str(len(got.content)), (head.headers, len(got.content))
