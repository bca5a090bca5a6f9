"""Problem details (RFC 9457) for every error the shop answers with."""

from __future__ import annotations

import errno
import socket
import sqlite3
import uuid
from typing import Any, NotRequired, TypedDict

import asyncpg
import falcon
import falcon.asgi
import sqlalchemy.exc
from loguru import logger
from pydantic import ConfigDict, with_config

from shop import codec

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_SECONDS = 5  # when the database does not answer
_UNREACHABLE = frozenset({errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.ETIMEDOUT})
_TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}


class Problem(falcon.HTTPError):
    """An error with a `type` of its own and, on 422, the list of what was wrong."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        type: str = "about:blank",
        title: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status, title=title, description=detail, headers=headers)
        self.type = type
        self.errors = errors


@with_config(ConfigDict(extra="forbid"))
class ErrorItem(TypedDict):
    loc: list[str | int]
    msg: str


@with_config(ConfigDict(extra="forbid"))
class ProblemDetails(TypedDict):
    """RFC 9457 problem details, as every error is answered."""

    type: str
    title: str
    status: int
    detail: str
    request_id: str
    errors: NotRequired[list[ErrorItem]]


def validation_error(errors: list[dict[str, Any]], detail: str = "The request is not valid.") -> Problem:
    return Problem(422, detail, type="urn:shop:problem:validation", title="Unprocessable Content", errors=errors)


def _request_id(req: falcon.asgi.Request) -> str:
    request_id: str | None = getattr(req.context, "request_id", None)
    if request_id is None:  # the request failed before the middleware named it
        request_id = req.context.request_id = str(uuid.uuid4())
    return request_id


def problem_body(req: falcon.asgi.Request, error: falcon.HTTPError) -> ProblemDetails:
    status = error.status_code
    # Falcon's default titles are status lines ("404 Not Found"); keep the phrase,
    # in RFC 9110's words where they changed.
    title = _TITLES.get(status) or (error.title or falcon.code_to_http_status(status)).removeprefix(f"{status} ")
    body: ProblemDetails = {
        "type": getattr(error, "type", "about:blank"),
        "title": title,
        "status": status,
        "detail": error.description or title,
        "request_id": _request_id(req),
    }
    errors = getattr(error, "errors", None)
    if errors is not None:
        body["errors"] = errors
    return body


def serialize_problem(req: falcon.asgi.Request, resp: falcon.asgi.Response, error: falcon.HTTPError) -> None:
    """Falcon's error serializer: every HTTPError becomes problem+json."""
    resp.content_type = PROBLEM_JSON
    resp.data = codec.dumps(problem_body(req, error))


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` says the database cannot be reached, or is busy past
    waiting (SQLite's lock, PostgreSQL shutting down): a 503, not a bug."""
    if isinstance(error, sqlalchemy.exc.DBAPIError):
        if error.connection_invalidated:
            return True
        error = error.orig if error.orig is not None else error
    if isinstance(error, sqlalchemy.exc.TimeoutError | ConnectionError | TimeoutError | socket.gaierror):
        return True  # pool or connect timeout, refused, reset, a name that does not resolve
    if type(error) is OSError and error.errno in _UNREACHABLE:
        return True
    if isinstance(error, sqlite3.OperationalError):
        text = str(error)  # SQLite's own words
        return "locked" in text or "busy" in text or "unable to open" in text or "disk I/O" in text
    if isinstance(error, asyncpg.exceptions.ConnectionDoesNotExistError):
        return True
    # asyncpg: connection exceptions (08...), shutdowns (57P0x), too many connections (53300).
    sqlstate = getattr(error, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate.startswith(("08", "57P", "53300"))


async def handle_unexpected(
    req: falcon.asgi.Request, resp: falcon.asgi.Response, error: Exception, params: dict[str, Any]
) -> None:
    """A bug: log the traceback with the request id, answer 500 without it.
    A database that does not answer is no bug: 503 with Retry-After."""
    if database_unavailable(error):
        # The type only: a driver's message can carry SQL and its parameters.
        logger.bind(request_id=getattr(req.context, "request_id", "-")).warning(
            "database unavailable on {} {}: {}", req.method, req.path, type(error).__name__
        )
        resp.status = 503
        resp.set_header("Retry-After", str(RETRY_AFTER_SECONDS))
        serialize_problem(req, resp, Problem(503, "The database is not available right now; retry in a moment."))
        return
    logger.bind(request_id=getattr(req.context, "request_id", "-")).opt(exception=error).error(
        "unhandled error on {} {}", req.method, req.path
    )
    resp.status = 500
    serialize_problem(
        req,
        resp,
        Problem(500, "The server could not complete the request. Quote the request_id when reporting it."),
    )


class ShopError(Exception):
    """A broken rule of the shop, raised by the rules and shown as a problem."""

    status = 400
    slug = "bad-request"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class NotFound(ShopError):
    status, slug = 404, "not-found"


class Forbidden(ShopError):
    status, slug = 403, "forbidden"


class Conflict(ShopError):
    status, slug = 409, "conflict"


class PreconditionFailed(ShopError):
    status, slug = 412, "precondition-failed"


class Invalid(ShopError):
    """Valid JSON that breaks a rule; `errors[].loc` says where."""

    status, slug = 422, "validation"

    @classmethod
    def at(cls, loc: list[str | int], msg: str) -> Invalid:
        return cls(msg, errors=[{"loc": loc, "msg": msg}])


def as_problem(error: ShopError) -> Problem:
    return Problem(error.status, error.detail, type=f"urn:shop:problem:{error.slug}", errors=error.errors)


async def handle_shop_error(
    req: falcon.asgi.Request, resp: falcon.asgi.Response, error: ShopError, params: dict[str, Any]
) -> None:
    resp.status = error.status
    serialize_problem(req, resp, as_problem(error))
