"""Steps about users, logging in and tokens."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from falcon.testing import Result
from joserfc import jwt
from joserfc.jwk import OctKey
from pytest_bdd import given, parsers, then, when
from redis import Redis
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import URL, Row

from shop.app import ShopApp
from shop.kernel.settings import Settings
from shop.login.guard import RedisAttempts
from shop.storage.models import LoginAttempt, Order, User
from shop.users.service import create_user
from steps.grammar import step
from steps.http import Exchange, FakeClock, in_process_app, send, start_shop, test_settings
from steps.shop_client import InProcessShop

REDIS_URL = "redis://127.0.0.1:6379/0"


def names(text: str) -> list[str]:
    """`"a", "b" and "c"` -> ["a", "b", "c"]."""
    return re.findall(r'"([^"]*)"', text)


def add_user(shop: InProcessShop, app: ShopApp, username: str, password: str, role: str) -> int:
    user = create_user(
        app.database,
        username=username,
        email=f"{username.lower()}@shop.example",
        password_hash=app.passwords.hasher.hash(password),
        role=role,
        now=app.clock(),
    )
    return shop.run(user).id


@contextmanager
def shop_with_user(settings: Settings, username: str, role: str) -> Iterator[tuple[InProcessShop, str]]:
    """A started shop with one user, logged in: the shop and the user's token."""
    shop = InProcessShop(in_process_app(settings))
    try:
        add_user(shop, shop.app, username, "correct horse battery", role)
        yield shop, login(shop, username, "correct horse battery").json["access_token"]
    finally:
        shop.close()


def stored_user(shop: InProcessShop, username: str) -> Row[Any] | None:
    return shop.in_database(
        lambda connection: connection.execute(select(User).where(User.username == username)).first()
    )


def user_id(shop: InProcessShop, username: str) -> int:
    user = stored_user(shop, username)
    assert user is not None, f"no user {username}"
    return int(user.id)


def change_stored(shop: InProcessShop, statement: Any) -> None:
    shop.in_database(lambda connection: connection.execute(statement))


def login(shop: InProcessShop, username: str, password: str, client: str | None = None) -> Any:
    return shop.request("POST", "/login", json={"username": username, "password": password}, remote_addr=client)


# -- Given --------------------------------------------------------------------


@given(parsers.re(r'an? (?P<role>customer|admin) "(?P<username>[^"]+)" with the password "(?P<password>[^"]+)"'))
def a_user(shop: InProcessShop, role: str, username: str, password: str) -> None:
    add_user(shop, shop.app, username, password, role)


@given(parsers.re(r"the customers (?P<listed>.+)"))
def customers(shop: InProcessShop, listed: str) -> None:
    for username in names(listed):
        add_user(shop, shop.app, username, "correct horse battery", "customer")


@given(step('"{username:q}" has logged in'))
def has_logged_in(exchange: Exchange, shop: InProcessShop, username: str) -> None:
    response = login(shop, username, "correct horse battery")
    assert response.status_code == 200, response.text
    exchange.token = exchange.tokens[username] = response.json["access_token"]


@given(step('"{username:q}" has been deleted'))
def has_been_deleted(shop: InProcessShop, username: str) -> None:
    change_stored(shop, delete(User).where(User.username == username))


@given(step('"{username:q}" has been made a customer'))
def has_been_demoted(shop: InProcessShop, username: str) -> None:
    change_stored(shop, update(User).where(User.username == username).values(role="customer"))


@given(step('"{username:q}" has a cancelled order'))
def has_cancelled_order(shop: InProcessShop, username: str) -> None:
    owner = user_id(shop, username)

    values = {"user_id": owner, "status": "cancelled", "total_cents": 0, "total_set_by_admin": False}
    change_stored(shop, insert(Order).values(**values, created_at=shop.app.clock(), updated_at=shop.app.clock()))


@given("registration is open", target_fixture="shop")
def open_registration(request: pytest.FixtureRequest, database_url: URL, clock: FakeClock) -> InProcessShop:
    return start_shop(request, test_settings(database_url, OPEN_REGISTRATION=True), clock)


# -- Failed logins and time ---------------------------------------------------


def fail_logins(shop: InProcessShop, username: str, times: int, client: str | None = None) -> None:
    for _ in range(times):
        assert login(shop, username, "not the password", client).status_code == 401


@given(step('"{username:q}" has sent a wrong current password {times:d} times'))
def wrong_current_passwords(exchange: Exchange, shop: InProcessShop, username: str, times: int) -> None:
    body = json.dumps({"password": "analytical engine", "current_password": "not the password"})
    for _ in range(times):
        exchange.token = exchange.tokens[username]
        response = change_user(exchange, shop, username, body)
        assert response.status_code == 403, response.text


