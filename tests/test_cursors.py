"""Cursors are the shop's own: any cursor it did not hand out, or whose values
are out of range, is a 422 on every list, never a 5xx."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shop.kernel.settings import Settings
from steps.accounts import add_user, shop_with_user
from steps.shop_client import InProcessShop

# Every list, under every sort it offers: each has a different kind of sort key.
LISTS = [
    "/users?per_page=1",
    "/orders?per_page=1",
    *(f"/products?per_page=1&sort={sort}" for sort in ("id", "-id", "name", "-price", "created_at", "-created_at")),
]
MAX_INT64 = 2**63 - 1


@pytest.fixture
def admin_shop(settings: Settings) -> Iterator[tuple[InProcessShop, str]]:
    with shop_with_user(settings, "root", "admin") as (shop, token):
        add_user(shop, shop.app, "ada", "correct horse battery", "customer")
        for name, price in (("Mug", "4.50"), ("Teapot", "25.00"), ("Cup", "3.00")):
            body = {"name": name, "price": price, "stock": 10}
            assert shop.request("POST", "/products", json=body, token=token).status_code == 201
        for product_id in (1, 2):
            order = {"items": [{"product_id": product_id, "quantity": 1}]}
            assert shop.request("POST", "/orders", json=order, token=token).status_code == 201
        yield shop, token


def next_cursor(shop: InProcessShop, token: str, path: str) -> str:
    response = shop.request("GET", path, token=token)
    assert response.status_code == 200, response.text
    cursor: str = response.json["next_cursor"]
    assert cursor is not None
    return cursor


def _unpadded(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def rewritten(cursor: str, change: dict[str, Any]) -> str:
    """The shop's cursor with its payload changed as a forger would: whatever
    follows the payload (a signature) kept as it was."""
    payload, dot, rest = cursor.partition(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return _unpadded(json.dumps({**data, **change}).encode()) + dot + rest


def status_with_cursor(shop: InProcessShop, token: str, path: str, cursor: str) -> int:
    response = shop.request("GET", f"{path}&{urlencode({'cursor': cursor})}", token=token)
    assert response.status_code < 500, response.text
    status: int = response.status_code
    return status


@pytest.mark.parametrize("path", LISTS)
def test_a_cursor_the_shop_made_works_and_one_changed_by_a_client_is_422(
    admin_shop: tuple[InProcessShop, str], path: str
) -> None:
    shop, token = admin_shop
    cursor = next_cursor(shop, token, path)
    assert status_with_cursor(shop, token, path, cursor) == 200
    data = json.loads(base64.urlsafe_b64decode(cursor.partition(".")[0] + "=="))
    assert status_with_cursor(shop, token, path, rewritten(cursor, {"p": data["p"] + 1})) == 422


key_values = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([MAX_INT64, MAX_INT64 + 1, -(2**63) - 1, 0, -1]),
    st.text(max_size=20),
    st.sampled_from(["a\x00b", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2026-02-30T00:00:00Z"]),
    st.floats(allow_nan=False),
    st.none(),
    st.booleans(),
)
forged_payloads = st.fixed_dictionaries(
    {
        "p": st.one_of(st.integers(min_value=-(2**70), max_value=2**70), st.text(max_size=3)),
        "k": st.lists(key_values, max_size=3),
    }
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(LISTS), payload=forged_payloads, noise=st.text(max_size=60))
def test_forged_and_random_cursors_are_422_on_every_list(
    admin_shop: tuple[InProcessShop, str], path: str, payload: dict[str, Any], noise: str
) -> None:
    shop, token = admin_shop
    forged = rewritten(next_cursor(shop, token, path), payload)
    assert status_with_cursor(shop, token, path, forged) == 422
    if noise:
        assert status_with_cursor(shop, token, path, noise) == 422
