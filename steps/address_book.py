"""Steps about address books.

Entries are set up as their owner adds them, through the API. A scenario names
an entry by its owner and its city ("ada"'s address in "Berlin"); the entry's
id is remembered, so that a deleted one can still be named.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pytest_bdd import given, parsers, then, when
from sqlalchemy import text

from steps.accounts import login, user_id
from steps.grammar import step
from steps.http import Exchange, send
from steps.shop_client import InProcessShop

BOOK = "/users/me/addresses"
KEYS = {"id", "name", "line1", "line2", "city", "postal_code", "region", "country", "phone", "is_default"}
_COLUMNS = "id, name, line1, line2, city, postal_code, region, country, phone, is_default"


def an_address(city: str, **more: Any) -> dict[str, Any]:
    """A valid address in `city`, with `more` as given."""
    return {
        "name": "Ada Lovelace",
        "line1": "1 Main Street",
        "city": city,
        "postal_code": "10115",
        "country": "DE",
    } | more


def _remembered(owner: str, city: str) -> str:
    return f"address of {owner} in {city}"


def _stored(shop: InProcessShop, owner: str, city: str) -> Any:
    """The owner's first entry in that city, as stored, or None."""
    query = text(f"SELECT {_COLUMNS} FROM addresses WHERE user_id = :user AND city = :city ORDER BY id LIMIT 1")
    params = {"user": user_id(shop, owner), "city": city}
    return shop.in_database(lambda connection: connection.execute(query, params).first())


def address_id(shop: InProcessShop, owner: str, city: str) -> int:
    """The id of the owner's entry in that city, also after it was deleted."""
    found = _stored(shop, owner, city)
    if found is not None:
        shop.remembered[_remembered(owner, city)] = found.id
    assert _remembered(owner, city) in shop.remembered, f"{owner} has no address in {city}"
    return shop.remembered[_remembered(owner, city)]


def _as(exchange: Exchange, username: str) -> None:
    exchange.token = exchange.tokens[username] if username != "nobody" else None


def _add(exchange: Exchange, shop: InProcessShop, username: str, body: dict[str, Any]) -> Any:
    _as(exchange, username)
    return send(exchange, shop, "POST", BOOK, json=body)


def _added(exchange: Exchange, shop: InProcessShop, username: str, body: dict[str, Any]) -> None:
    """An entry the scenario starts with: added by its owner (logged in for it, if
    the scenario has not logged them in), which must succeed."""
    if username not in exchange.tokens:
        logged_in = login(shop, username, "correct horse battery")
        assert logged_in.status_code == 200, logged_in.text
        exchange.tokens[username] = logged_in.json["access_token"]
    response = _add(exchange, shop, username, body)
    assert response.status_code == 201, response.text
    shop.remembered[_remembered(username, body["city"])] = response.json["id"]
    shop.remembered[f"user {username}"] = user_id(shop, username)


def _cities(count: int) -> list[str]:
    return [f"City {number:02d}" for number in range(1, count + 1)]


def _book_of(shop: InProcessShop, owner: str) -> list[Any]:
    query = text(f"SELECT {_COLUMNS} FROM addresses WHERE user_id = :user ORDER BY id")
    known = shop.remembered.get(f"user {owner}") or user_id(shop, owner)
    return shop.in_database(lambda connection: list(connection.execute(query, {"user": known})))


# -- Given --------------------------------------------------------------------


@given(step('"{username:q}" has these addresses:'))
def has_addresses(exchange: Exchange, shop: InProcessShop, username: str, datatable: list[list[str]]) -> None:
    """Columns: city, default ("yes", or blank); added in this order."""
    header, *rows = datatable
    for row in rows:
        values = dict(zip(header, row, strict=True))
        _added(exchange, shop, username, an_address(values["city"], is_default=values.get("default") == "yes"))


@given(step('"{username:q}" has the address:'))
def has_the_address(exchange: Exchange, shop: InProcessShop, username: str, docstring: str) -> None:
    _added(exchange, shop, username, json.loads(docstring))


@given(step('"{username:q}" has {count:d} addresses'))
def has_many_addresses(exchange: Exchange, shop: InProcessShop, username: str, count: int) -> None:
    """Entries in "City 01", "City 02" ..., added in that order."""
    for city in _cities(count):
        _added(exchange, shop, username, an_address(city))


# -- When ---------------------------------------------------------------------


@when(step('"{username:q}" adds the address:'))
def adds_address(exchange: Exchange, shop: InProcessShop, username: str, docstring: str) -> None:
    _as(exchange, username)
    send(exchange, shop, "POST", BOOK, headers={"Content-Type": "application/json"}, body=docstring.encode())


@when(step('"{username:q}" adds an address in "{city:q}"'))
def adds_address_in(exchange: Exchange, shop: InProcessShop, username: str, city: str) -> None:
    _add(exchange, shop, username, an_address(city))


@when(step('"{username:q}" adds an address in "{city:q}" with the country "{country:q}"'))
def adds_address_in_country(exchange: Exchange, shop: InProcessShop, username: str, city: str, country: str) -> None:
    _add(exchange, shop, username, an_address(city, country=country))


@when(step('"{username:q}" adds an address with:'))
def adds_address_with(exchange: Exchange, shop: InProcessShop, username: str, docstring: str) -> None:
    """A valid address with the docstring's fields instead: "leave out" leaves that field out."""
    body = an_address("Berlin") | json.loads(docstring)
    _add(exchange, shop, username, {name: value for name, value in body.items() if value != "leave out"})