@given(step('"{username:q}" has failed to log in {times:d} times'))
def failed_logins(shop: InProcessShop, username: str, times: int) -> None:
    fail_logins(shop, username, times)


@given(step('"{username:q}" has failed to log in {times:d} times from {client}'))
def failed_logins_from(shop: InProcessShop, username: str, times: int, client: str) -> None:
    fail_logins(shop, username, times, client)


@given(step("the client at {client} has failed to log in as {count:d} different users"))
def failed_across_usernames(shop: InProcessShop, client: str, count: int) -> None:
    for number in range(count):
        fail_logins(shop, f"stranger{number}", 1, client)


@when(step('"{username:q}" logs in with the password "{password:q}" from {client}'))
def logs_in_from(exchange: Exchange, shop: InProcessShop, username: str, password: str, client: str) -> None:
    exchange.response = login(shop, username, password, client)


@then("the database holds no failed login older than 15 minutes")
def no_old_failed_login(shop: InProcessShop, clock: FakeClock) -> None:
    since = clock() - timedelta(minutes=15)
    statement = select(func.count()).where(LoginAttempt.attempted_at <= since)
    assert shop.in_database(lambda connection: connection.execute(statement).scalar_one()) == 0


@given(step('"{username:q}" has failed to log in {times:d} times on the {which:w} shop'))
def failed_logins_on(shops: dict[str, InProcessShop], username: str, times: int, which: str) -> None:
    fail_logins(shops[which], username, times)


@given(parsers.re(r"(?P<minutes>\d+) (?:more )?minutes pass"))
@when(parsers.re(r"(?P<minutes>\d+) (?:more )?minutes pass"))
def minutes_pass(clock: FakeClock, minutes: str) -> None:
    clock.advance(timedelta(minutes=int(minutes)))


@given("a second shop on the same database")
def second_shop(
    request: pytest.FixtureRequest, shop: InProcessShop, shops: dict[str, InProcessShop], clock: FakeClock
) -> None:
    shops["first"] = shop
    shops["second"] = start_shop(request, shop.app.settings, clock)


@given("two shops on the same database that count failures in Redis")
def two_redis_shops(
    request: pytest.FixtureRequest, database_url: URL, shops: dict[str, InProcessShop], clock: FakeClock
) -> None:
    with Redis.from_url(REDIS_URL) as redis:
        redis.delete(RedisAttempts.PREFIX + "ada|127.0.0.1", RedisAttempts.CLIENTS + "127.0.0.1")
    for which in ("first", "second"):
        shops[which] = start_shop(request, test_settings(database_url, REDIS_URL=REDIS_URL), clock)


@when(step('"{username:q}" logs in with the password "{password:q}" on the {which:w} shop'))
def logs_in_on(exchange: Exchange, shops: dict[str, InProcessShop], username: str, password: str, which: str) -> None:
    send(exchange, shops[which], "POST", "/login", json={"username": username, "password": password})


@then(step('the database holds no failed login for "{username:q}"'))
def no_failed_login_stored(shop: InProcessShop, username: str) -> None:
    statement = select(func.count()).where(LoginAttempt.username_key == username.lower())
    assert shop.in_database(lambda connection: connection.execute(statement).scalar_one()) == 0


# -- Tokens -------------------------------------------------------------------


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def forged_token(kind: str, settings: Settings, good_token: str, subject: int) -> str:
    """Tokens the shop must refuse, each wrong in one way."""
    key = OctKey.import_key(settings.SECRET_KEY)
    now = int(time.time())
    claims = {"sub": str(subject), "role": "customer", "iat": now, "exp": now + 3600, "jti": "x"}
    if kind in ("a token that expired a minute ago", "a token that expired a second ago"):
        ago = 60 if "minute" in kind else 1
        return jwt.encode({"alg": "HS256"}, {**claims, "iat": now - 4 * 3600, "exp": now - ago}, key)
    if kind == "a token whose payload was changed":
        header, _, signature = good_token.split(".")
        return ".".join([header, _b64({**claims, "role": "admin"}), signature])
    if kind == "a token signed with another key":
        return jwt.encode(
            {"alg": "HS256"}, claims, OctKey.import_key("another key that is long enough to be used here")
        )
    if kind == 'a token with "alg" none':
        return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    if kind == "a token signed with HS512 and the right key":
        return jwt.encode({"alg": "HS512"}, claims, key, algorithms=["HS512"])
    if kind == 'a token without "exp"':
        return jwt.encode({"alg": "HS256"}, {k: v for k, v in claims.items() if k != "exp"}, key)
    if kind == 'a token whose "sub" is not a user id':
        return jwt.encode({"alg": "HS256"}, {**claims, "sub": "ada"}, key)
    if written := re.fullmatch(r'a token whose "sub" is "(.*)"', kind):
        # Ada's id, written in a way that is not a plain id ("{ada}" stands for it).
        return jwt.encode({"alg": "HS256"}, {**claims, "sub": written[1].replace("{ada}", str(subject))}, key)
    raise AssertionError(f"unknown kind of token: {kind}")


