"""`POST /login`: a username and password for an access token."""

from __future__ import annotations

from typing import Annotated, Literal, TypedDict

import falcon.asgi
from pydantic import BaseModel, ConfigDict, Field

from shop.kernel import codec
from shop.kernel.passwords import Passwords
from shop.kernel.tokens import Tokens
from shop.login.guard import LoginGuard
from shop.storage.database import Database
from shop.users import service as users
from shop.web.auth import caller_of
from shop.web.metrics import Metrics
from shop.web.openapi import BUSY, Answer, Operation, documented, problem
from shop.web.problems import unauthorized
from shop.web.validation import parse_body


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    username: Annotated[str, Field(min_length=1, max_length=320, examples=["ada"])]
    password: Annotated[str, Field(max_length=1024, examples=["correct horse battery"])]


class Token(TypedDict):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int


class Login:
    """`POST /login`. A token sent along is not looked at: a client holding a
    stale one must still be able to log in again."""

    public = frozenset({"POST"})

    def __init__(
        self, database: Database, passwords: Passwords, tokens: Tokens, guard: LoginGuard, metrics: Metrics
    ) -> None:
        self.database = database
        self.passwords = passwords
        self.tokens = tokens
        self.guard = guard
        self.metrics = metrics

    @documented(
        Operation(
            "logIn",
            "Trade a username and password for a bearer token",
            description="The token is a JWT (HS256) for `Authorization: Bearer <token>`, valid for `expires_in` "
            "seconds. After 5 failed logins for a username from one address within 15 minutes, it is locked for that "
            "address until the window passes; an address that fails for more than 10 usernames is refused for all.",
            body=Credentials,
            answers={
                200: Answer("A bearer token.", Token),
                401: problem("The username or password is not correct.", "WWW-Authenticate"),
                429: problem("Too many failed logins for this username, or from this address.", "Retry-After"),
                503: BUSY,
            },
        )
    )
    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.cache_control = ["no-store"]  # the answer is a token: no cache may keep it
        credentials = await parse_body(req, Credentials)
        key = users.username_key(credentials.username)
        user = await users.by_username(self.database, credentials.username)
        # Unknown users are checked against a dummy hash: same time, same answer.
        password_hash = user.password_hash if user else None
        verified = await self.guard.check(
            key, req.remote_addr, lambda: self.passwords.verify(password_hash, credentials.password)
        )
        if user is None or not verified:
            self.metrics.login_failures.inc()
            raise unauthorized("The username or password is not correct.")
        req.context.user_id = user.id
        token: Token = {
            "access_token": self.tokens.issue(user.id, user.role, user.session_generation),
            "token_type": "Bearer",
            "expires_in": self.tokens.lifetime_seconds,
        }
        resp.data = codec.dumps(token)


class Logout:
    """`POST /logout`: the caller's sessions end, on every device."""

    def __init__(self, database: Database) -> None:
        self.database = database

    @documented(
        Operation(
            "logOut",
            "End every session of the caller",
            description="Every token issued to the caller so far, this one included, is refused from now on "
            "(by every worker within a second). Log in again for a fresh token.",
            answers={204: Answer("Logged out.")},
        )
    )
    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        await users.log_out(self.database, caller_of(req))
        resp.status = 204
