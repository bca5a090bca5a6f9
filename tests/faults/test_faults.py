"""Faults injected into real `shop serve --workers 2` processes under load.

Runs in its own nox session (`nox -s faults`), on a SQLite file and on
PostgreSQL. Clients place and cancel orders the whole time, each request
with an Idempotency-Key of its own, so afterwards the database itself says
which requests the shop accepted. Then:

- a worker is killed (SIGKILL), then the whole server; after a restart no
  order lacks lines, no line lacks an order, every unit of stock is either
  on the shelf or in an order that holds it, and every order a client saw
  as 201 exists;
- the whole server is killed while Stripe's deliveries pour in; after a
  restart every event the shop answered is on record with its payment, no
  payment is recorded twice, and Stripe's retries record the rest once;
- the whole server is killed while clients place and cancel orders and a
  webhook receiver on 127.0.0.1 records what it is sent; after a restart the
  event feed holds exactly the events of what committed (one order.created a
  placed order, one order.cancelled a cancelled one, none for anything else),
  and the receiver gets each of them at least once;
- SIGTERM during load: the server stops accepting, finishes what it accepted
  and exits; no client sees a 5xx, and no request it accepted goes
  unanswered;
- PostgreSQL stops during load (a private cluster of the test's own): every
  answer is a 503 problem, never a 500 or a dropped connection; it starts
  again and the same processes serve again;
- SQLite's write lock is held by another program for two seconds: writers
  wait, and no client ever reads "database is locked";
- 300 connections trickle a request head or body a byte at a time while 20
  clients keep ordering: every order is answered, and each slow connection is
  closed within its timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.server
import os
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from conftest import Databases
from shop.kernel import codec
from shop.kernel.settings import async_database_url
from steps.payments import WEBHOOK, payment_intent, stripe_delivery, stripe_event
from steps.processes import Operator, Server, free_port
from tests.budgets import DEPTH

pytestmark = pytest.mark.faults

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PASSWORD = "correct horse battery"
PRODUCTS = 20
STOCK = 1_000_000
CLIENTS = 50
SECRET = "whsec_faults"  # every shop here takes Stripe's events, signed with it


# -- The shop under test ------------------------------------------------------


@dataclass
class Shop:
    operator: Operator
    url: URL
    server: Server
    token: str = ""
    product_ids: list[int] = field(default_factory=list)

    def start(self) -> None:
        self.server = self.operator.start("shop serve --workers 2")

    def workers(self) -> list[int]:
        """The pids of the server's worker processes."""
        pid = self.server.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()]

    def kill_all(self) -> None:
        for pid in [*self.workers(), self.server.process.pid]:
            os.kill(pid, signal.SIGKILL)
        self.server.process.wait(timeout=10)

    def query(self, sql: str) -> list[Any]:
        async def run() -> list[Any]:
            engine = create_async_engine(self.url)
            try:
                async with engine.connect() as connection:
                    return list((await connection.execute(text(sql))).all())
            finally:
                await engine.dispose()

        return asyncio.run(run())


