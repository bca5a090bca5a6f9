"""Problem details (RFC 9457): how every error the shop answers with looks.

One family: every problem, Falcon's own 4xx included, has a `type` of the form
`urn:shop:problem:<slug>`, one per status, and for the 409s that a client acts
on differently (the refusals of a discount code) one per reason: all listed in
`ProblemType` (and so in the OpenAPI document). Rules raise `shop.kernel.errors.ShopError`; this module turns
those, Falcon's errors and unexpected failures into answers.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired, TypedDict, get_args

import falcon
import falcon.asgi
from loguru import logger
from pydantic import ConfigDict, Field, with_config

from shop.kernel import codec
from shop.kernel.errors import ShopError
from shop.kernel.ids import new_request_id
from shop.storage.database import unavailable

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_SECONDS = 5  # when the database does not answer

ProblemType = Literal[
    "urn:shop:problem:bad-request",
    "urn:shop:problem:unauthorized",
    "urn:shop:problem:forbidden",
    "urn:shop:problem:not-found",
    "urn:shop:problem:method-not-allowed",
    "urn:shop:problem:conflict",
    "urn:shop:problem:precondition-failed",
    "urn:shop:problem:content-too-large",
    "urn:shop:problem:unsupported-media-type",
    "urn:shop:problem:validation",
    "urn:shop:problem:too-many-requests",
    "urn:shop:problem:internal",
    "urn:shop:problem:unavailable",
    # 409s of a discount code, each saying why (shop.discounts.service).
    "urn:shop:problem:discount-inactive",
    "urn:shop:problem:discount-not-started",
    "urn:shop:problem:discount-expired",
    "urn:shop:problem:discount-used-up",
    "urn:shop:problem:discount-used-up-by-customer",
    "urn:shop:problem:discount-minimum-not-met",
]
_REASONS = frozenset(kind for kind in get_args(ProblemType) if kind.startswith("urn:shop:problem:discount-"))
_TYPES: dict[int, ProblemType] = dict(
    zip((400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 429, 500, 503), get_args(ProblemType), strict=False)
)
# RFC 9110's words where they differ from older status lines.
_TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}


def title_of(status: int) -> str:
    """A problem's title: the status's phrase, in RFC 9110's words."""
    return _TITLES.get(status) or falcon.code_to_http_status(status).removeprefix(f"{status} ")


def problem_type(status: int) -> ProblemType:
    """The problem type for a status: its own, else that of its class (400 or 500)."""
    return _TYPES.get(status) or _TYPES[500 if status >= 500 else 400]


class Problem(falcon.HTTPError):
    """An error to answer with; on 422, with the list of what was wrong."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        kind: ProblemType | None = None,
    ) -> None:
        super().__init__(status, title=title, description=detail, headers=headers)
        self.errors = errors
        self.kind = kind  # a type of its own; None: its status's


@with_config(ConfigDict(extra="forbid"))
class ErrorItem(TypedDict):
    loc: list[str | int]
    msg: str


@with_config(ConfigDict(extra="forbid"))
class ProblemDetails(TypedDict):
    """RFC 9457 problem details, as every error is answered."""

    type: Annotated[
        ProblemType,
        Field(
            description="What kind of error this is: one type per status, whichever part of the shop refused; "
            "a discount code's 409 says why it was refused (inactive, not started, expired, used up, used up by "
            "this customer, minimum not met)."
        ),
    ]
    title: str
    status: int
    detail: str
    request_id: str
    errors: NotRequired[list[ErrorItem]]


def validation_error(errors: list[dict[str, Any]], detail: str = "The request is not valid.") -> Problem:
    return Problem(422, detail, errors=errors)


def unauthorized(detail: str) -> Problem:
    return Problem(401, detail, title="Unauthorized", headers={"WWW-Authenticate": "Bearer"})


def forbidden(detail: str = "This action is for admins.") -> Problem:
    return Problem(403, detail, title="Forbidden")


def _request_id(req: falcon.asgi.Request) -> str:
    request_id: str | None = getattr(req.context, "request_id", None)
    if request_id is None:  # the request failed before the middleware named it
        request_id = req.context.request_id = new_request_id()
    return request_id


def problem_body(req: falcon.asgi.Request, error: falcon.HTTPError) -> ProblemDetails:
    status = error.status_code
    # Falcon's default titles are status lines ("404 Not Found"): keep the phrase.
    title = _TITLES.get(status) or (error.title.removeprefix(f"{status} ") if error.title else title_of(status))
    body = _body(req, status, title, error.description or title)
    kind = getattr(error, "kind", None)
    if kind is not None:
        body["type"] = kind
    errors = getattr(error, "errors", None)
    if errors is not None:
        body["errors"] = errors
    return body


def _body(req: falcon.asgi.Request, status: int, title: str, detail: str) -> ProblemDetails:
    return {
        "type": problem_type(status),
        "title": title,
        "status": status,
        "detail": detail,
        "request_id": _request_id(req),
    }


def refuse_unauthorized(req: falcon.asgi.Request, resp: falcon.asgi.Response, detail: str) -> None:
    """From middleware, the answer `raise unauthorized(detail)` gives, made
    without raising: Falcon's path for an error costs a few microseconds, and
    every request without a token pays them."""
    resp.status = 401
    resp.set_header("WWW-Authenticate", "Bearer")
    resp.content_type = PROBLEM_JSON
    resp.data = codec.dumps(_body(req, 401, "Unauthorized", detail))
    resp.complete = True  # Falcon skips the responder


def as_problem(error: ShopError) -> Problem:
    kind = f"urn:shop:problem:{error.slug}"
    return Problem(error.status, error.detail, errors=error.errors, kind=kind if kind in _REASONS else None)  # type: ignore[arg-type]


def serialize_problem(req: falcon.asgi.Request, resp: falcon.asgi.Response, error: falcon.HTTPError) -> None:
    """Falcon's error serializer: every HTTPError becomes problem+json."""
    resp.content_type = PROBLEM_JSON
    resp.data = codec.dumps(problem_body(req, error))


def refusal_body(req: falcon.asgi.Request, error: ShopError) -> bytes:
    """The problem body a broken rule is answered with (kept for idempotent replays)."""
    return codec.dumps(problem_body(req, as_problem(error)))


async def handle_shop_error(
    req: falcon.asgi.Request, resp: falcon.asgi.Response, error: ShopError, params: dict[str, Any]
) -> None:
    resp.status = error.status
    resp.set_headers(error.headers)
    serialize_problem(req, resp, as_problem(error))


async def handle_unexpected(
    req: falcon.asgi.Request, resp: falcon.asgi.Response, error: Exception, params: dict[str, Any]
) -> None:
    """A bug: log the traceback with the request id, answer 500 without it.
    A database that does not answer is no bug: 503 with Retry-After."""
    log = logger.bind(request_id=getattr(req.context, "request_id", "-"))
    if unavailable(error):
        # The type only: a driver's message can carry SQL and its parameters.
        log.warning("database unavailable on {} {}: {}", req.method, req.path, type(error).__name__)
        resp.status = 503
        resp.set_header("Retry-After", str(RETRY_AFTER_SECONDS))
        serialize_problem(req, resp, Problem(503, "The database is not available right now; retry in a moment."))
        return
    log.opt(exception=error).error("unhandled error on {} {}", req.method, req.path)
    resp.status = 500
    serialize_problem(
        req, resp, Problem(500, "The server could not complete the request. Quote the request_id when reporting it.")
    )
