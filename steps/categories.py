"""Steps about categories and the products in them.

Categories are set up as an admin makes them, through the API. `{Name}` in a
path or a body is the id of the category of that name (or, failing one, of the
product of that name).
"""

from __future__ import annotations

import json
import re
from typing import Any

from pytest_bdd import given, parsers, then, when
from sqlalchemy import text

from steps.accounts import login, names
from steps.catalogue import numbered, product_id, stored_product
from steps.grammar import step
from steps.http import Exchange, send
from steps.shop_client import InProcessShop

KEYS = {"id", "name", "slug", "parent_id", "path", "position", "created_at", "updated_at"}


def _remembered(name: str) -> str:
    return f"category {name}"


def stored_category(shop: InProcessShop, name: str) -> Any:
    """The first category made of that name, as stored, or None."""
    query = text("SELECT id, name, slug, parent_id FROM categories WHERE name = :name ORDER BY id LIMIT 1")
    return shop.in_database(lambda connection: connection.execute(query, {"name": name}).first())


def category_id(shop: InProcessShop, name: str) -> int:
    """The category's id, also after it was deleted (so a scenario can still name it)."""
    found = stored_category(shop, name)
    if found is not None:
        shop.remembered[_remembered(name)] = found.id
    assert _remembered(name) in shop.remembered, f"no category {name}"
    return shop.remembered[_remembered(name)]


def named_id(shop: InProcessShop, name: str) -> int:
    """A category's id by its name, else a product's."""
    if stored_category(shop, name) is not None or _remembered(name) in shop.remembered:
        return category_id(shop, name)
    return product_id(shop, name)


def with_ids(shop: InProcessShop, template: str) -> str:
    """`{Kitchen}` -> the id of the category "Kitchen" (JSON objects' braces stay as they are)."""
    return re.sub(r"\{([A-Z][\w' ]*)\}", lambda match: str(named_id(shop, match[1])), template)


def as_admin(shop: InProcessShop, method: str, path: str, body: dict[str, Any]) -> Any:
    """A request as the admin "root" makes it, which must succeed: how scenarios set things up."""
    response = login(shop, "root", "correct horse battery")
    assert response.status_code == 200, response.text
    answer = shop.request(method, path, json=body, token=response.json["access_token"])
    assert answer.status_code in (200, 201), answer.text
    return answer


def add_category(shop: InProcessShop, name: str, parent: str = "", **more: Any) -> int:
    body: dict[str, Any] = {"name": name, **more}
    if parent:
        body["parent_id"] = category_id(shop, parent)
    created: int = as_admin(shop, "POST", "/categories", body).json["id"]
    shop.remembered[_remembered(name)] = created
    return created


def path_names(shop: InProcessShop, listed: str) -> list[int]:
    """`Home > Kitchen` (or `none`) -> the ids of those categories."""
    return [] if listed == "none" else [category_id(shop, name.strip()) for name in listed.split(">")]


def categories_of(shop: InProcessShop, product: str) -> tuple[list[int], list[int]]:
    """A product's categories as its body shows them and as the links to them say, smallest id first."""
    found = stored_product(shop, product)
    assert found is not None, f"no product {product}"
    shown = text("SELECT category_ids FROM products WHERE id = :id")
    linked = text("SELECT category_id FROM product_categories WHERE product_id = :id ORDER BY category_id")

    def read(connection: Any) -> tuple[list[int], list[int]]:
        column = json.loads(connection.execute(shown, {"id": found.id}).scalar_one())
        return column, [row[0] for row in connection.execute(linked, {"id": found.id})]

    return shop.in_database(read)


# -- Given --------------------------------------------------------------------


@given("the categories:")
def categories_table(shop: InProcessShop, datatable: list[list[str]]) -> None:
    """Columns: name, parent (blank: at the top), and optionally position and slug (blank: not given)."""
    header, *rows = datatable
    for row in rows:
        values = dict(zip(header, row, strict=True))
        more: dict[str, Any] = {}
        if values.get("position"):
            more["position"] = int(values["position"])
        if values.get("slug"):
            more["slug"] = values["slug"]
        add_category(shop, values["name"], values.get("parent", ""), **more)


@given(step('a chain of categories "{first:q}" to "{last:q}", each under the one before'))
def category_chain(shop: InProcessShop, first: str, last: str) -> None:
    parent = ""
    for name in numbered(first, last):
        add_category(shop, name, parent)
        parent = name


@given(step('{count:d} categories "{first:q}" to "{last:q}"'))
def numbered_categories(shop: InProcessShop, count: int, first: str, last: str) -> None:
    listed = numbered(first, last)
    assert len(listed) == count
    for name in listed:
        add_category(shop, name)


def add_product_in(shop: InProcessShop, name: str, price: str, categories: list[str]) -> None:
    body = {"name": name, "price": price, "stock": 10, "category_ids": [category_id(shop, c) for c in categories]}
    shop.remembered[name] = as_admin(shop, "POST", "/products", body).json["id"]