def call(
    shop: Shop,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    *,
    signed_in: bool = True,
) -> Answer:
    """One request on a connection of its own (so the kernel may give it to any worker), as the
    admin unless not `signed_in`. A body of bytes goes as it is; anything else as JSON."""
    token = {"Authorization": f"Bearer {shop.token}"} if signed_in else {}
    request = urllib.request.Request(
        shop.server.url(path),
        data=body if body is None or isinstance(body, bytes) else codec.dumps(body),
        method=method,
        headers={**token, "Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Answer(response.status, response.headers.get("Content-Type", ""), response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers.get("Content-Type", ""), error.read())


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes

    def json(self) -> Any:
        return codec.loads(self.body)


@pytest.fixture(params=["sqlite", "postgresql"])
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Shop]:
    if request.param == "postgresql" and not POSTGRES:
        pytest.skip("no PostgreSQL (TEST_POSTGRES_URL is empty)")
    server_url = async_database_url(POSTGRES) if request.param == "postgresql" else None
    databases = Databases(server_url, tmp_path)
    url = databases.migrated()
    running = serve(tmp_path, url)
    yield running
    running.operator.stop_all()
    databases.drop_all()


def serve(folder: Path, url: URL) -> Shop:
    operator = Operator.with_admin(folder, url, username="root", email="root@shop.example", password=PASSWORD)
    operator.env["STRIPE_WEBHOOK_SECRET"] = SECRET
    # Webhooks to the test's own receiver, retried within a second, not ten.
    operator.env.update(WEBHOOK_ALLOW_PRIVATE_NETWORKS="true", WEBHOOK_RETRY_BASE_SECONDS="0.2")
    running = Shop(operator, url, operator.start("shop serve --workers 2"))
    login = call(running, "POST", "/login", {"username": "root", "password": PASSWORD})
    running.token = login.json()["access_token"]
    for n in range(PRODUCTS):
        product = call(running, "POST", "/products", {"name": f"Teapot {n}", "price": "9.99", "stock": STOCK})
        assert product.status == 201, product.body
        running.product_ids.append(product.json()["id"])
    return running


# -- Load -----------------------------------------------------------------------


@dataclass
class Load:
    """CLIENTS threads placing orders (and cancelling a quarter of them) until stopped."""

    shop: Shop
    clients: int = CLIENTS
    stop: threading.Event = field(default_factory=threading.Event)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)  # no answer: by exception type
    unanswered_keys: list[str] = field(default_factory=list)
    created: set[int] = field(default_factory=set)
    cancelled: set[int] = field(default_factory=set)
    bodies: list[bytes] = field(default_factory=list)  # of 5xx answers
    lock: threading.Lock = field(default_factory=threading.Lock)
    threads: list[threading.Thread] = field(default_factory=list)

    def __enter__(self) -> Load:
        self.threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(self.clients)]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def _client(self, n: int) -> None:
        rng = random.Random(n)
        while not self.stop.is_set():
            products = rng.sample(self.shop.product_ids, rng.randint(1, 3))
            body = {"items": [{"product_id": pid, "quantity": rng.randint(1, 3)} for pid in products]}
            key = uuid.uuid4().hex
            answer = self._send("POST", "/orders", body, key)
            if answer is not None and answer.status == 201 and rng.random() < 0.25:
                order_id = answer.json()["id"]
                cancel = self._send("PATCH", f"/orders/{order_id}", {"status": "cancelled"}, None)
                if cancel is not None and cancel.status == 200:
                    with self.lock:
                        self.cancelled.add(order_id)

    def _send(self, method: str, path: str, body: Any, key: str | None) -> Answer | None:
        try:
            answer = call(self.shop, method, path, body, {"Idempotency-Key": key} if key else None)
        except (OSError, urllib.error.URLError) as error:
            reason = getattr(error, "reason", error)
            with self.lock:
                self.failures[type(reason).__name__] += 1
                if key is not None and not isinstance(reason, ConnectionRefusedError):
                    self.unanswered_keys.append(key)
            time.sleep(0.05)  # the server is away: do not spin
            return None
        with self.lock:
            self.statuses[answer.status] += 1
            if answer.status >= 500:
                self.bodies.append(answer.body)
            if method == "POST" and answer.status == 201:
                self.created.add(answer.json()["id"])
        return answer


def run_for(seconds: float) -> None:
    """Let the load run (longer in a deep run: tests/budgets.py)."""
    time.sleep(seconds * DEPTH)


# -- What must hold afterwards ----------------------------------------------------


def assert_consistent(shop: Shop, load: Load) -> None:
    assert (
        shop.query("SELECT o.id FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id)")
        == []
    )
    assert shop.query("SELECT l.id FROM order_lines l LEFT JOIN orders o ON o.id = l.order_id WHERE o.id IS NULL") == []
    # Stock is conserved: on the shelf, or held by an order that has not given it back;
    # and every variant's movements, written with each change, add up to its stock.
    held = dict(
        shop.query(
            "SELECT l.variant_id, SUM(l.quantity) FROM order_lines l JOIN orders o ON o.id = l.order_id"
            " WHERE o.status IN ('pending', 'paid', 'shipped', 'delivered') GROUP BY l.variant_id"
        )
    )
    moved = dict(shop.query("SELECT variant_id, SUM(delta) FROM stock_movements GROUP BY variant_id"))
    for variant_id, stock in shop.query("SELECT id, stock FROM variants"):
        assert stock + held.get(variant_id, 0) == STOCK, (variant_id, stock, held.get(variant_id))
        assert moved[variant_id] == stock, (variant_id, moved[variant_id], stock)
    stored = {row[0]: row[1] for row in shop.query("SELECT id, status FROM orders")}
    assert load.created <= stored.keys(), sorted(load.created - stored.keys())[:10]
    assert all(stored[order_id] == "cancelled" for order_id in load.cancelled)
    if shop.url.get_backend_name() == "sqlite":
        assert shop.query("PRAGMA integrity_check") == [("ok",)]


