"""Steps for hostile input: each named input is built here, byte for byte."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_bdd import parsers, then, when
from sqlalchemy import text
from sqlalchemy.engine import Connection

from steps.catalogue import product_id
from steps.http import Exchange, send
from steps.shop_client import InProcessShop

JSON = {"Content-Type": "application/json"}


def _product(**fields: Any) -> bytes:
    values = {"name": '"Kettle"', "price": '"5.00"', "stock": "3", **fields}
    return ("{" + ", ".join(f'"{key}": {value}' for key, value in values.items()) + "}").encode()


def _order(shop: InProcessShop, quantity: str) -> bytes:
    return f'{{"items": [{{"product_id": {product_id(shop, "Teapot")}, "quantity": {quantity}}}]}}'.encode()


def _lines(first: int, count: int) -> bytes:
    ids = [first, *range(1_000_001, 1_000_000 + count)]
    return ('{"items": [' + ", ".join(f'{{"product_id": {i}, "quantity": 1}}' for i in ids) + "]}").encode()


def _bodies(shop: InProcessShop, name: str) -> bytes:
    teapot = product_id(shop, "Teapot")
    recipes: dict[str, Any] = {
        "bytes that are not UTF-8": lambda: b'{"name": "Kettle \xff\xfe", "price": "5.00", "stock": 3}',
        "JSON nested 10,000 arrays deep": lambda: _product(name="[" * 10_000 + "]" * 10_000),
        'the key "name" given twice': lambda: _product(name='"Kettle"').replace(b"{", b'{"name": "Pot", ', 1),
        "a NUL character in the name": lambda: _product(name='"Ket\\u0000tle"'),
        "the price 1e400": lambda: _product(price="1e400"),
        "the price -0": lambda: _product(price="-0"),
        "the price -0.0": lambda: _product(price="-0.0"),
        "the stock -0": lambda: _product(stock="-0"),
        "the stock 1e400": lambda: _product(stock="1e400"),
        "a line with the quantity -0": lambda: _order(shop, "-0"),
        "a line with the quantity 1e400": lambda: _order(shop, "1e400"),
        "10,000 order lines": lambda: _lines(teapot, 10_000),
        "a zero-width space in the name": lambda: _product(name='"Tea\\u200bpot"'),
        "a right-to-left override in the name": lambda: _product(name='"Kettle \\u202egnp.exe"'),
        "a line feed in the name": lambda: _product(name='"Kettle\\nDeluxe"'),
        "a line separator (U+2028) in the name": lambda: _product(name='"Kettle\\u2028Deluxe"'),
        "only a Hangul filler (U+3164) as name": lambda: _product(name='"\\u3164"'),
        'the name "Ｔｅａｐｏｔ" in full-width letters': lambda: _product(name='"Ｔｅａｐｏｔ"'),
        'the name "TEAPOT"': lambda: _product(name='"TEAPOT"'),
    }
    return bytes(recipes[name]())


QUERIES = {
    "a query string of 100 KB": "?q=" + "a" * 100_000,
    "a NUL character in q": "?q=tea%00pot",
}


def _state(shop: InProcessShop) -> list[Any]:
    def read(connection: Connection) -> list[Any]:
        return [
            connection.execute(text(f"SELECT * FROM {table} ORDER BY id")).all()
            for table in ("products", "orders", "order_lines")
        ]

    return shop.in_database(read)


@pytest.fixture
def state_before() -> list[Any]:
    return []


@when(parsers.re(r"the admin sends (?P<method>[A-Z]+) (?P<path>/\S+) with (?P<name>.+)$"))
def admin_sends(
    exchange: Exchange, shop: InProcessShop, state_before: list[Any], method: str, path: str, name: str
) -> None:
    state_before[:] = _state(shop)
    if name in QUERIES:
        send(exchange, shop, method, path + QUERIES[name])
    else:
        send(exchange, shop, method, path, headers=JSON, body=_bodies(shop, name))


@then("the catalogue and the orders are as they were")
def nothing_changed(shop: InProcessShop, state_before: list[Any]) -> None:
    assert state_before, "no state was taken before the request"
    assert _state(shop) == state_before


@when(
    parsers.re(
        r'a client sends GET "(?P<path>[^"]+)" with an X-Request-ID that ends in a line break and "(?P<header>[^"]+)"'
    )
)
def request_id_with_line_break(exchange: Exchange, shop: InProcessShop, path: str, header: str) -> None:
    send(exchange, shop, "GET", path, headers={"X-Request-ID": f"abc\r\n{header}"})
