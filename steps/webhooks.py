"""Steps about webhooks: a real HTTP receiver on 127.0.0.1 that records what
the shop sends it, and the shop's sender driven on the scenario's clock."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when
from sqlalchemy import func, select

from shop.storage.models import Delivery
from steps.grammar import step
from steps.http import Exchange, FakeClock, send, start_shop
from steps.ordering import token_of
from steps.processes import Operator
from steps.shop_client import InProcessShop


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self.body)
        return document


class Receiver:
    """An HTTP server on 127.0.0.1 that records every request. It answers 204,
    or 500 while it has failures left to give; it can be down (nothing listens)."""

    def __init__(self) -> None:
        self.received: list[Request] = []
        self.answers: list[int] = []  # the status of each request, in order
        self.failures_left = 0
        self.port = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/shop-events"

    def up(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    headers = {name.lower(): value for name, value in self.headers.items()}
                    receiver.received.append(Request("POST", self.path, headers, body))
                    failing = receiver.failures_left > 0
                    receiver.failures_left -= failing
                    status = 500 if failing else 204
                    receiver.answers.append(status)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def down(self) -> None:
        """Nothing listens on the port: a connection is refused."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def events(self) -> list[dict[str, Any]]:
        return [request.event for request in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.down()


@dataclass
class Hooks:
    """The webhooks the scenario made: "that webhook" is the last."""

    ids: list[int] = field(default_factory=list)
    secrets: dict[int, str] = field(default_factory=dict)

    @property
    def last(self) -> int:
        assert self.ids, "no webhook was made"
        return self.ids[-1]


@pytest.fixture
def hooks() -> Hooks:
    return Hooks()


def _verify(secret: str, header: str, body: bytes, now: float, tolerance: int = 300) -> bool:
    # The receiver's check, as docs/webhooks.md shows it (`now` is the shop's clock in scenarios).
    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp, signature = parts["t"], parts["v1"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature) and abs(now - int(timestamp)) <= tolerance


def _types(listed: str) -> list[str]:
    return [kind.strip() for kind in listed.replace(" and ", ",").split(",") if kind.strip()]


# -- The shop's settings ----------------------------------------------------------


def driven(shop: InProcessShop) -> InProcessShop:
    """The shop, its background sender stopped: the scenario runs it, on its clock, when it says so."""
    shop.run(shop.app.sender.stop())
    return shop


def _restarted(request: pytest.FixtureRequest, shop: InProcessShop, clock: FakeClock, **update: Any) -> InProcessShop:
    """The scenario's shop, with these settings changed (its others kept), on the same database."""
    return driven(start_shop(request, shop.app.settings.model_copy(update=update), clock))


@given("the shop may send webhooks to private networks", target_fixture="shop")
@when("the shop may send webhooks to private networks", target_fixture="shop")
def private_networks(request: pytest.FixtureRequest, shop: InProcessShop, clock: FakeClock) -> InProcessShop:
    return _restarted(request, shop, clock, WEBHOOK_ALLOW_PRIVATE_NETWORKS=True)


@given(step("the shop retries a failed delivery after {seconds:g} seconds at first"), target_fixture="shop")
def retry_base(request: pytest.FixtureRequest, shop: InProcessShop, clock: FakeClock, seconds: float) -> InProcessShop:
    return _restarted(request, shop, clock, WEBHOOK_RETRY_BASE_SECONDS=seconds)


# -- The receiver ------------------------------------------------------------------


@given(step("the receiver fails {count:d} times before it answers"))
def receiver_fails(receiver: Receiver, count: int) -> None:
    receiver.failures_left = count


@given("the receiver is down")
def receiver_down(receiver: Receiver) -> None:
    receiver.down()


@given("the receiver is back up")
@when("the receiver is back up")
def receiver_back(receiver: Receiver) -> None:
    receiver.up()


# -- Webhooks over HTTP --------------------------------------------------------------


def make(exchange: Exchange, shop: InProcessShop, hooks: Hooks, username: str, body: dict[str, Any]) -> None:
    driven(shop)
    exchange.token = token_of(exchange, shop, username)
    response = send(exchange, shop, "POST", "/webhooks", json=body)
    if response.status_code == 201:
        hooks.ids.append(response.json["id"])
        hooks.secrets[response.json["id"]] = response.json["secret"]


@given(step('"{username:q}" has made a webhook for the receiver wanting "{listed:q}"'))
def made_for_receiver(
    exchange: Exchange, shop: InProcessShop, hooks: Hooks, receiver: Receiver, username: str, listed: str
) -> None:
    make(exchange, shop, hooks, username, {"url": receiver.url, "events": _types(listed)})
    assert exchange.last.status_code == 201, exchange.last.text


@when(step('"{username:q}" makes a webhook for "{url:q}" wanting "{listed:q}"'))
def makes_webhook(exchange: Exchange, shop: InProcessShop, hooks: Hooks, username: str, url: str, listed: str) -> None:
    make(exchange, shop, hooks, username, {"url": url, "events": _types(listed)})


@when(step('"{username:q}" makes a webhook with:'))
def makes_webhook_with(exchange: Exchange, shop: InProcessShop, hooks: Hooks, username: str, docstring: str) -> None:
    make(exchange, shop, hooks, username, json.loads(docstring))


def _on_webhook(exchange: Exchange, shop: InProcessShop, username: str, method: str, path: str, **options: Any) -> None:
    exchange.token = token_of(exchange, shop, username)
    send(exchange, shop, method, path, **options)


@when(step('"{username:q}" reads that webhook'))
def reads_webhook(exchange: Exchange, shop: InProcessShop, hooks: Hooks, username: str) -> None:
    _on_webhook(exchange, shop, username, "GET", f"/webhooks/{hooks.last}")


@when(step('"{username:q}" lists the webhooks'))
def lists_webhooks(exchange: Exchange, shop: InProcessShop, username: str) -> None:
    _on_webhook(exchange, shop, username, "GET", "/webhooks")


@given(step('"{username:q}" has changed that webhook with:'))
@when(step('"{username:q}" changes that webhook with:'))
def changes_webhook(exchange: Exchange, shop: InProcessShop, hooks: Hooks, username: str, docstring: str) -> None:
    body = docstring.encode()
    headers = {"Content-Type": "application/json"}
    _on_webhook(exchange, shop, username, "PATCH", f"/webhooks/{hooks.last}", headers=headers, body=body)


@when(step('"{username:q}" deletes that webhook'))
def deletes_webhook(exchange: Exchange, shop: InProcessShop, hooks: Hooks, username: str) -> None:
    _on_webhook(exchange, shop, username, "DELETE", f"/webhooks/{hooks.last}")


@when(step('"{username:q}" lists the deliveries of that webhook'))
def lists_deliveries(exchange: Exchange, shop: InProcessShop, hooks: Hooks, username: str) -> None:
    _on_webhook(exchange, shop, username, "GET", f"/webhooks/{hooks.last}/deliveries")


@when(step('"{username:q}" lists the {status:w} deliveries of that webhook'))
def lists_deliveries_by_status(
    exchange: Exchange, shop: InProcessShop, hooks: Hooks, username: str, status: str
) -> None:
    _on_webhook(exchange, shop, username, "GET", f"/webhooks/{hooks.last}/deliveries?status={status}")


def delivery_id(shop: InProcessShop, webhook_id: int, kind: str) -> int:
    """The id of the webhook's (first) delivery of an event of type `kind`."""
    token = token_of(Exchange(), shop, "root")
    response = shop.request("GET", f"/webhooks/{webhook_id}/deliveries?per_page=100", token=token)
    found = [item["id"] for item in response.json["items"] if item["event_type"] == kind]
    assert found, response.json
    return int(found[-1])


@when(step('"{username:q}" retries the delivery of "{kind:q}" to that webhook'))
def retries_delivery(exchange: Exchange, shop: InProcessShop, hooks: Hooks, username: str, kind: str) -> None:
    delivery = delivery_id(shop, hooks.last, kind)
    _on_webhook(exchange, shop, username, "POST", f"/webhooks/{hooks.last}/deliveries/{delivery}/retry")


@when(step('"{username:q}" retries the delivery {delivery:d} of that webhook'))
def retries_delivery_by_id(exchange: Exchange, shop: InProcessShop, hooks: Hooks, username: str, delivery: int) -> None:
    _on_webhook(exchange, shop, username, "POST", f"/webhooks/{hooks.last}/deliveries/{delivery}/retry")


# -- The sender ------------------------------------------------------------------------


def _pending(shop: InProcessShop) -> int:
    statement = select(func.count()).select_from(Delivery).where(Delivery.status == "pending")
    return int(shop.in_database(lambda connection: connection.execute(statement).scalar_one()))


def _next_due_after(shop: InProcessShop, now: datetime) -> datetime | None:
    """When the next retry falls due (a later delivery held back behind it is due already, and waits)."""
    later = select(func.min(Delivery.next_attempt_at)).where(
        Delivery.status == "pending", Delivery.next_attempt_at > now
    )
    found: datetime | None = shop.in_database(lambda connection: connection.execute(later).scalar())
    return found


@given("the shop's sender has run")
@when("the shop's sender has run")
def sender_ran(shop: InProcessShop) -> None:
    """Everything due now is sent once (the sender in the background does the same every moment)."""
    shop.run(shop.app.sender.send_due())


@given("the shop's sender has run until nothing is pending")
@when("the shop's sender has run until nothing is pending")
def sender_ran_out(shop: InProcessShop, clock: FakeClock) -> None:
    """The sender, with the clock moved on to each retry as it falls due: a day of retries in a moment."""
    for _ in range(200):
        sent = shop.run(shop.app.sender.send_due())
        if not _pending(shop):
            return
        if not sent:
            due = _next_due_after(shop, clock.now)
            assert due is not None, "pending deliveries that never fall due"
            clock.now = due
    raise AssertionError("deliveries were still pending after 200 rounds")


@when("the shop runs for a moment on its own")
def runs_on_its_own(shop: InProcessShop, receiver: Receiver) -> None:
    """The background sender, started again as at start-up, left to itself until the receiver heard from it."""

    async def moment() -> None:
        shop.app.sender.start()
        try:
            for _ in range(100):
                await asyncio.sleep(0.05)
                if receiver.received:
                    return
        finally:
            await shop.app.sender.stop()

    shop.run(moment())


# -- As an operator runs it ------------------------------------------------------------


@given("an operator whose shop may send webhooks to private networks")
def operator_private(operator: Operator) -> None:
    operator.env.update(WEBHOOK_ALLOW_PRIVATE_NETWORKS="true", LOG_LEVEL="WARNING")


@then(parsers.re(r"within (?P<seconds>\d+) seconds the receiver got (?P<count>\d+) requests?$"))
def receiver_got_within(receiver: Receiver, seconds: str, count: str) -> None:
    deadline = time.monotonic() + int(seconds)
    while len(receiver.received) < int(count):
        assert time.monotonic() < deadline, receiver.events()
        time.sleep(0.1)
    assert len(receiver.received) == int(count), receiver.events()


# -- Then ------------------------------------------------------------------------------


@then(step('the response carries a secret starting with "{prefix:q}"'))
def carries_secret(exchange: Exchange, prefix: str) -> None:
    secret = exchange.last.json.get("secret")
    assert isinstance(secret, str) and secret.startswith(prefix) and len(secret) > 40, exchange.last.json


@then("the response does not show that webhook's secret")
def secret_not_shown(exchange: Exchange, hooks: Hooks) -> None:
    assert hooks.secrets[hooks.last] not in exchange.last.text, exchange.last.text
    assert '"secret"' not in exchange.last.text, exchange.last.text


@then(step('the response header "Location" is that webhook\'s address'))
def location_is_webhook(exchange: Exchange, hooks: Hooks) -> None:
    assert exchange.last.headers["Location"].endswith(f"/webhooks/{hooks.last}"), exchange.last.headers


@then(step('the response\'s "{name:q}" is the list {listed}'))
def response_list_is(exchange: Exchange, name: str, listed: str) -> None:
    assert exchange.last.json[name] == json.loads(listed), exchange.last.json


@then(step('the response\'s "{name:q}" is {value:w}'))
def response_flag_is(exchange: Exchange, name: str, value: str) -> None:
    assert exchange.last.json[name] == json.loads(value), exchange.last.json


@then(parsers.re(r"the receiver got (?P<count>\d+|no) requests?$"))
def receiver_got(receiver: Receiver, count: str) -> None:
    assert len(receiver.received) == (0 if count == "no" else int(count)), receiver.events()


@then("the receiver got these events, in order:")
def receiver_got_events(receiver: Receiver, datatable: list[list[str]]) -> None:
    header, *rows = datatable
    seen = [
        {"type": request.event["type"], "answer": str(answer)}
        for request, answer in zip(receiver.received, receiver.answers, strict=True)
    ]
    assert [dict(zip(header, row, strict=True)) for row in rows] == [
        {name: item[name] for name in header} for item in seen
    ], seen


@then("every request the receiver got is a signed event")
def signed_events(receiver: Receiver, hooks: Hooks, clock: FakeClock) -> None:
    assert receiver.received
    for request in receiver.received:
        assert request.method == "POST" and request.path == "/shop-events"
        assert request.headers["content-type"] == "application/json"
        event = request.event
        assert set(event) == {"id", "type", "created_at", "data"}, event
        assert event["created_at"].endswith("Z")
        assert request.headers["shop-event-id"] == str(event["id"])
        assert request.headers["shop-event-type"] == event["type"]
        signature = request.headers["shop-signature"]
        assert _verify(hooks.secrets[hooks.last], signature, request.body, now=clock.now.timestamp()), signature
        assert not _verify("whsec_another", signature, request.body, now=clock.now.timestamp())


@then(step('the event the receiver got is about that order, as "{username:q}" sees it'))
def event_is_order(
    receiver: Receiver, exchange: Exchange, shop: InProcessShop, placed: list[int], username: str
) -> None:
    data = receiver.received[-1].event["data"]
    token = token_of(exchange, shop, username)
    assert data == shop.request("GET", f"/orders/{placed[-1]}", token=token).json


@then("the deliveries of that webhook are, newest first:")
def deliveries_are(exchange: Exchange, shop: InProcessShop, hooks: Hooks, datatable: list[list[str]]) -> None:
    token = token_of(exchange, shop, "root")
    response = shop.request("GET", f"/webhooks/{hooks.last}/deliveries", token=token)
    assert response.status_code == 200, response.text
    header, *rows = datatable
    seen = [{name: str(item[name]) for name in header} for item in response.json["items"]]
    assert seen == [dict(zip(header, row, strict=True)) for row in rows], response.json["items"]


@then(step('the delivery\'s error says "{text:q}"'))
def delivery_error_says(exchange: Exchange, shop: InProcessShop, hooks: Hooks, text: str) -> None:
    token = token_of(exchange, shop, "root")
    items = shop.request("GET", f"/webhooks/{hooks.last}/deliveries", token=token).json["items"]
    assert text.lower() in (items[0]["error"] or "").lower(), items[0]


@then("that webhook has no deliveries")
def no_deliveries(exchange: Exchange, shop: InProcessShop, hooks: Hooks) -> None:
    token = token_of(exchange, shop, "root")
    response = shop.request("GET", f"/webhooks/{hooks.last}/deliveries", token=token)
    assert response.json["total"] == 0, response.json