# -- The faults ---------------------------------------------------------------------


def test_killed_workers_and_a_killed_server_lose_nothing(shop: Shop) -> None:
    with Load(shop) as load:
        run_for(3)
        os.kill(shop.workers()[0], signal.SIGKILL)
        run_for(3)
        shop.kill_all()
        run_for(1)
    assert load.statuses[201] > 50, (load.statuses, load.failures)
    assert not [status for status in load.statuses if status >= 500], (load.statuses, load.bodies[:3])

    shop.start()
    assert call(shop, "GET", "/ready").status == 200
    assert_consistent(shop, load)
    again = call(shop, "POST", "/orders", {"items": [{"product_id": shop.product_ids[0], "quantity": 1}]})
    assert again.status == 201, again.body


def test_sigterm_finishes_what_was_accepted(shop: Shop) -> None:
    with Load(shop) as load:
        run_for(3)
        shop.server.process.send_signal(signal.SIGTERM)
        assert shop.server.process.wait(timeout=40) == 0, shop.server.output
        run_for(0.5)
    assert load.statuses[201] > 50, (load.statuses, load.failures)
    assert not [status for status in load.statuses if status >= 500], (load.statuses, load.bodies[:3])
    # A request that got no answer must be one the shop never took in.
    keys = ", ".join(f"'{key}'" for key in load.unanswered_keys) or "''"
    assert shop.query(f"SELECT key FROM idempotency_keys WHERE key IN ({keys})") == [], load.failures
    assert_consistent(shop, load)


# -- Stripe's deliveries cut off ----------------------------------------------------

PAID_ORDERS = 50
STRIPE_CLIENTS = 25


@dataclass
class Deliveries:
    """STRIPE_CLIENTS threads delivering Stripe's events, each its own share, signed as it goes out.

    `plan` holds each client's event ids: every event once, and every third also
    in another client's share, as Stripe retries a delivery it saw no answer to.
    """

    shop: Shop
    events: dict[str, dict[str, Any]]
    plan: list[list[str]]
    outcomes: dict[str, list[str]] = field(default_factory=dict)  # of the 200 answers, by event id
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)  # no answer: by exception type
    lock: threading.Lock = field(default_factory=threading.Lock)
    threads: list[threading.Thread] = field(default_factory=list)

    @property
    def answered(self) -> int:
        with self.lock:
            return sum(self.statuses.values())

    def __enter__(self) -> Deliveries:
        self.threads = [threading.Thread(target=self._client, args=(share,), daemon=True) for share in self.plan]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for thread in self.threads:
            thread.join(timeout=60)

    def run(self) -> Deliveries:
        """Every client delivers its whole share."""
        with self:
            return self

    def _client(self, share: list[str]) -> None:
        rng = random.Random(share[0] if share else "")
        for event_id in share:
            body, headers = stripe_delivery(self.events[event_id], SECRET, int(time.time()))
            try:
                answer = call(self.shop, "POST", WEBHOOK, body, headers, signed_in=False)
            except (OSError, urllib.error.URLError) as error:
                with self.lock:
                    self.failures[type(getattr(error, "reason", error)).__name__] += 1
                continue
            with self.lock:
                self.statuses[answer.status] += 1
                if answer.status == 200:
                    self.outcomes.setdefault(event_id, []).append(answer.json()["outcome"])
            time.sleep(rng.uniform(0, 0.05))  # Stripe's deliveries spread out a little


def paying_for(shop: Shop, orders: int) -> dict[str, dict[str, Any]]:
    """An order of one teapot each, and Stripe's payment_intent.succeeded for it (evt_N pays with pi_N)."""
    events = {}
    for n in range(orders):
        body = {"items": [{"product_id": shop.product_ids[n % PRODUCTS], "quantity": 1}]}
        placed = call(shop, "POST", "/orders", body)
        assert placed.status == 201, placed.body
        order_id = placed.json()["id"]
        cents = int(Decimal(placed.json()["total_price"]) * 100)
        item = payment_intent(f"pi_{order_id}", cents, "usd", order_id)
        events[f"evt_{order_id}"] = stripe_event(f"evt_{order_id}", "payment_intent.succeeded", item)
    return events


