"""Who is calling: bearer tokens, checked against the user as stored now
(another worker's change of a role shows within a second)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import falcon.asgi

from shop.kernel.callers import Caller
from shop.kernel.tokens import InvalidToken, Tokens
from shop.storage.database import Database
from shop.storage.recent import Recent
from shop.web.problems import forbidden, refuse_unauthorized, unauthorized

ENDED = (
    "This session has ended: its user logged out, or their password or role changed. "
    "Log in again (POST /login) for a fresh token."
)


class Standing(Protocol):
    """A token's user as stored now (shop.users.service.standing_of)."""

    @property
    def role(self) -> str: ...

    @property
    def session_generation(self) -> int: ...


def caller_of(req: falcon.asgi.Request) -> Caller:
    """The request's caller; resources that allow anonymous callers check for None first."""
    caller: Caller | None = req.context.caller
    if caller is None:
        raise unauthorized("This endpoint needs a bearer token.")
    return caller


def require_admin(req: falcon.asgi.Request) -> Caller:
    caller = caller_of(req)
    if not caller.is_admin:
        raise forbidden()
    return caller


class Authentication:
    """Middleware: a valid bearer token, or an endpoint that lets anonymous callers in.

    A resource lists the methods that ignore tokens altogether in `public`
    (logging in, health, documentation), and those where a token is optional
    but checked when sent in `anonymous`.
    """

    def __init__(
        self, database: Database, tokens: Tokens, standing_of: Callable[[int], Awaitable[Standing | None]]
    ) -> None:
        self.tokens = tokens
        self.standing_of = standing_of
        # A user's role and session generation (None: no such user), remembered
        # for at most a second and until this app's next write: one database
        # trip fewer on nearly every request. Another worker's demotion,
        # deletion or logout shows within that second.
        self._standings: Recent[Standing | None] = Recent(database.writes)

    async def process_resource(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, resource: Any, params: dict[str, Any]
    ) -> None:
        req.context.caller = None
        if resource is None or not hasattr(resource, f"on_{req.method.lower()}"):
            return  # 404 and 405 (and CORS preflights) are answered without a token
        method = "GET" if req.method == "HEAD" else req.method  # HEAD asks for what GET would
        if method in getattr(resource, "public", ()):
            return
        header = req.get_header("Authorization")
        if header is None:
            if method in getattr(resource, "anonymous", ()):
                return
            refuse_unauthorized(req, resp, "This endpoint needs a bearer token.")
            return
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            refuse_unauthorized(req, resp, "The Authorization header must be 'Bearer <token>'.")
            return
        try:
            claims = self.tokens.verify(token.strip())
        except InvalidToken:
            refuse_unauthorized(req, resp, "The token is not valid or has expired.")
            return
        standing = await self._standing_of(claims.user_id)
        if standing is None:
            refuse_unauthorized(req, resp, "The token's user no longer exists.")
            return
        if claims.generation != standing.session_generation:
            refuse_unauthorized(req, resp, ENDED)
            return
        req.context.caller = Caller(id=claims.user_id, role=standing.role)
        req.context.user_id = claims.user_id

    async def _standing_of(self, user_id: int) -> Standing | None:
        return await self._standings.get(user_id, lambda: self.standing_of(user_id))
