"""`POST /login`: a username and password for an access token."""

from __future__ import annotations

import falcon.asgi
from pydantic import BaseModel, ConfigDict

from shop import codec
from shop.database import Database
from shop.errors import Problem
from shop.passwords import Passwords
from shop.tokens import Tokens
from shop.users.service import find_by_username
from shop.validation import parse_body


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    username: str
    password: str


def bad_credentials() -> Problem:
    # One answer for an unknown user and a wrong password: nothing to enumerate.
    return Problem(
        401,
        "The username or password is not correct.",
        title="Unauthorized",
        headers={"WWW-Authenticate": "Bearer"},
    )


class Login:
    def __init__(self, database: Database, passwords: Passwords, tokens: Tokens) -> None:
        self.database = database
        self.passwords = passwords
        self.tokens = tokens

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        credentials = await parse_body(req, Credentials)
        async with self.database.read() as session:
            user = await find_by_username(session, credentials.username)
        password_hash = user.password_hash if user is not None else None
        if not await self.passwords.verify(password_hash, credentials.password) or user is None:
            raise bad_credentials()
        req.context.user_id = user.id
        token = self.tokens.issue(user.id, user.role)
        resp.data = codec.dumps(
            {"access_token": token, "token_type": "Bearer", "expires_in": self.tokens.lifetime_seconds}
        )
