"""The HTTP server's protocol: uvicorn's httptools protocol, with limits that
a slow or hostile client cannot outlast. `shop serve` uses it; with uvicorn
directly, pass `--http shop.serving:GuardedHttpToolsProtocol`.

uvicorn closes a connection idle between requests (its keep-alive timeout),
but not one that trickles a request's head or body byte by byte, and it reads
a head of any size. Here:

- the request line and headers must arrive within 10 seconds (`--head-timeout`)
  of the connection opening or of their first byte, and take at most 64 KiB:
  else 408 or 431, and the connection is closed;
- a body must arrive within 30 seconds (`--body-timeout`) of its first byte:
  else 408, and the connection is closed.

Timers are armed only while a head or body is incomplete, so a request that
arrives whole (nearly every one) pays for none.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from shop.kernel import codec
from shop.kernel.ids import new_request_id
from shop.web.problems import PROBLEM_JSON, problem_type

# `shop serve --head-timeout/--body-timeout` hands its workers these through the environment.
HEAD_TIMEOUT = "SHOP_HEAD_TIMEOUT_SECONDS"
BODY_TIMEOUT = "SHOP_BODY_TIMEOUT_SECONDS"
HEAD_TIMEOUT_SECONDS = 10.0
BODY_TIMEOUT_SECONDS = 30.0
MAX_HEAD_BYTES = 64 * 1024
_REASONS = {408: "Request Timeout", 431: "Request Header Fields Too Large"}
TOO_LARGE = f"The request line and headers may take at most {MAX_HEAD_BYTES} bytes."


def refusal(status: int, detail: str) -> bytes:
    """A whole HTTP/1.1 answer that closes the connection: a problem, as the app would write it."""
    request_id = new_request_id()
    body = codec.dumps(
        {
            "type": problem_type(status),
            "title": _REASONS[status],
            "status": status,
            "detail": detail,
            "request_id": request_id,
        }
    )
    head = (
        f"HTTP/1.1 {status} {_REASONS[status]}\r\ncontent-type: {PROBLEM_JSON}\r\n"
        f"content-length: {len(body)}\r\nx-request-id: {request_id}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body


def _refusing(status: int, detail: str) -> Any:
    """An ASGI app that answers every request with the refusal (and closes the connection)."""
    whole = refusal(status, detail)
    head, body = whole.split(b"\r\n\r\n", 1)
    headers = [tuple(line.split(b": ", 1)) for line in head.split(b"\r\n")[1:]]

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = True  # until the current request's headers are complete
        self._head_bytes = 0  # of chunks that left the head incomplete
        self._chunk = 0  # the size of the chunk being parsed
        self._timer: asyncio.TimerHandle | None = None
        self._head_timeout = float(os.environ.get(HEAD_TIMEOUT, HEAD_TIMEOUT_SECONDS))
        self._body_timeout = float(os.environ.get(BODY_TIMEOUT, BODY_TIMEOUT_SECONDS))

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self._head_timeout)  # a connection that sends nothing at all

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._chunk = len(data)
        super().data_received(data)
        if self.transport.is_closing():
            return
        if self._in_head:  # this chunk left the head incomplete
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._refuse(431, TOO_LARGE)
            elif self._timer is None:
                self._arm(self._head_timeout)
        elif self._timer is None and self.cycle is not None and self.cycle.more_body:
            self._arm(self._body_timeout)  # this chunk left the body incomplete

    def on_headers_complete(self) -> None:
        # Measured only when the chunks it came in could hold too much.
        too_large = self._head_bytes + self._chunk > MAX_HEAD_BYTES and self._head_size() > MAX_HEAD_BYTES
        self._in_head, self._head_bytes = False, 0
        self._disarm()
        if not too_large:
            super().on_headers_complete()
            return
        app, self.app = self.app, _refusing(431, TOO_LARGE)  # the cycle answers 431 instead
        try:
            super().on_headers_complete()
        finally:
            self.app = app

    def _head_size(self) -> int:
        return len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        self._in_head = not self.pipeline  # a pipelined request's head is already here
        super().on_response_complete()

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._timer = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _too_slow(self) -> None:
        self._timer = None
        if self._in_head and self._head_bytes == 0 and not self.pipeline:
            self.transport.close()  # nothing was asked: nothing to answer
            return
        what = "request line and headers" if self._in_head else "request body"
        self._refuse(408, f"The {what} did not arrive in time.")

    def _refuse(self, status: int, detail: str) -> None:
        self._disarm()
        if self.cycle is None or not self.cycle.response_started:
            self.transport.write(refusal(status, detail))
        self.transport.close()