def stripe_on_record(shop: Shop) -> tuple[dict[str, str], dict[str, list[tuple[int, bool]]]]:
    """Stripe's events on record (their outcomes by id), and Stripe's payments (order and applied, by reference)."""
    events = dict(shop.query("SELECT event_id, outcome FROM provider_events WHERE provider = 'stripe'"))
    payments: dict[str, list[tuple[int, bool]]] = {}
    for reference, order_id, applied in shop.query(
        "SELECT reference, order_id, applied FROM payments WHERE provider = 'stripe'"
    ):
        payments.setdefault(reference, []).append((order_id, bool(applied)))
    return events, payments


def assert_paid_once(shop: Shop, events: dict[str, str], payments: dict[str, list[tuple[int, bool]]]) -> None:
    """Each event on record acted on, with its one payment of its order, which is paid; no other payment."""
    assert set(events.values()) <= {"applied"}, events
    assert payments == {
        f"pi_{event_id.removeprefix('evt_')}": [(int(event_id.removeprefix("evt_")), True)] for event_id in events
    }
    assert shop.query("SELECT order_id FROM payments GROUP BY order_id HAVING COUNT(*) > 1") == []
    paid = {order_id for [(order_id, _)] in payments.values()}
    statuses = dict(shop.query("SELECT id, status FROM orders"))
    assert {order_id for order_id, status in statuses.items() if status == "paid"} == paid, statuses