@when(step('"{username:q}" adds an address with a {field:w} of {count:d} "{char:q}" characters'))
def adds_long_field(exchange: Exchange, shop: InProcessShop, username: str, field: str, count: int, char: str) -> None:
    _add(exchange, shop, username, an_address("Berlin") | {field: char * count})


@when(step('"{username:q}" adds {count:d} addresses at once'), target_fixture="answers")
def adds_at_once(exchange: Exchange, shop: InProcessShop, username: str, count: int) -> list[Any]:
    headers = {"Authorization": f"Bearer {exchange.tokens[username]}"}
    requests = [
        {"method": "POST", "path": BOOK, "headers": headers, "json": an_address(f"At once {number}")}
        for number in range(count)
    ]
    return shop.at_once(requests)


@when(step('"{caller:q}" asks for "{owner:q}"\'s address in "{city:q}"'))
def asks_for_address(exchange: Exchange, shop: InProcessShop, caller: str, owner: str, city: str) -> None:
    _as(exchange, caller)
    send(exchange, shop, "GET", f"{BOOK}/{address_id(shop, owner, city)}")


@when(step('"{caller:q}" changes "{owner:q}"\'s address in "{city:q}" with:'))
def changes_address(
    exchange: Exchange, shop: InProcessShop, caller: str, owner: str, city: str, docstring: str
) -> None:
    _as(exchange, caller)
    path = f"{BOOK}/{address_id(shop, owner, city)}"
    send(exchange, shop, "PATCH", path, headers={"Content-Type": "application/json"}, body=docstring.encode())


@when(step('"{caller:q}" changes "{owner:q}"\'s address in "{city:q}" to the city "{new:q}"'))
def moves_address(exchange: Exchange, shop: InProcessShop, caller: str, owner: str, city: str, new: str) -> None:
    _as(exchange, caller)
    send(exchange, shop, "PATCH", f"{BOOK}/{address_id(shop, owner, city)}", json={"city": new})


@when(step('"{caller:q}" deletes "{owner:q}"\'s address in "{city:q}"'))
def deletes_address(exchange: Exchange, shop: InProcessShop, caller: str, owner: str, city: str) -> None:
    _as(exchange, caller)
    send(exchange, shop, "DELETE", f"{BOOK}/{address_id(shop, owner, city)}")


# -- Then ---------------------------------------------------------------------


@then("the response is the address, with its id:")
def response_is_address(exchange: Exchange, docstring: str) -> None:
    body = exchange.last.json
    assert set(body) == KEYS, body
    assert type(body["id"]) is int and body["id"] >= 1, body
    assert {name: value for name, value in body.items() if name != "id"} == json.loads(docstring), body


@then('the response header "Location" names the new address')
def location_of_new_address(exchange: Exchange) -> None:
    location = exchange.last.headers["Location"]
    assert location.endswith(f"{BOOK}/{exchange.last.json['id']}"), exchange.last.headers


@then(parsers.re(r"the listed addresses are (?P<listed>.+)"))
def listed_addresses(exchange: Exchange, listed: str) -> None:
    assert exchange.last.status_code == 200, exchange.last.text
    expected = [] if listed == "none" else re.findall(r'"([^"]*)"', listed)
    items = exchange.last.json["items"]
    assert all(set(item) == KEYS for item in items), items
    assert [item["city"] for item in items] == expected, items


@then(parsers.re(r"the listed defaults are (?P<listed>.+)"))
def listed_defaults(exchange: Exchange, listed: str) -> None:
    expected = [flag == "yes" for flag in re.findall(r'"([^"]*)"', listed)]
    assert [item["is_default"] for item in exchange.last.json["items"]] == expected, exchange.last.json


@then(step('the addresses seen are the {count:d} of "{username:q}", in the order they were added'))
def addresses_seen(seen: list[dict[str, Any]], count: int, username: str) -> None:
    assert [item["city"] for item in seen] == _cities(count), seen


@then(step('"{username:q}"\'s default address is the one in "{city:q}"'))
def default_address(shop: InProcessShop, username: str, city: str) -> None:
    assert [row.city for row in _book_of(shop, username) if row.is_default] == [city]


@then(step('"{username:q}" has no default address'))
def no_default_address(shop: InProcessShop, username: str) -> None:
    assert not [row.city for row in _book_of(shop, username) if row.is_default]


@then(step('"{username:q}"\'s address book holds {count:d} addresses'))
def book_holds(shop: InProcessShop, username: str, count: int) -> None:
    assert len(_book_of(shop, username)) == count


@then(step('"{owner:q}"\'s address in "{city:q}" is as it was'))
def address_unchanged(shop: InProcessShop, owner: str, city: str) -> None:
    """As the scenario set it up: an_address(city), or the one it gave."""
    found = _stored(shop, owner, city)
    assert found is not None, f"{owner}'s address in {city} is gone"
    assert found.id == shop.remembered[_remembered(owner, city)]
    assert (found.name, found.line1, found.postal_code, found.country) == (
        "Ada Lovelace",
        "1 Main Street",
        "10115",
        "DE",
    )


@then(step("{added:d} of them are added and {refused:d} are refused with 409"))
def added_and_refused(answers: list[Any], added: int, refused: int) -> None:
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] * added + [409] * refused, [(a.status_code, a.text) for a in answers]


@then(step('no address of "{username:q}" is left'))
def no_address_left(shop: InProcessShop, username: str) -> None:
    known = shop.remembered[f"user {username}"]
    query = text("SELECT count(*) FROM addresses WHERE user_id = :user")
    assert shop.in_database(lambda connection: connection.execute(query, {"user": known}).scalar_one()) == 0
