"""Steps about options, variants and their stock movements. Variants are named
by their SKU, as an admin names them; orders by the order they were placed in."""

from __future__ import annotations

import json
from typing import Any

from pytest_bdd import given, then, when
from sqlalchemy import func, select

from shop.products import service
from shop.products.schemas import ProductCreate
from shop.storage.models import Product, Variant
from steps.accounts import names
from steps.catalogue import post_json, product_id
from steps.grammar import step
from steps.http import Exchange, send
from steps.ordering import place, token_of
from steps.shop_client import InProcessShop


def variant_of(shop: InProcessShop, sku: str) -> tuple[int, int]:
    """The product id and id of the variant with this SKU (ignoring case), archived
    ones too, and deleted ones a step named before."""
    statement = select(Variant.product_id, Variant.id).where(Variant.sku_key == sku.lower())
    row = shop.in_database(lambda connection: connection.execute(statement).first())
    if row is not None:
        shop.remembered[f"product of {sku}"], shop.remembered[f"variant {sku}"] = row
    assert f"variant {sku}" in shop.remembered, f"no variant {sku}"
    return shop.remembered[f"product of {sku}"], shop.remembered[f"variant {sku}"]


def variant_path(shop: InProcessShop, sku: str) -> str:
    product, variant = variant_of(shop, sku)
    return f"/products/{product}/variants/{variant}"


def as_caller(exchange: Exchange, shop: InProcessShop, username: str) -> None:
    exchange.token = token_of(exchange, shop, username)


def nth(placed: list[int], said: str) -> int | None:
    """An order as a table names it: blank (none), "that order" (the last placed), "the 2nd order"."""
    if not said:
        return None
    if said == "that order":
        return placed[-1]
    return placed[int(said.removeprefix("the ").split()[0][:-2]) - 1]


# -- Given ------------------------------------------------------------------------


@given(step('the product "{name:q}" in sizes {sizes} with {stock:d} each'))
def product_in_sizes(shop: InProcessShop, name: str, sizes: str, stock: int) -> None:
    """A product with one option, "size", and a variant of each size at 15.00."""
    values = names(sizes)
    new = ProductCreate.model_validate(
        {
            "name": name,
            "options": [{"name": "size", "values": values}],
            "variants": [{"options": {"size": value}, "price": "15.00", "stock": stock} for value in values],
        }
    )
    app = shop.app
    created = shop.run(service.create_product(app.database, new, app.clock(), app.settings.CURRENCY))
    shop.remembered[name] = created.product.id


@given(step('"{name:q}" is offered in "{value:q}" too'))
def offered_too(exchange: Exchange, shop: InProcessShop, name: str, value: str) -> None:
    """Its one option gets another value (an admin's PATCH of the product's options)."""
    as_caller(exchange, shop, "root")
    path = f"/products/{product_id(shop, name)}"
    (option,) = send(exchange, shop, "GET", path).json["options"]
    changed = {"options": [{"name": option["name"], "values": [*option["values"], value]}]}
    assert send(exchange, shop, "PATCH", path, json=changed).status_code == 200, exchange.last.text


# -- When ---------------------------------------------------------------------------


@when(step('"{username:q}" adds the product:'))
def adds_product(exchange: Exchange, shop: InProcessShop, username: str, docstring: str) -> None:
    as_caller(exchange, shop, username)
    post_json(exchange, shop, "POST", "/products", docstring)
    if exchange.last.status_code == 201:
        shop.remembered[exchange.last.json["name"]] = exchange.last.json["id"]


@when(step('"{username:q}" adds to "{name:q}" the variant:'))
def adds_variant(exchange: Exchange, shop: InProcessShop, username: str, name: str, docstring: str) -> None:
    as_caller(exchange, shop, username)
    post_json(exchange, shop, "POST", f"/products/{product_id(shop, name)}/variants", docstring)


@given(step('"{username:q}" has changed the variant "{sku:q}" with:'))
@when(step('"{username:q}" changes the variant "{sku:q}" with:'))
def changes_variant(exchange: Exchange, shop: InProcessShop, username: str, sku: str, docstring: str) -> None:
    as_caller(exchange, shop, username)
    post_json(exchange, shop, "PATCH", variant_path(shop, sku), docstring)


@given(step('"{username:q}" has deleted the variant "{sku:q}"'))
@when(step('"{username:q}" deletes the variant "{sku:q}"'))
def deletes_variant(exchange: Exchange, shop: InProcessShop, username: str, sku: str) -> None:
    """(A step that names the variant later still finds it: its ids are remembered.)"""
    as_caller(exchange, shop, username)
    send(exchange, shop, "DELETE", variant_path(shop, sku))


@when(step('"{username:q}" reads the variant "{sku:q}" of "{name:q}"'))
def reads_variant(exchange: Exchange, shop: InProcessShop, username: str, sku: str, name: str) -> None:
    as_caller(exchange, shop, username)
    send(exchange, shop, "GET", f"/products/{product_id(shop, name)}/variants/{variant_of(shop, sku)[1]}")