@given("the products in categories:")
def products_in_categories(shop: InProcessShop, datatable: list[list[str]]) -> None:
    """Columns: name, price, and the categories' names separated by commas (blank: none)."""
    header, *rows = datatable
    for row in rows:
        values = dict(zip(header, row, strict=True))
        listed = [name.strip() for name in values["categories"].split(",") if name.strip()]
        add_product_in(shop, values["name"], values["price"], listed)


@given(
    step(
        '{count:d} products "{first:q}" to "{last:q}", each in "{inside:q}", with others in "{outside:q}" between them'
    )
)
def products_among_others(shop: InProcessShop, count: int, first: str, last: str, inside: str, outside: str) -> None:
    listed = numbered(first, last)
    assert len(listed) == count
    for number, name in enumerate(listed, start=1):
        add_product_in(shop, name, f"{number}.00", [inside])
        add_product_in(shop, f"Other {name}", f"{number}.50", [outside])


# -- When ---------------------------------------------------------------------


def _as(exchange: Exchange, username: str) -> None:
    exchange.token = exchange.tokens[username] if username != "nobody" else None


@when(step('"{username:q}" adds the category:'))
def adds_category(exchange: Exchange, shop: InProcessShop, username: str, docstring: str) -> None:
    _as(exchange, username)
    body = with_ids(shop, docstring).encode()
    send(exchange, shop, "POST", "/categories", headers={"Content-Type": "application/json"}, body=body)


@when(step('"{username:q}" adds a category "{name:q}" under "{parent:q}"'))
def adds_category_under(exchange: Exchange, shop: InProcessShop, username: str, name: str, parent: str) -> None:
    _as(exchange, username)
    send(exchange, shop, "POST", "/categories", json={"name": name, "parent_id": category_id(shop, parent)})


@when(step('"{username:q}" adds a category "{name:q}" at the top'))
def adds_category_at_top(exchange: Exchange, shop: InProcessShop, username: str, name: str) -> None:
    _as(exchange, username)
    send(exchange, shop, "POST", "/categories", json={"name": name})


@when(step('"{username:q}" adds a category named with {count:d} "{char:q}" characters'))
def adds_long_category(exchange: Exchange, shop: InProcessShop, username: str, count: int, char: str) -> None:
    _as(exchange, username)
    send(exchange, shop, "POST", "/categories", json={"name": char * count})


@when(step('"{username:q}" adds a category "{name:q}" with a slug of {count:d} "{char:q}" characters'))
def adds_long_slug(exchange: Exchange, shop: InProcessShop, username: str, name: str, count: int, char: str) -> None:
    _as(exchange, username)
    send(exchange, shop, "POST", "/categories", json={"name": name, "slug": char * count})


@when(step('"{username:q}" asks for the category "{name:q}"'))
def asks_for_category(exchange: Exchange, shop: InProcessShop, username: str, name: str) -> None:
    _as(exchange, username)
    send(exchange, shop, "GET", f"/categories/{category_id(shop, name)}")


@when(step('"{username:q}" changes the category "{name:q}" with:'))
def changes_category(exchange: Exchange, shop: InProcessShop, username: str, name: str, docstring: str) -> None:
    _as(exchange, username)
    body = with_ids(shop, docstring).encode()
    path = f"/categories/{category_id(shop, name)}"
    send(exchange, shop, "PATCH", path, headers={"Content-Type": "application/json"}, body=body)


@when(step('"{username:q}" moves the category "{name:q}" under "{parent:q}"'))
def moves_category(exchange: Exchange, shop: InProcessShop, username: str, name: str, parent: str) -> None:
    _as(exchange, username)
    body = {"parent_id": category_id(shop, parent)}
    send(exchange, shop, "PATCH", f"/categories/{category_id(shop, name)}", json=body)


@when(step('"{username:q}" deletes the category "{name:q}"'))
def deletes_category(exchange: Exchange, shop: InProcessShop, username: str, name: str) -> None:
    _as(exchange, username)
    send(exchange, shop, "DELETE", f"/categories/{category_id(shop, name)}")


@when(step('"{username:q}" sends {method:method} "{path:q}"'))
def sends_named(exchange: Exchange, shop: InProcessShop, username: str, method: str, path: str) -> None:
    _as(exchange, username)
    send(exchange, shop, method, with_ids(shop, path))


@when(step('"{username:q}" sends {method:method} "{path:q}" with:'))
def sends_named_body(
    exchange: Exchange, shop: InProcessShop, username: str, method: str, path: str, docstring: str
) -> None:
    _as(exchange, username)
    body = with_ids(shop, docstring).encode()
    send(exchange, shop, method, with_ids(shop, path), headers={"Content-Type": "application/json"}, body=body)


