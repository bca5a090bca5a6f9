"""Per-request plumbing: request ids, the body size limit and the access line."""

from __future__ import annotations

import re
import time
from typing import Any

import falcon
import falcon.asgi

from shop.kernel.ids import new_request_id
from shop.kernel.logs import AccessLog
from shop.web.metrics import Metrics
from shop.web.problems import Problem
from shop.web.validation import MAX_BODY_BYTES, too_large

_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
# A host name or address (IPv6 in brackets) and an optional port: what is
# fit to be written into a Location or a Link.
_SANE_HOST = re.compile(r"(?:[A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
# Answers are data: a browser that renders one anyway may load and run nothing,
# and no page may frame it. /docs sets a policy of its own.
API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"


def request_id_of(header: str | None) -> str:
    """The client's X-Request-ID when it is sane, else a fresh UUID."""
    if header is not None and _SANE_REQUEST_ID.fullmatch(header):
        return header
    return new_request_id()


class RequestMiddleware:
    """Gives every request an id, refuses oversized bodies early, logs one line
    and counts it in the metrics."""

    def __init__(self, metrics: Metrics, access_log: AccessLog | None, public_base_url: str | None) -> None:
        self.metrics = metrics
        self.access_log = access_log  # None when LOG_LEVEL is above INFO
        self.public_base_url = public_base_url

    async def process_request(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        req.context.started = time.perf_counter()
        req.context.request_id = request_id_of(req.get_header("X-Request-ID"))
        req.context.user_id = None
        host = req.get_header("Host")
        if host is not None and not _SANE_HOST.fullmatch(host):
            raise Problem(400, "The Host header must be a host name or address, with an optional port.")
        if self.public_base_url is not None:
            req.context.base_url = self.public_base_url  # for shop.web.urls
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
        if resp.get_header("Content-Security-Policy") is None:
            resp.set_header("Content-Security-Policy", API_CONTENT_SECURITY_POLICY)
        if req.auth is not None:  # an answer for a token's holder is theirs alone: no cache keeps it
            resp.set_header("Cache-Control", "no-store")
        started = getattr(req.context, "started", time.perf_counter())
        seconds = time.perf_counter() - started
        status = resp.status_code
        self.metrics.observe(req.method, req.uri_template, status, seconds)
        if self.access_log is not None:
            # The client is the real one when a trusted proxy says so (FORWARDED_ALLOW_IPS).
            self.access_log.write(
                request_id,
                req.method,
                req.root_path + req.path,
                status,
                seconds,
                getattr(req.context, "user_id", None),
                req.remote_addr,
            )


class CrossOrigin(falcon.CORSMiddleware):  # type: ignore[type-arg]
    """Falcon's CORS for the origins in CORS_ORIGINS, plus `Vary: Origin`: an
    answer that names the caller's origin must not be served from a cache to
    another origin."""

    def __init__(self, origins: tuple[str, ...]) -> None:
        self.any_origin = "*" in origins
        super().__init__(allow_origins="*" if self.any_origin else list(origins), expose_headers=["X-Request-ID"])

    def process_response(self, req: Any, resp: Any, resource: object, req_succeeded: bool) -> None:
        super().process_response(req, resp, resource, req_succeeded)
        if not self.any_origin:
            resp.append_header("Vary", "Origin")
