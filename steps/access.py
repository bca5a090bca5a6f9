"""The access matrix: one caller, one request, one status."""

from __future__ import annotations

import re

from pytest_bdd import parsers, when

from steps.accounts import login, user_id
from steps.address_book import address_id
from steps.catalogue import sole_variant
from steps.categories import named_id
from steps.http import Exchange, send
from steps.shop_client import InProcessShop


def resource_id(shop: InProcessShop, placed: list[int], name: str) -> int:
    """The id behind a placeholder: `{ada}` is ada's user id, `{Mug}` the Mug's
    product id (`{Teaware}` a category's), `{Mug's variant}` the id of its one
    variant, `{ada's order}` the order the Background placed for ada, `{ada's
    address in Berlin}` the entry of ada's address book in Berlin."""
    if name == "ada's order":
        return placed[0]
    if "'s address in " in name:
        owner, city = name.split("'s address in ")
        return address_id(shop, owner, city)
    if name.endswith("'s variant"):
        return int(sole_variant(shop, name.removesuffix("'s variant")).id)
    if name[0].isupper():
        return named_id(shop, name)
    return user_id(shop, name)


@when(parsers.re(r'(?P<caller>\w+) sends (?P<method>[A-Z]+) "(?P<path>[^"]+)" with (?P<body>.+)'))
def caller_sends(
    exchange: Exchange, shop: InProcessShop, placed: list[int], caller: str, method: str, path: str, body: str
) -> None:
    exchange.token = None
    if caller != "nobody":
        response = login(shop, caller, "correct horse battery")
        assert response.status_code == 200, response.text
        exchange.token = response.json["access_token"]

    def ids(text: str) -> str:
        return re.sub(r"\{([\w' ]+)\}", lambda m: str(resource_id(shop, placed, m.group(1))), text)

    path, body = ids(path), ids(body)
    if body == "none":
        send(exchange, shop, method, path)
    else:
        send(exchange, shop, method, path, headers={"Content-Type": "application/json"}, body=body.encode())
