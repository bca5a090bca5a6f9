"""`Idempotency-Key` over HTTP: the header as documented, read, and an answer
(first made or replayed) written out, for every endpoint that honours it."""

from __future__ import annotations

import falcon.asgi

from shop.idempotency.service import HEADER, MAX_LENGTH, REPLAYED, Answer, checked_key
from shop.web.openapi import RequestHeader
from shop.web.problems import PROBLEM_JSON

DOCUMENTED = RequestHeader(
    HEADER,
    "Makes retries safe: the same key and body replay the first answer.",
    {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH},
)


def key_of(req: falcon.asgi.Request) -> str | None:
    return checked_key(req.get_header(HEADER))


def render(resp: falcon.asgi.Response, answer: Answer, location: str | None) -> None:
    """The answer as made or replayed; `location` on a success."""
    resp.status = answer.status
    resp.data = answer.body
    if answer.replayed:
        resp.set_header(REPLAYED, "true")
    if answer.status >= 400:
        resp.content_type = PROBLEM_JSON
    elif location is not None:
        resp.location = location
