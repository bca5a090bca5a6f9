"""Arbitrary JSON at POST /users and POST /login: never a 5xx, never a user from an invalid body."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import func, select

from shop.kernel import codec
from shop.kernel.settings import Settings
from shop.storage.models import User
from shop.users.schemas import UserCreate
from steps.accounts import shop_with_user
from steps.shop_client import InProcessShop

text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=80)
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | text
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4), max_leaves=8
)
usernames = st.from_regex(r"[A-Za-z0-9_.-]{1,55}", fullmatch=True)
user_bodies = st.fixed_dictionaries(
    {},
    optional={
        "username": usernames | json_values,
        "email": st.emails() | text | json_values,
        "password": st.text(min_size=6, max_size=130) | json_values,
        "role": st.sampled_from(["customer", "admin", "root", "Admin"]) | json_values,
        "extra": json_values,
    },
)
# Bodies that are valid, or nearly: every field right but perhaps one.
well_formed_users = st.fixed_dictionaries(
    {
        "username": st.from_regex(r"[A-Za-z0-9_.-]{3,50}", fullmatch=True),
        "email": st.emails(),
        "password": st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=8, max_size=128),
    },
    optional={"role": st.sampled_from(["customer", "admin"])},
)
login_bodies = st.fixed_dictionaries(
    {}, optional={"username": usernames | json_values, "password": text | json_values, "token": json_values}
) | st.fixed_dictionaries({"username": st.sampled_from(["root", "ROOT", "nobody"]), "password": text})


@pytest.fixture
def admin_shop(settings: Settings) -> Iterator[tuple[InProcessShop, str]]:
    with shop_with_user(settings, "root", "admin") as started:
        yield started


def user_count(shop: InProcessShop) -> int:
    return int(
        shop.in_database(lambda connection: connection.execute(select(func.count()).select_from(User)).scalar_one())
    )


def post(shop: InProcessShop, path: str, body: Any, token: str | None = None) -> Any:
    raw = json.dumps(body, ensure_ascii=False).encode()
    return shop.request("POST", path, headers={"Content-Type": "application/json"}, body=raw, token=token)


def valid_user(body: Any) -> bool:
    if codec.strings_where(body, lambda text: "\x00" in text):
        return False  # no text of any body may hold NUL
    try:
        UserCreate.model_validate(body)
    except ValidationError:
        return False
    return True


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=well_formed_users | user_bodies | json_values)
def test_creating_users_from_any_json(admin_shop: tuple[InProcessShop, str], body: Any) -> None:
    shop, token = admin_shop
    before = user_count(shop)
    response = post(shop, "/users", body, token)
    event(f"status {response.status_code}")
    assert response.status_code < 500, response.text
    if valid_user(body):
        assert response.status_code in (201, 409), response.text
        assert user_count(shop) == before + (response.status_code == 201)
    else:
        assert response.status_code == 422, response.text
        assert response.json["errors"]
        assert all(error["loc"][0] == "body" for error in response.json["errors"])
        assert user_count(shop) == before


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=login_bodies | json_values)
def test_logging_in_with_any_json(admin_shop: tuple[InProcessShop, str], body: Any) -> None:
    shop, _ = admin_shop
    before = user_count(shop)
    response = post(shop, "/login", body)
    event(f"status {response.status_code}")
    assert response.status_code in (401, 422, 429), response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert user_count(shop) == before
