"""Steps that talk to a real server over raw sockets: slow, partial and oversized requests."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from pytest_bdd import then, when

from steps.grammar import step


@dataclass
class RawClient:
    """One connection, read on a thread of its own: what the server wrote, and when it closed."""

    sock: socket.socket
    opened: float = field(default_factory=time.monotonic)
    received: bytearray = field(default_factory=bytearray)
    closed_after: float | None = None  # seconds from opening
    reader: threading.Thread | None = None

    def start_reading(self) -> None:
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        try:
            while chunk := self.sock.recv(65536):
                self.received += chunk
        except OSError:
            pass
        self.closed_after = time.monotonic() - self.opened

    def trickle(self, data: bytes, every: float) -> None:
        def send() -> None:
            for byte in data:
                try:
                    self.sock.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(every)

        threading.Thread(target=send, daemon=True).start()

    def wait_closed(self, seconds: float) -> None:
        assert self.reader is not None
        self.reader.join(timeout=seconds)
        assert self.closed_after is not None, f"still open after {seconds} s; got {bytes(self.received)[:200]!r}"

    @property
    def status(self) -> int | None:
        line = bytes(self.received).split(b"\r\n", 1)[0]
        return int(line.split()[1]) if line.startswith(b"HTTP/1.1 ") else None


def connect(server_holder: dict[str, Any]) -> RawClient:
    sock = socket.create_connection(("127.0.0.1", server_holder["server"].port), timeout=30)
    client = server_holder["raw"] = RawClient(sock)
    client.start_reading()
    return client


@when(step("a client sends the server a request with a header of {size:d} bytes"))
def oversized_head(server_holder: dict[str, Any], size: int) -> None:
    client = connect(server_holder)
    head = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"a" * size + b"\r\n\r\n"
    with contextlib.suppress(OSError):  # the server may close before it has read it all
        client.sock.sendall(head)


@when(step("a client sends the server a request head one byte every {seconds:f} seconds"))
def trickled_head(server_holder: dict[str, Any], seconds: float) -> None:
    connect(server_holder).trickle(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"s" * 200, seconds)


@when(step('a client sends the server POST "{path:q}" declaring {declared:d} bytes of body and sending {sent:d}'))
def partial_body(server_holder: dict[str, Any], path: str, declared: int, sent: int) -> None:
    client = connect(server_holder)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {declared}\r\n\r\n"
    )
    client.sock.sendall(head.encode() + b"{" * sent)


@when("a client connects to the server and sends nothing")
def silent_client(server_holder: dict[str, Any]) -> None:
    connect(server_holder)


@then(step("the server answers it with {status:d} and closes the connection"))
def answered_and_closed(server_holder: dict[str, Any], status: int) -> None:
    client: RawClient = server_holder["raw"]
    client.wait_closed(10)
    assert client.status == status, bytes(client.received)[:300]


@then(step("within {seconds:d} seconds the server answers it with {status:d} and closes the connection"))
def answered_and_closed_within(server_holder: dict[str, Any], seconds: int, status: int) -> None:
    client: RawClient = server_holder["raw"]
    client.wait_closed(seconds)
    assert client.status == status, bytes(client.received)[:300]


@then(step("within {seconds:d} seconds the server closes the connection without an answer"))
def closed_silently(server_holder: dict[str, Any], seconds: int) -> None:
    client: RawClient = server_holder["raw"]
    client.wait_closed(seconds)
    assert bytes(client.received) == b""
