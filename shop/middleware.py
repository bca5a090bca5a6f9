"""Per-request plumbing: request ids, the body size limit and the access line."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import falcon.asgi
from loguru import logger

from shop.validation import MAX_BODY_BYTES, too_large

_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


def request_id_of(header: str | None) -> str:
    """The client's X-Request-ID when it is sane, else a fresh UUID."""
    if header is not None and _SANE_REQUEST_ID.fullmatch(header):
        return header
    return str(uuid.uuid4())


class RequestMiddleware:
    """Gives every request an id, refuses oversized bodies early, logs one line."""

    async def process_request(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        req.context.started = time.perf_counter()
        req.context.request_id = request_id_of(req.get_header("X-Request-ID"))
        req.context.user_id = None
        resp.set_header("X-Request-ID", req.context.request_id)
        length = req.content_length
        if length is not None and length > MAX_BODY_BYTES:
            raise too_large()

    async def process_response(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, resource: Any, req_succeeded: bool
    ) -> None:
        request_id = getattr(req.context, "request_id", None)
        if request_id is None:  # the request failed before process_request ran
            request_id = req.context.request_id = request_id_of(None)
        resp.set_header("X-Request-ID", request_id)
        resp.set_header("X-Content-Type-Options", "nosniff")
        started = getattr(req.context, "started", time.perf_counter())
        latency_ms = round((time.perf_counter() - started) * 1000, 2)
        status = resp.status_code
        user_id = getattr(req.context, "user_id", None)
        logger.bind(
            request_id=request_id,
            method=req.method,
            path=req.root_path + req.path,
            status=status,
            latency_ms=latency_ms,
            user_id=user_id,
        ).info("{} {} {} {}ms user={}", req.method, req.root_path + req.path, status, latency_ms, user_id or "-")
