"""Steps about requests and responses, where the HTTP detail is the rule."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from argon2 import PasswordHasher
from falcon.testing import Result
from pytest_bdd import given, parsers, then, when
from sqlalchemy.engine import URL

from shop.app import ShopApp, create_app
from shop.kernel.clock import Clock, utcnow
from shop.kernel.settings import Settings, load_settings
from steps.grammar import step
from steps.shop_client import InProcessShop

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass
class Exchange:
    """What the scenario sent last and what came back."""

    response: Result | None = None
    sent_headers: dict[str, str] = field(default_factory=dict)
    token: str | None = None
    tokens: dict[str, str] = field(default_factory=dict)  # by username
    devices: dict[tuple[str, str], str] = field(default_factory=dict)  # tokens by (username, device)
    history: list[Result] = field(default_factory=list)  # answers kept for comparison
    quoted: Any = None  # the body of the last quote asked for

    @property
    def last(self) -> Result:
        assert self.response is not None, "no request was sent"
        return self.response


def test_settings(database_url: URL, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "_env_file": None,
        "DEBUG": False,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": database_url.render_as_string(hide_password=False),
    }
    values.update(overrides)
    return load_settings(**values)


# Argon2id at its least cost: microseconds, where the production cost is a fifth of a second
# of CPU per hash, several per scenario. Hashes carry their parameters, so logins check them
# the same way. Every real `shop` process the suite starts (create-admin, serve) hashes at
# the production cost, and tests/test_passwords.py holds the production parameters.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def in_process_app(settings: Settings, clock: Clock = utcnow) -> ShopApp:
    """`create_app` as the scenarios run it: in this process, with cheap hashing."""
    return create_app(settings, clock=clock, hasher=CHEAP_HASHER)


@pytest.fixture
def settings(database_url: URL) -> Settings:
    return test_settings(database_url)


class FakeClock:
    """The time as the scenario says it is; it moves only when told to."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 10, 15, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def shop(settings: Settings, clock: FakeClock) -> Iterator[InProcessShop]:
    running = InProcessShop(in_process_app(settings, clock))
    yield running
    running.close()


def start_shop(request: pytest.FixtureRequest, settings: Settings, clock: FakeClock | None = None) -> InProcessShop:
    """Another shop for this scenario, stopped at its end."""
    running = InProcessShop(in_process_app(settings, clock or FakeClock()))
    request.addfinalizer(running.close)
    return running


@given(step('the shop lets "{origin:q}" call it from a browser'), target_fixture="shop")
def shop_with_cors(request: pytest.FixtureRequest, database_url: URL, origin: str) -> InProcessShop:
    return start_shop(request, test_settings(database_url, CORS_ORIGINS=origin))


@pytest.fixture
def shops() -> dict[str, InProcessShop]:
    """Shops by name, for scenarios with more than one."""
    return {}


@pytest.fixture
def exchange() -> Exchange:
    return Exchange()


def send(exchange: Exchange, shop: InProcessShop, method: str, path: str, **options: Any) -> Result:
    headers = options.pop("headers", {})
    exchange.sent_headers = headers
    exchange.response = shop.request(method, path, headers=headers, token=exchange.token, **options)
    return exchange.response


# -- When ---------------------------------------------------------------------


@when(step('a client sends {method:method} "{path:q}"'))
def send_plain(exchange: Exchange, shop: InProcessShop, method: str, path: str) -> None:
    send(exchange, shop, method, path)


@when(step('a client sends {method:method} "{path:q}" with the header "{name}: {value}"'))
def send_with_header(exchange: Exchange, shop: InProcessShop, method: str, path: str, name: str, value: str) -> None:
    send(exchange, shop, method, path, headers={name: value})