@when(parsers.re(r'a client sends GET "(?P<path>[^"]+)" presenting (?P<credentials>.+)'))
def send_with_credentials(
    exchange: Exchange, shop: InProcessShop, settings: Settings, path: str, credentials: str
) -> None:
    headers: dict[str, str] = {}
    if credentials.startswith("the Authorization header"):
        headers["Authorization"] = names(credentials)[0]
    elif credentials != "no Authorization header":
        assert exchange.token is not None
        ada = user_id(shop, "ada")
        headers["Authorization"] = f"Bearer {forged_token(credentials, settings, exchange.token, ada)}"
    exchange.response = shop.request("GET", path, headers=headers)


# -- Users over HTTP ----------------------------------------------------------


@when(step('a client creates the user "{username:q}" with a password of {count:d} "{char:q}" characters'))
def create_with_long_password(exchange: Exchange, shop: InProcessShop, username: str, count: int, char: str) -> None:
    body = {"username": username, "email": f"{username}@shop.example", "password": char * count}
    send(exchange, shop, "POST", "/users", json=body)


@when(step('"{caller:q}" asks for the user "{username:q}"'))
def asks_for_user(exchange: Exchange, shop: InProcessShop, caller: str, username: str) -> None:
    exchange.token = exchange.tokens[caller]
    send(exchange, shop, "GET", f"/users/{user_id(shop, username)}")


@when(step('"{caller:q}" changes the user "{username:q}" with:'))
def changes_user(exchange: Exchange, shop: InProcessShop, caller: str, username: str, docstring: str) -> None:
    exchange.token = exchange.tokens[caller]
    change_user(exchange, shop, username, docstring)


@when(step('"{caller:q}" on the {device:w} changes the user "{username:q}" with:'))
def changes_user_on(
    exchange: Exchange, shop: InProcessShop, caller: str, device: str, username: str, docstring: str
) -> None:
    exchange.token = exchange.devices[caller, device]
    change_user(exchange, shop, username, docstring)


def change_user(exchange: Exchange, shop: InProcessShop, username: str, docstring: str) -> Result:
    return send(
        exchange,
        shop,
        "PATCH",
        f"/users/{user_id(shop, username)}",
        headers={"Content-Type": "application/json"},
        body=docstring.encode(),
    )


@when(step('"{caller:q}" deletes the user "{username:q}"'))
def deletes_user(exchange: Exchange, shop: InProcessShop, caller: str, username: str) -> None:
    exchange.token = exchange.tokens[caller]
    send(exchange, shop, "DELETE", f"/users/{user_id(shop, username)}")


@then(parsers.re(r"the usernames seen are (?P<listed>.+)"))
def usernames_seen(seen: list[dict[str, Any]], listed: str) -> None:
    assert [user["username"] for user in seen] == names(listed)


@then(parsers.re(r"the listed usernames are (?P<listed>.+)"))
def listed_usernames(exchange: Exchange, listed: str) -> None:
    assert [user["username"] for user in exchange.last.json["items"]] == names(listed)


@then(step('the response is the user "{username:q}" with the email "{email:q}" and the role "{role:w}"'))
def response_is_user(exchange: Exchange, username: str, email: str, role: str) -> None:
    body = exchange.last.json
    assert set(body) == {"id", "username", "email", "role", "created_at"}, body
    assert (body["username"], body["email"], body["role"]) == (username, email, role)
    assert isinstance(body["id"], int)
    assert body["id"] > 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["created_at"])


@then('the response header "Location" is the new user\'s address')
def location_of_new_user(exchange: Exchange) -> None:
    assert exchange.last.headers["Location"].endswith(f"/users/{exchange.last.json['id']}")


@then(step('"{username:q}" can log in with the password "{password:q}"'))
def can_log_in_with(shop: InProcessShop, username: str, password: str) -> None:
    assert login(shop, username, password).status_code == 200


@then(step('"{username:q}" cannot log in with the password "{password:q}"'))
def cannot_log_in_with(shop: InProcessShop, username: str, password: str) -> None:
    assert login(shop, username, password).status_code == 401


@then(step('no user "{username:q}" exists'))
def no_such_user(shop: InProcessShop, username: str) -> None:
    assert stored_user(shop, username) is None


@then(step('the user "{username:q}" exists'))
def user_exists(shop: InProcessShop, username: str) -> None:
    assert stored_user(shop, username) is not None


@then(parsers.re(r'"(?P<username>[^"]+)" is an? (?P<role>customer|admin)'))
def has_role(shop: InProcessShop, username: str, role: str) -> None:
    user = stored_user(shop, username)
    assert user is not None
    assert user.role == role


# -- Logging in ---------------------------------------------------------------