@when(step('"{username:q}" lists the variants of "{name:q}" with "{query:q}"'))
def lists_variants(exchange: Exchange, shop: InProcessShop, username: str, name: str, query: str) -> None:
    as_caller(exchange, shop, username)
    send(exchange, shop, "GET", f"/products/{product_id(shop, name)}/variants?{query}")


@given(step('"{username:q}" has ordered {quantity:d} of the variant "{sku:q}"'))
@when(step('"{username:q}" orders {quantity:d} of the variant "{sku:q}"'))
def orders_variant(
    exchange: Exchange, shop: InProcessShop, placed: list[int], username: str, quantity: int, sku: str
) -> None:
    body = {"items": [{"variant_id": variant_of(shop, sku)[1], "quantity": quantity}]}
    place(exchange, shop, placed, username, body)


@when(step('"{username:q}" places an order with the lines:'))
def orders_lines(
    exchange: Exchange, shop: InProcessShop, placed: list[int], username: str, datatable: list[list[str]]
) -> None:
    """Rows of product (by name), variant (by SKU) and quantity; blank cells are left out."""
    items = []
    for product, sku, quantity in datatable[1:]:
        line: dict[str, Any] = {"quantity": int(quantity)}
        if product:
            line["product_id"] = product_id(shop, product)
        if sku:
            line["variant_id"] = variant_of(shop, sku)[1]
        items.append(line)
    place(exchange, shop, placed, username, {"items": items})


# -- Then ---------------------------------------------------------------------------


def _variants_table(variants: list[dict[str, Any]], datatable: list[list[str]]) -> None:
    header, *rows = datatable
    shown = [[json.dumps(v[name]) if name == "options" else str(v[name]) for name in header] for v in variants]
    expected = [
        [json.dumps(json.loads(cell)) if name == "options" else cell for name, cell in zip(header, row, strict=True)]
        for row in rows
    ]
    assert shown == expected, variants


@then("the response's variants are:")
def response_variants(exchange: Exchange, datatable: list[list[str]]) -> None:
    _variants_table(exchange.last.json["variants"], datatable)


@then(step('the response shows the price "{price:q}" and {stock:d} in stock'))
def response_price_stock(exchange: Exchange, price: str, stock: int) -> None:
    body = exchange.last.json
    assert (body["price"], body["stock"]) == (price, stock), body


@then(step('the product "{name:q}" shows the price "{price:q}" and {stock:d} in stock'))
def product_price_stock(exchange: Exchange, shop: InProcessShop, name: str, price: str, stock: int) -> None:
    as_caller(exchange, shop, "root")
    send(exchange, shop, "GET", f"/products/{product_id(shop, name)}")
    response_price_stock(exchange, price, stock)


@then("the response's images are:")
def response_images(exchange: Exchange, datatable: list[list[str]]) -> None:
    assert [[image["url"], image["alt"]] for image in exchange.last.json["images"]] == datatable[1:]


@then('the response header "Location" is the new variant\'s address')
def location_is_variant(exchange: Exchange) -> None:
    body = exchange.last.json
    assert exchange.last.headers["Location"].endswith(f"/products/{body['product_id']}/variants/{body['id']}")


@then(step('the stock movements of "{sku:q}" are:'))
def movements_are(
    exchange: Exchange, shop: InProcessShop, placed: list[int], sku: str, datatable: list[list[str]]
) -> None:
    """Newest first, as an admin reads them; and they add up to the variant's stock."""
    as_caller(exchange, shop, "root")
    send(exchange, shop, "GET", variant_path(shop, sku) + "/stock-movements?per_page=100")
    assert exchange.last.status_code == 200, exchange.last.text
    movements = exchange.last.json["items"]
    shown = [(m["delta"], m["reason"], m["order_id"]) for m in movements]
    assert shown == [(int(delta), reason, nth(placed, said)) for delta, reason, said in datatable[1:]], movements
    statement = select(Variant.stock).where(Variant.sku_key == sku.lower())
    stock = shop.in_database(lambda connection: connection.execute(statement).scalar_one())
    assert sum(m["delta"] for m in movements) == stock


@then(step("the listed SKUs are {listed}"))
def listed_skus(exchange: Exchange, listed: str) -> None:
    assert [variant["sku"] for variant in exchange.last.json["items"]] == names(listed), exchange.last.json


@then("its lines are:")
def its_lines(exchange: Exchange, datatable: list[list[str]]) -> None:
    header, *rows = datatable
    items = exchange.last.json["items"]
    shown = [[json.dumps(item[name]) if name == "options" else str(item[name]) for name in header] for item in items]
    expected = [
        [json.dumps(json.loads(cell)) if name == "options" else cell for name, cell in zip(header, row, strict=True)]
        for row in rows
    ]
    assert shown == expected, items


@then(step('the variants of "{name:q}" hold:'))
def variants_hold(shop: InProcessShop, name: str, datatable: list[list[str]]) -> None:
    statement = (
        select(Variant.sku, Variant.stock)
        .join(Product)
        .where(func.lower(Product.name) == name.lower(), Variant.archived_at.is_(None))
        .order_by(Variant.position, Variant.id)
    )
    rows = shop.in_database(lambda connection: [[sku, str(stock)] for sku, stock in connection.execute(statement)])
    assert rows == datatable[1:], rows