def test_sigkill_during_a_burst_of_webhook_deliveries_loses_and_doubles_nothing(shop: Shop) -> None:
    events = paying_for(shop, PAID_ORDERS)
    ids = list(events)
    plan: list[list[str]] = [[] for _ in range(STRIPE_CLIENTS)]
    for n, event_id in enumerate(ids):
        plan[n % STRIPE_CLIENTS].append(event_id)
        if n % 3 == 0:  # and again, by another client
            plan[(n + STRIPE_CLIENTS // 2) % STRIPE_CLIENTS].append(event_id)
    for n, share in enumerate(plan):
        random.Random(n).shuffle(share)
    deliveries = sum(len(share) for share in plan)

    with Deliveries(shop, events, plan) as burst:
        deadline = time.monotonic() + 30
        while burst.answered < deliveries // 3 and time.monotonic() < deadline:
            time.sleep(0.005)
        shop.kill_all()
    answered = {event_id for event_id, outcomes in burst.outcomes.items()}
    assert set(burst.statuses) == {200}, (burst.statuses, burst.failures)
    assert answered and burst.failures, ("not killed mid-burst", burst.statuses, burst.failures)
    for event_id, outcomes in burst.outcomes.items():
        assert set(outcomes) <= {"applied", "repeat"} and outcomes.count("applied") <= 1, (event_id, outcomes)

    shop.start()
    assert call(shop, "GET", "/ready").status == 200
    recorded, payments = stripe_on_record(shop)
    # Every event answered 200 is on record; an event may be on record without an answer (cut off after its commit).
    assert answered <= recorded.keys(), sorted(answered - recorded.keys())
    assert_paid_once(shop, recorded, payments)

    # Stripe retries every event: those on record are repeats, the rest are recorded now, once.
    retries = Deliveries(shop, events, [ids[n::STRIPE_CLIENTS] for n in range(STRIPE_CLIENTS)]).run()
    assert retries.statuses == {200: len(ids)}, (retries.statuses, retries.failures)
    expected = {event_id: ["repeat" if event_id in recorded else "applied"] for event_id in ids}
    assert retries.outcomes == expected
    after, payments = stripe_on_record(shop)
    assert after.keys() == set(ids)
    assert_paid_once(shop, after, payments)
    print(
        f"{deliveries} deliveries of {len(ids)} events: {len(answered)} events answered and"
        f" {len(recorded)} on record before the kill; {sum(burst.failures.values())} deliveries cut off"
        f" {dict(burst.failures)}"
    )


# -- Events and webhooks ----------------------------------------------------------------


class Receiver(http.server.ThreadingHTTPServer):
    """A webhook receiver on 127.0.0.1: answers 204 and keeps each Shop-Event-Id it is sent."""

    def __init__(self) -> None:
        self.received: list[int] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.received.append(int(self.headers["Shop-Event-Id"]))
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


def order_events(shop: Shop) -> list[tuple[int, str, int]]:
    """The feed's order events as (event id, type, order id), read from the whole feed over HTTP."""
    told: list[tuple[int, str, int]] = []
    after = 0
    while page := call(shop, "GET", f"/events?per_page=100&after={after}").json()["items"]:
        told += [
            (event["id"], event["type"], event["data"]["id"]) for event in page if event["type"].startswith("order.")
        ]
        after = page[-1]["id"]
    return told


def test_sigkill_while_orders_change_loses_no_event_and_tells_none_twice(shop: Shop) -> None:
    receiver = Receiver()
    try:
        webhook = call(shop, "POST", "/webhooks", {"url": receiver.url, "events": ["order.created", "order.cancelled"]})
        assert webhook.status == 201, webhook.body
        with Load(shop) as load:
            run_for(3)
            os.kill(shop.workers()[0], signal.SIGKILL)
            run_for(2)
            shop.kill_all()
            run_for(1)
        assert load.statuses[201] > 50, (load.statuses, load.failures)

        shop.start()
        assert call(shop, "GET", "/ready").status == 200
        assert_consistent(shop, load)
        told = order_events(shop)
        stored = dict(shop.query("SELECT id, status FROM orders"))
        # Exactly the events of what committed: nothing for a change the kill cut off, nothing twice.
        assert Counter(kind for _, kind, _ in told) == {
            "order.created": len(stored),
            "order.cancelled": sum(status == "cancelled" for status in stored.values()),
        }
        assert {(kind, order_id) for _, kind, order_id in told} == {
            ("order.created", order_id) for order_id in stored
        } | {("order.cancelled", order_id) for order_id, status in stored.items() if status == "cancelled"}
        # Every one of them reaches the receiver, at least once, whatever the kill interrupted.
        wanted = {event_id for event_id, _, _ in told}
        deadline = time.monotonic() + 120
        while not wanted <= set(receiver.received) and time.monotonic() < deadline:
            time.sleep(0.2)
        with receiver.lock:
            received = Counter(receiver.received)
        assert wanted <= received.keys(), f"{len(wanted - received.keys())} events never delivered"
        assert received.keys() <= wanted, "a delivery of an event the feed does not have"
        print(
            f"{len(wanted)} order events; {sum(received.values())} deliveries,"
            f" {sum(count - 1 for count in received.values())} of them again after the kill"
        )
    finally:
        receiver.shutdown()
        receiver.server_close()


# -- Slow clients --------------------------------------------------------------------


SLOW_CONNECTIONS = 300
HEAD_TIMEOUT, BODY_TIMEOUT = 2, 3
TRICKLE_EVERY = 0.5  # seconds between the bytes of a slow client


async def trickle(port: int, body: bool, give_up_after: float) -> float | None:
    """Open a connection and trickle a head (or, after a whole head, a body) into
    it a byte at a time; seconds until the server closed it (None: it never did)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    head = b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    if body:
        writer.write(head + b"Content-Length: 1000\r\n\r\n")
    slow = b"{" * 1000 if body else head + b"X-Slow: " + b"s" * 1000

    async def feed() -> None:
        with contextlib.suppress(ConnectionError):
            for byte in slow:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(TRICKLE_EVERY)

    feeding = asyncio.create_task(feed())
    try:
        async with asyncio.timeout(give_up_after):
            while await reader.read(65536):
                pass
    except TimeoutError:
        return None
    except ConnectionError:
        pass
    finally:
        feeding.cancel()
        writer.close()
    return time.monotonic() - started


def slow_clients(port: int, results: list[float | None]) -> threading.Thread:
    async def run() -> None:
        tasks = [trickle(port, n % 2 == 1, give_up_after=20) for n in range(SLOW_CONNECTIONS)]
        results.extend(await asyncio.gather(*tasks))

    thread = threading.Thread(target=asyncio.run, args=(run(),), daemon=True)
    thread.start()
    return thread


def test_slow_clients_are_cut_while_orders_go_on(shop: Shop) -> None:
    shop.server.stop()
    shop.server = shop.operator.start(
        f"shop serve --workers 2 --head-timeout {HEAD_TIMEOUT} --body-timeout {BODY_TIMEOUT}"
    )
    closed_after: list[float | None] = []
    with Load(shop, clients=20) as load:
        slow = slow_clients(shop.server.port, closed_after)
        slow.join(timeout=60)
    assert len(closed_after) == SLOW_CONNECTIONS, "the slow clients did not finish"
    # Each was cut within its timeout, give or take the machine's load.
    assert all(seconds is not None and seconds < BODY_TIMEOUT + 4 for seconds in closed_after), sorted(
        closed_after, key=lambda seconds: seconds or 1e9
    )[-5:]
    assert load.statuses[201] > 50, (load.statuses, load.failures)
    assert set(load.statuses) <= {200, 201}, (load.statuses, load.bodies[:3])
    assert not load.failures, load.failures
    assert_consistent(shop, load)


# -- PostgreSQL away and back -----------------------------------------------------------


@dataclass
class PrivateCluster:
    """A PostgreSQL server of the test's own, so stopping it disturbs nothing else."""

    folder: Path
    port: int

    @staticmethod
    def binaries() -> Path:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        if not found:
            pytest.skip("PostgreSQL's server binaries are not installed")
        return found[-1].parent

    def as_postgres(self, *words: str) -> None:
        command = [str(self.binaries() / words[0]), *words[1:]]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self.as_postgres("initdb", "-D", str(self.folder), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        # -l: the server's output goes to a file, not to our pipe (which would never close).
        log = str(self.folder / "server.log")
        self.as_postgres("pg_ctl", "-D", str(self.folder), "-l", log, "-o", options, "-w", "start")

    def stop(self) -> None:
        self.as_postgres("pg_ctl", "-D", str(self.folder), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> URL:
        return make_url(f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres")


@pytest.fixture
def private_postgres(tmp_path: Path) -> Iterator[PrivateCluster]:
    # Not under tmp_path: the postgres user must reach the folder, and pytest's are root's alone.
    cluster = PrivateCluster(Path(tempfile.mkdtemp(prefix="shop-faults-pg-")), free_port())
    cluster.init()
    cluster.start()
    yield cluster
    with contextlib.suppress(subprocess.CalledProcessError):  # stopped already
        cluster.stop()
    shutil.rmtree(cluster.folder, ignore_errors=True)


def test_postgresql_away_is_503_and_the_same_processes_recover(
    private_postgres: PrivateCluster, tmp_path: Path
) -> None:
    databases = Databases(private_postgres.url, tmp_path)
    shop = serve(tmp_path, databases.migrated())
    try:
        pids = {shop.server.process.pid, *shop.workers()}
        with Load(shop) as load:
            run_for(2)
            private_postgres.stop()
            run_for(3)
            during = Counter(call(shop, "GET", path).status for path in ["/ready", "/products", "/orders"] * 5)
            away = call(shop, "GET", "/products")
            private_postgres.start()
            deadline = time.monotonic() + 20
            while call(shop, "GET", "/ready").status != 200 and time.monotonic() < deadline:
                time.sleep(0.5)
            run_for(3)
        assert during == {503: 15}, during
        assert away.content_type.startswith("application/problem+json") and away.json()["status"] == 503
        errors = [line for line in shop.server.output.splitlines() if "ERROR" in line or "Error" in line]
        assert not [status for status in load.statuses if status >= 500 and status != 503], (load.statuses, errors)
        assert load.statuses[503] > 0 and load.failures == {}, (load.statuses, load.failures)
        # The same processes serve again.
        assert {shop.server.process.pid, *shop.workers()} == pids
        assert call(shop, "GET", "/ready").status == 200
        assert call(shop, "GET", f"/products/{shop.product_ids[0]}").status == 200
        placed = call(shop, "POST", "/orders", {"items": [{"product_id": shop.product_ids[0], "quantity": 1}]})
        assert placed.status == 201, placed.body
        assert_consistent(shop, load)
    finally:
        shop.operator.stop_all()


# -- SQLite's write lock held by someone else --------------------------------------------


def test_a_held_sqlite_write_lock_makes_writers_wait_never_fail(tmp_path: Path) -> None:
    databases = Databases(None, tmp_path)
    url = databases.migrated()
    shop = serve(tmp_path, url)
    try:
        import sqlite3

        with Load(shop) as load:
            run_for(1)
            other = sqlite3.connect(url.database or "", isolation_level=None, timeout=30)
            other.execute("BEGIN IMMEDIATE")  # another program takes the write lock
            run_for(2)
            other.execute("COMMIT")
            other.close()
            run_for(2)
        assert load.statuses[201] > 50, load.statuses
        assert set(load.statuses) <= {200, 201}, (load.statuses, load.bodies[:3])
        assert load.failures == {}, load.failures
        assert not any(b"locked" in body for body in load.bodies)
        assert_consistent(shop, load)
    finally:
        shop.operator.stop_all()