@when(step('"{username:q}" logs in with the password "{password:q}"'))
@given(step('"{username:q}" logs in with the password "{password:q}"'))
def logs_in(exchange: Exchange, shop: InProcessShop, username: str, password: str) -> None:
    send(exchange, shop, "POST", "/login", json={"username": username, "password": password})


@when(step('"{username:q}" logs in with the password "{password:q}" sending the header "{name}: {value:q}"'))
def logs_in_with_header(
    exchange: Exchange, shop: InProcessShop, username: str, password: str, name: str, value: str
) -> None:
    send(exchange, shop, "POST", "/login", json={"username": username, "password": password}, headers={name: value})


@then(step("the response has a bearer token that expires in {seconds:d} seconds"))
def bearer_token(exchange: Exchange, settings: Settings, seconds: int) -> None:
    body = exchange.last.json
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == seconds
    token = jwt.decode(body["access_token"], OctKey.import_key(settings.SECRET_KEY), algorithms=["HS256"])
    assert token.header["alg"] == "HS256"
    claims = token.claims
    assert {"sub", "role", "iat", "exp", "jti"} <= claims.keys()
    assert claims["exp"] - claims["iat"] == seconds
    assert abs(claims["iat"] - time.time()) < 60


# -- Sessions -----------------------------------------------------------------


@given(step('"{username:q}" has logged in on a {first:w} and on a {second:w}'))
def has_logged_in_twice(exchange: Exchange, shop: InProcessShop, username: str, first: str, second: str) -> None:
    for device in (first, second):
        has_logged_in(exchange, shop, username)
        exchange.devices[username, device] = exchange.tokens[username]
    exchange.tokens[username] = exchange.devices[username, first]


@when(step('"{username:q}" logs out on the {device:w}'))
def logs_out(exchange: Exchange, shop: InProcessShop, username: str, device: str) -> None:
    exchange.token = exchange.devices[username, device]
    send(exchange, shop, "POST", "/logout")


@given(step('"{username:q}" has logged out on the {device:w}'))
def has_logged_out(exchange: Exchange, shop: InProcessShop, username: str, device: str) -> None:
    logs_out(exchange, shop, username, device)
    assert exchange.last.status_code == 204, exchange.last.text


def status_with(shop: InProcessShop, token: str, path: str = "/users/me") -> int:
    status: int = shop.request("GET", path, token=token).status_code
    return status


@then(step('"{username:q}"\'s token on the {device:w} is refused'))
def device_token_refused(exchange: Exchange, shop: InProcessShop, username: str, device: str) -> None:
    assert status_with(shop, exchange.devices[username, device]) == 401


@then(step('"{username:q}"\'s token on the {device:w} still opens GET "{path:q}"'))
def device_token_opens(exchange: Exchange, shop: InProcessShop, username: str, device: str, path: str) -> None:
    assert status_with(shop, exchange.devices[username, device], path) == 200


@then(step('"{username:q}"\'s token still opens GET "{path:q}"'))
def token_still_opens(exchange: Exchange, shop: InProcessShop, username: str, path: str) -> None:
    assert status_with(shop, exchange.tokens[username], path) == 200


@then(step('the new token opens GET "{path:q}"'))
def new_token_opens(exchange: Exchange, shop: InProcessShop, path: str) -> None:
    assert status_with(shop, exchange.last.json["access_token"], path) == 200


@when(step('a client sends GET "{path:q}" with "{username:q}"\'s token on the {device:w}'))
def send_with_device_token(exchange: Exchange, shop: InProcessShop, path: str, username: str, device: str) -> None:
    exchange.token = exchange.devices[username, device]
    send(exchange, shop, "GET", path)


# -- Signing up ---------------------------------------------------------------


def sign_up(shop: InProcessShop, username: str, client: str) -> Result:
    body = {"username": username, "email": f"{username}@shop.example", "password": "a long sign-up passphrase"}
    result: Result = shop.request("POST", "/users", json=body, remote_addr=client)
    return result


@when(step('"{caller:q}" adds the user "{username:q}" with the password "{password:q}"'))
def adds_user(exchange: Exchange, shop: InProcessShop, caller: str, username: str, password: str) -> None:
    exchange.token = exchange.tokens[caller]
    body = {"username": username, "email": f"{username}@shop.example", "password": password}
    send(exchange, shop, "POST", "/users", json=body)


@given(step("{count:d} customers have signed up from {client}"))
def have_signed_up(shop: InProcessShop, count: int, client: str) -> None:
    for number in range(count):
        response = sign_up(shop, f"customer{number}", client)
        assert response.status_code == 201, response.text


@when(step('a client at {client} signs up as "{username:q}"'))
def signs_up(exchange: Exchange, shop: InProcessShop, client: str, username: str) -> None:
    exchange.response = sign_up(shop, username, client)