@when(step('a browser at "{origin:q}" asks whether it may {method:method} "{path:q}" with the headers "{headers:q}"'))
def send_preflight(exchange: Exchange, shop: InProcessShop, origin: str, method: str, path: str, headers: str) -> None:
    """A CORS preflight, as a browser sends it before a cross-origin request."""
    asking = {"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers}
    send(exchange, shop, "OPTIONS", path, headers=asking)


@when(step('a client sends {method:method} "{path:q}" with a header "{name:q}" of {count:d} "{char:q}" characters'))
def send_with_long_header(
    exchange: Exchange, shop: InProcessShop, method: str, path: str, name: str, count: int, char: str
) -> None:
    send(exchange, shop, method, path, headers={name: char * count})


@when(step('a client sends {method:method} "{path:q}" with the JSON body:'))
def send_json(exchange: Exchange, shop: InProcessShop, method: str, path: str, docstring: str) -> None:
    send(exchange, shop, method, path, headers={"Content-Type": "application/json"}, body=docstring.encode())


@when(step('a client sends {method:method} "{path:q}" with the content type "{content_type:q}" and the body:'))
def send_typed(
    exchange: Exchange, shop: InProcessShop, method: str, path: str, content_type: str, docstring: str
) -> None:
    send(exchange, shop, method, path, headers={"Content-Type": content_type}, body=docstring.encode())


@when(step('a client sends {method:method} "{path:q}" with no content type and the body:'))
def send_untyped(exchange: Exchange, shop: InProcessShop, method: str, path: str, docstring: str) -> None:
    send(exchange, shop, method, path, body=docstring.encode())


@when(step('a client sends {method:method} "{path:q}" with a JSON body of {size:d} bytes'))
def send_large(exchange: Exchange, shop: InProcessShop, method: str, path: str, size: int) -> None:
    prefix, suffix = b'{"username": "', b'", "password": "x"}'
    body = prefix + b"a" * (size - len(prefix) - len(suffix)) + suffix
    assert len(body) == size
    send(exchange, shop, method, path, headers={"Content-Type": "application/json"}, body=body)


@when(step('a client sends {method:method} "{path:q}" with a username that is a number of {digits:d} digits'))
def send_long_number(exchange: Exchange, shop: InProcessShop, method: str, path: str, digits: int) -> None:
    body = b'{"username": ' + b"7" * digits + b', "password": "x"}'
    send(exchange, shop, method, path, headers={"Content-Type": "application/json"}, body=body)


@when(step('a client sends {method:method} "{path:q}" with a NUL string nested {depth:d} arrays deep'))
def send_deep_nul(exchange: Exchange, shop: InProcessShop, method: str, path: str, depth: int) -> None:
    body = b'{"username": ' + b"[" * depth + b'"\\u0000"' + b"]" * depth + b', "password": "x"}'
    send(exchange, shop, method, path, headers={"Content-Type": "application/json"}, body=body)


@when(step('a client sends {method:method} "{path:q}" with the raw bytes {data}'))
def send_raw_bytes(exchange: Exchange, shop: InProcessShop, method: str, path: str, data: str) -> None:
    body = bytes.fromhex(data.replace(" ", ""))
    send(exchange, shop, method, path, headers={"Content-Type": "application/json"}, body=body)


# -- Then ---------------------------------------------------------------------


@then(step("the response status is {status:d}"))
def status_is(exchange: Exchange, status: int) -> None:
    assert exchange.last.status_code == status, (exchange.last.status_code, exchange.last.text)


@then("the response body is:")
def body_is(exchange: Exchange, docstring: str) -> None:
    assert exchange.last.json == json.loads(docstring)


@then(step('the response header "{name:q}" is "{value:q}"'))
def header_is(exchange: Exchange, name: str, value: str) -> None:
    assert exchange.last.headers.get(name) == value, exchange.last.headers


@then("the response has no body")
def no_body(exchange: Exchange) -> None:
    assert exchange.last.content == b"", exchange.last.content[:200]


@then(step('the response has no header "{name:q}"'))
def no_header(exchange: Exchange, name: str) -> None:
    assert name not in exchange.last.headers, exchange.last.headers


@then(step('the response header "{name:q}" contains "{value:q}"'))
def header_contains(exchange: Exchange, name: str, value: str) -> None:
    assert value in (exchange.last.headers.get(name) or ""), exchange.last.headers


@then(step('the response header "{name:q}" starts with "{value:q}"'))
def header_starts_with(exchange: Exchange, name: str, value: str) -> None:
    assert (exchange.last.headers.get(name) or "").startswith(value), exchange.last.headers


@then(step('the response header "{name:q}" does not contain "{value:q}"'))
def header_lacks(exchange: Exchange, name: str, value: str) -> None:
    assert value not in (exchange.last.headers.get(name) or ""), exchange.last.headers


@then(step("the response is a problem with status {status:d}"))
def is_problem(exchange: Exchange, status: int) -> None:
    response = exchange.last
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json
    assert {"type", "title", "status", "detail", "request_id"} <= body.keys(), body
    assert body["type"].startswith("urn:shop:problem:"), body  # one family for every error
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"] and not body["title"][0].isdigit()
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["request_id"] == response.headers["X-Request-ID"]


@then(parsers.re(r'the response redirects (?P<for_good>for good )?to "(?P<path>[^"]+)"'))
def redirects_to(exchange: Exchange, path: str, for_good: str | None) -> None:
    response = exchange.last
    assert response.status_code == (301 if for_good else 302), response.status_code
    assert urlsplit(response.headers["Location"]).path == path, response.headers["Location"]


@then(step('the problem\'s type is "{kind:q}"'))
def problem_type_is(exchange: Exchange, kind: str) -> None:
    assert exchange.last.json["type"] == kind, exchange.last.json


@then(step('the problem says "{text:q}"'))
def problem_says(exchange: Exchange, text: str) -> None:
    assert text.lower() in exchange.last.json["detail"].lower(), exchange.last.json


@then("the problem lists these errors:")
def problem_errors(exchange: Exchange, datatable: list[list[str]]) -> None:
    expected = [(json.loads(loc), msg) for loc, msg in datatable[1:]]
    errors = exchange.last.json.get("errors")
    assert isinstance(errors, list), exchange.last.json
    for loc, msg in expected:
        assert any(e["loc"] == loc and msg.lower() in e["msg"].lower() for e in errors), (loc, msg, errors)
    assert len(errors) == len(expected), errors


@then(step('the response does not mention "{text:q}"'))
def does_not_mention(exchange: Exchange, text: str) -> None:
    assert text.lower() not in exchange.last.text.lower()
    assert all(text.lower() not in value.lower() for value in exchange.last.headers.values())


@then(step('the response mentions "{text:q}"'))
def mentions(exchange: Exchange, text: str) -> None:
    assert text in exchange.last.text, exchange.last.text[:300]


@then(step('the response carries the request id "{request_id:q}"'))
def carries_request_id(exchange: Exchange, request_id: str) -> None:
    assert exchange.last.headers["X-Request-ID"] == request_id


@then("the response carries a fresh request id")
def carries_fresh_request_id(exchange: Exchange) -> None:
    request_id = exchange.last.headers["X-Request-ID"]
    assert UUID.match(request_id), request_id
    assert request_id not in exchange.sent_headers.values()


# -- Lists --------------------------------------------------------------------


@when(step('the client follows next_cursor from GET "{path:q}"'), target_fixture="seen")
def follow_cursor(exchange: Exchange, shop: InProcessShop, path: str) -> list[dict[str, Any]]:
    """Every item of a list, walked page by page through next_cursor."""
    seen: list[dict[str, Any]] = []
    response = send(exchange, shop, "GET", path)
    for _ in range(1000):
        assert response.status_code == 200, response.text
        seen += response.json["items"]
        cursor = response.json["next_cursor"]
        if cursor is None:
            return seen
        response = send(exchange, shop, "GET", f"{path}&cursor={cursor}")
    raise AssertionError("the cursor never ended")


@then(step("the page says page {page:d} of {per_page:d} per page with {total:d} in total"))
def page_says(exchange: Exchange, page: int, per_page: int, total: int) -> None:
    body = exchange.last.json
    assert (body["page"], body["per_page"], body["total"]) == (page, per_page, total)


@then(parsers.re(r"the Link header has (?P<rels>[a-z, ]+)"))
def link_header(exchange: Exchange, rels: str) -> None:
    links = exchange.last.headers["Link"]
    assert re.findall(r'rel="(\w+)"', links) == re.findall(r"\w+", rels.replace(" and ", " "))


@then("next_cursor is null")
def no_next_cursor(exchange: Exchange) -> None:
    assert exchange.last.json["next_cursor"] is None


@given("the client holds no token")
def no_token(exchange: Exchange) -> None:
    exchange.token = None
