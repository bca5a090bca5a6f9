"""Steps about users and logging in."""

from __future__ import annotations

import time

from joserfc import jwt
from joserfc.jwk import OctKey
from pytest_bdd import given, parsers, then, when

from shop.app import ShopApp
from shop.passwords import hash_password_sync
from shop.settings import Settings
from shop.users.service import create_user
from steps.grammar import step
from steps.http import Exchange, send
from steps.shop_client import InProcessShop


def add_user(shop: InProcessShop, app: ShopApp, username: str, password: str, role: str) -> int:
    async def work() -> int:
        async with app.database.write() as session:
            user = await create_user(
                session,
                username=username,
                email=f"{username.lower()}@shop.example",
                password_hash=hash_password_sync(password),
                role=role,
            )
            return user.id

    return shop.run(work())


@given(parsers.re(r'an? (?P<role>customer|admin) "(?P<username>[^"]+)" with the password "(?P<password>[^"]+)"'))
def a_user(shop: InProcessShop, role: str, username: str, password: str) -> None:
    add_user(shop, shop.app, username, password, role)


@when(step('"{username:q}" logs in with the password "{password:q}"'))
def logs_in(exchange: Exchange, shop: InProcessShop, username: str, password: str) -> None:
    send(exchange, shop, "POST", "/login", json={"username": username, "password": password})


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