@when(step('"{username:q}" adds a product "{name:q}" in the categories "{first:q}" to "{last:q}"'))
def adds_product_in_many(
    exchange: Exchange, shop: InProcessShop, username: str, name: str, first: str, last: str
) -> None:
    _as(exchange, username)
    ids = [category_id(shop, category) for category in numbered(first, last)]
    send(exchange, shop, "POST", "/products", json={"name": name, "price": "1.00", "stock": 1, "category_ids": ids})


# -- Then ---------------------------------------------------------------------


def _is_category(shop: InProcessShop, body: dict[str, Any], name: str, slug: str, path: list[int]) -> None:
    assert set(body) == KEYS, body
    assert (body["name"], body["slug"], body["path"]) == (name, slug, path), body
    assert body["parent_id"] == (path[-1] if path else None), body
    for stamp in ("created_at", "updated_at"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body[stamp]), body


@then(step('the response is the category "{name:q}" with the slug "{slug:q}" at the top'))
def response_is_top_category(exchange: Exchange, shop: InProcessShop, name: str, slug: str) -> None:
    _is_category(shop, exchange.last.json, name, slug, [])


@then(step('the response is the category "{name:q}" with the slug "{slug:q}" under {listed}'))
def response_is_category_under(exchange: Exchange, shop: InProcessShop, name: str, slug: str, listed: str) -> None:
    _is_category(shop, exchange.last.json, name, slug, [category_id(shop, parent) for parent in names(listed)])


@then('the response header "Location" is the new category\'s address')
def location_of_new_category(exchange: Exchange) -> None:
    assert exchange.last.headers["Location"].endswith(f"/categories/{exchange.last.json['id']}"), exchange.last.headers


@then(step('there is no category "{name:q}"'))
def no_category(shop: InProcessShop, name: str) -> None:
    assert stored_category(shop, name) is None


@then(parsers.re(r"the listed categories are (?P<listed>.+)"))
def listed_categories(exchange: Exchange, listed: str) -> None:
    assert exchange.last.status_code == 200, exchange.last.text
    span = re.fullmatch(r'"([^"]+)" to "([^"]+)"', listed)
    expected = numbered(span[1], span[2]) if span else [] if listed == "none" else names(listed)
    assert [item["name"] for item in exchange.last.json["items"]] == expected, exchange.last.json["items"]


@then(step('the category names seen are "{first:q}" to "{last:q}" in order'))
def category_names_seen(seen: list[dict[str, Any]], first: str, last: str) -> None:
    assert [item["name"] for item in seen] == numbered(first, last)


@then("the categories have these paths:")
def categories_have_paths(shop: InProcessShop, datatable: list[list[str]]) -> None:
    """Each category as GET /categories/{id} shows it: its path, the names of its ancestors (`none` at the top)."""
    response = login(shop, "root", "correct horse battery")
    token = response.json["access_token"]
    for name, listed in datatable[1:]:
        shown = shop.request("GET", f"/categories/{category_id(shop, name)}", token=token)
        assert shown.status_code == 200, shown.text
        path = path_names(shop, listed)
        assert (shown.json["path"], shown.json["parent_id"]) == (path, path[-1] if path else None), (name, shown.json)


@then(step('the category "{name:q}" is named "{shown:q}" with the slug "{slug:q}"'))
def category_named(shop: InProcessShop, name: str, shown: str, slug: str) -> None:
    known = category_id(shop, name)
    query = text("SELECT name, slug FROM categories WHERE id = :id")
    found = shop.in_database(lambda connection: connection.execute(query, {"id": known}).one())
    assert (found.name, found.slug) == (shown, slug)


@then(parsers.re(r"the response's categories are (?P<listed>.+)"))
def response_categories(exchange: Exchange, shop: InProcessShop, listed: str) -> None:
    expected = [] if listed == "none" else sorted(category_id(shop, name) for name in names(listed))
    assert exchange.last.json["category_ids"] == expected, exchange.last.json


@then(step('the product "{name:q}" is in the categories {listed}'))
def product_in(shop: InProcessShop, name: str, listed: str) -> None:
    expected = sorted(category_id(shop, category) for category in names(listed))
    assert categories_of(shop, name) == (expected, expected)


@then(step('the product "{name:q}" is in no category'))
def product_in_none(shop: InProcessShop, name: str) -> None:
    assert categories_of(shop, name) == ([], [])


@then(step('the last event is "{kind:q}" for the product "{name:q}" in the categories {listed}'))
def last_event_categories(feed: list[dict[str, Any]], shop: InProcessShop, kind: str, name: str, listed: str) -> None:
    last = feed[-1]
    expected = sorted(category_id(shop, category) for category in names(listed))
    assert (last["type"], last["data"]["id"], last["data"]["category_ids"]) == (
        kind,
        product_id(shop, name),
        expected,
    ), last
