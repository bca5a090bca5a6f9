"""Real worker processes racing for the last units: `shop serve --workers 2`.

Runs in its own nox session (`nox -s race`), on a SQLite file and on
PostgreSQL: 100 clients at once order one unit each of a product with stock
10, 20 order the last 5 units of one variant while its sibling is left alone,
20 clients at once retry one order with the same Idempotency-Key, two
workers' expiry sweeps race for the same unpaid orders, Stripe delivers one
event 20 times at once, payments arrive as the sweeps expire their orders,
a consumer polls the event feed while eight writers change orders for 20 s,
50 customers race for a discount code limited to 10 uses, and one customer
sends 10 orders at once with a code of one use per customer.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL

from conftest import Databases
from shop.kernel.settings import async_database_url
from steps.payments import WEBHOOK, payment_intent, stripe_delivery, stripe_event
from steps.processes import Operator, Server
from tests.budgets import FEED_WRITING_SECONDS

pytestmark = pytest.mark.race

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PASSWORD = "correct horse battery"
SECRET = "whsec_race"  # every shop here takes Stripe's events, signed with it
TTL = 1  # the `expiring` shop's UNPAID_ORDER_TTL_SECONDS


def serve(request: pytest.FixtureRequest, tmp_path: Path, **settings: str) -> Iterator[Server]:
    if request.param == "postgresql" and not POSTGRES:
        pytest.skip("no PostgreSQL (TEST_POSTGRES_URL is empty)")
    server_url = async_database_url(POSTGRES) if request.param == "postgresql" else None
    databases = Databases(server_url, tmp_path)
    url: URL = databases.migrated()
    operator = Operator.with_admin(tmp_path, url, username="root", email="root@shop.example", password=PASSWORD)
    operator.env.update(STRIPE_WEBHOOK_SECRET=SECRET, **settings)
    server = operator.start("shop serve --workers 2")
    yield server
    operator.stop_all()
    databases.drop_all()


@pytest.fixture(params=["sqlite", "postgresql"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    yield from serve(request, tmp_path)


@pytest.fixture(params=["sqlite", "postgresql"])
def expiring(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    """Both workers sweep every quarter second for orders unpaid for a second."""
    yield from serve(request, tmp_path, UNPAID_ORDER_TTL_SECONDS=str(TTL))


async def login(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    response = await client.post("/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def setup(client: httpx.AsyncClient, stock: int) -> tuple[dict[str, str], dict[str, str], int]:
    admin = await login(client, "root")
    user = {"username": "ada", "email": "ada@shop.example", "password": PASSWORD}
    assert (await client.post("/users", json=user, headers=admin)).status_code == 201
    product = await client.post(
        "/products", json={"name": "Last Teapots", "price": "9.99", "stock": stock}, headers=admin
    )
    assert product.status_code == 201
    return admin, await login(client, "ada"), product.json()["id"]


async def none_pending(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    """Wait while orders are pending: both workers' sweeps take them within a few seconds."""
    for _ in range(100):
        if (await client.get("/orders?status=pending", headers=admin)).json()["total"] == 0:
            return
        await asyncio.sleep(0.1)


def test_a_hundred_clients_race_for_ten_units(served: Server) -> None:
    async def race() -> None:
        limits = httpx.Limits(max_connections=100)
        async with httpx.AsyncClient(base_url=served.url(""), timeout=60, limits=limits) as client:
            admin, customer, product_id = await setup(client, stock=10)
            body = {"items": [{"product_id": product_id, "quantity": 1}]}
            answers = await asyncio.gather(*(client.post("/orders", json=body, headers=customer) for _ in range(100)))
            statuses = Counter(answer.status_code for answer in answers)
            assert statuses == {201: 10, 409: 90}, statuses
            orders = await client.get("/orders?per_page=100", headers=admin)
            assert orders.json()["total"] == 10
            assert (await client.get(f"/products/{product_id}", headers=admin)).json()["stock"] == 0

    asyncio.run(race())


def test_twenty_clients_race_for_the_last_five_units_of_one_variant(served: Server) -> None:
    """Both workers take stock from one variant by its conditional UPDATE; its
    sibling, in the same product, is not touched, and the ledger adds up."""

    async def race() -> None:
        limits = httpx.Limits(max_connections=20)
        async with httpx.AsyncClient(base_url=served.url(""), timeout=60, limits=limits) as client:
            admin = await login(client, "root")
            user = {"username": "ada", "email": "ada@shop.example", "password": PASSWORD}
            assert (await client.post("/users", json=user, headers=admin)).status_code == 201
            shirt = {
                "name": "Shirt",
                "options": [{"name": "size", "values": ["S", "M"]}],
                "variants": [
                    {"options": {"size": "S"}, "price": "9.00", "stock": 5},
                    {"options": {"size": "M"}, "price": "9.00", "stock": 7},
                ],
            }
            created = await client.post("/products", json=shirt, headers=admin)
            assert created.status_code == 201, created.text
            product_id = created.json()["id"]
            small, medium = (variant["id"] for variant in created.json()["variants"])
            customer = await login(client, "ada")
            body = {"items": [{"variant_id": small, "quantity": 1}]}
            answers = await asyncio.gather(*(client.post("/orders", json=body, headers=customer) for _ in range(20)))
            statuses = Counter(answer.status_code for answer in answers)
            assert statuses == {201: 5, 409: 15}, statuses
            shown = (await client.get(f"/products/{product_id}", headers=admin)).json()
            assert {variant["sku"]: variant["stock"] for variant in shown["variants"]} == {"shirt-s": 0, "shirt-m": 7}
            for variant_id, stock in ((small, 0), (medium, 7)):
                path = f"/products/{product_id}/variants/{variant_id}/stock-movements?per_page=100"
                moves = (await client.get(path, headers=admin)).json()["items"]
                assert sum(move["delta"] for move in moves) == stock, moves

    asyncio.run(race())


def test_twenty_concurrent_retries_of_one_key_create_one_order(served: Server) -> None:
    async def retries() -> None:
        async with httpx.AsyncClient(base_url=served.url(""), timeout=60) as client:
            admin, customer, product_id = await setup(client, stock=100)
            body = {"items": [{"product_id": product_id, "quantity": 2}]}
            headers = {**customer, "Idempotency-Key": "checkout-42"}
            answers = await asyncio.gather(*(client.post("/orders", json=body, headers=headers) for _ in range(20)))
            statuses = Counter(answer.status_code for answer in answers)
            assert set(statuses) <= {201, 409}, statuses
            assert statuses[201] >= 1
            created = {answer.json()["id"] for answer in answers if answer.status_code == 201}
            assert len(created) == 1, created
            # Once the first has finished, every retry is a replay of it.
            again = await client.post("/orders", json=body, headers=headers)
            assert again.status_code == 201
            assert again.headers["Idempotent-Replayed"] == "true"
            assert again.json()["id"] in created
            assert (await client.get("/orders", headers=admin)).json()["total"] == 1
            assert (await client.get(f"/products/{product_id}", headers=admin)).json()["stock"] == 98

    asyncio.run(retries())


def test_two_workers_sweeping_side_by_side_expire_each_order_once(expiring: Server) -> None:
    async def sweeps() -> None:
        async with httpx.AsyncClient(base_url=expiring.url(""), timeout=60) as client:
            admin, customer, product_id = await setup(client, stock=40)
            body = {"items": [{"product_id": product_id, "quantity": 1}]}
            answers = await asyncio.gather(*(client.post("/orders", json=body, headers=customer) for _ in range(40)))
            assert {answer.status_code for answer in answers} == {201}
            await none_pending(client, admin)
            cancelled = (await client.get("/orders?status=cancelled&per_page=100", headers=admin)).json()
            assert cancelled["total"] == 40
            assert {order["cancel_reason"] for order in cancelled["items"]} == {"expired"}
            # Each order's unit went back once: not 80, not fewer than 40.
            assert (await client.get(f"/products/{product_id}", headers=admin)).json()["stock"] == 40

    asyncio.run(sweeps())


def paid_in_full(order: dict[str, Any], event_id: str, intent_id: str) -> tuple[bytes, dict[str, str]]:
    """Stripe's delivery, signed now, of payment_intent.succeeded for the whole of `order`."""
    cents = int(Decimal(order["total_price"]) * 100)
    item = payment_intent(intent_id, cents, "usd", order["id"])
    return stripe_delivery(stripe_event(event_id, "payment_intent.succeeded", item), SECRET, int(time.time()))


def test_twenty_concurrent_deliveries_of_one_stripe_event_record_one_payment(served: Server) -> None:
    async def deliveries() -> None:
        async with httpx.AsyncClient(base_url=served.url(""), timeout=60) as client:
            admin, customer, product_id = await setup(client, stock=10)
            body = {"items": [{"product_id": product_id, "quantity": 2}]}
            placed = await client.post("/orders", json=body, headers=customer)
            assert placed.status_code == 201, placed.text
            order = placed.json()
            content, headers = paid_in_full(order, "evt_1", "pi_1")
            answers = await asyncio.gather(*(client.post(WEBHOOK, content=content, headers=headers) for _ in range(20)))
            assert [answer.status_code for answer in answers] == [200] * 20, [answer.text for answer in answers]
            assert {answer.json()["event"] for answer in answers} == {"evt_1"}
            outcomes = Counter(answer.json()["outcome"] for answer in answers)
            assert outcomes == {"applied": 1, "repeat": 19}, outcomes
            ledger = (await client.get(f"/orders/{order['id']}/payments", headers=admin)).json()
            assert (ledger["status"], ledger["paid"], ledger["owed_back"]) == ("paid", "19.98", "0.00"), ledger
            payments = [
                (payment["provider"], payment["reference"], payment["amount"]) for payment in ledger["payments"]
            ]
            assert payments == [("stripe", "pi_1", "19.98")], ledger

    asyncio.run(deliveries())


ORDERS = 20


def test_a_payment_racing_an_expiry_ends_in_one_outcome(expiring: Server) -> None:
    async def race() -> Counter[str]:
        async with httpx.AsyncClient(base_url=expiring.url(""), timeout=60) as client:
            admin, customer, product_id = await setup(client, stock=ORDERS)
            body = {"items": [{"product_id": product_id, "quantity": 1}]}

            async def place() -> tuple[dict[str, Any], float]:
                placed = await client.post("/orders", json=body, headers=customer)
                assert placed.status_code == 201, placed.text
                return placed.json(), time.time()  # the order was made a moment before

            async def pay(n: int, order: dict[str, Any], answered_at: float) -> httpx.Response:
                # At the order's deadline, from a tenth of a second before it to more than a
                # sweep interval (a quarter second) after: the early ones pay, the late ones
                # find it expired, and those between race the two workers' sweeps.
                await asyncio.sleep(max(answered_at + TTL - 0.1 + 0.35 * n / (ORDERS - 1) - time.time(), 0))
                content, headers = paid_in_full(order, f"evt_{order['id']}", f"pi_{order['id']}")
                return await client.post(WEBHOOK, content=content, headers=headers)

            orders = await asyncio.gather(*(place() for _ in range(ORDERS)))
            answers = await asyncio.gather(*(pay(n, *placed) for n, placed in enumerate(orders)))
            assert [answer.status_code for answer in answers] == [200] * ORDERS, [answer.text for answer in answers]
            said = {answer.json()["event"]: answer.json()["outcome"] for answer in answers}
            await none_pending(client, admin)
            listed = (await client.get(f"/orders?per_page={ORDERS}", headers=admin)).json()
            assert listed["total"] == ORDERS
            ended: Counter[str] = Counter()
            for order in listed["items"]:
                ledger = (await client.get(f"/orders/{order['id']}/payments", headers=admin)).json()
                total, outcome = order["total_price"], said[f"evt_{order['id']}"]
                seen = (order["status"], order["cancel_reason"], ledger["paid"], ledger["owed_back"], outcome)
                if seen == ("paid", None, total, "0.00", "applied"):
                    ended["paid"] += 1
                elif seen == ("cancelled", "expired", "0.00", total, "owed back"):
                    ended["expired, owed back"] += 1
                else:
                    raise AssertionError(f"neither paid nor expired and owed back: {seen} {ledger}")
                payments = [(payment["reference"], payment["amount"]) for payment in ledger["payments"]]
                assert payments == [(f"pi_{order['id']}", total)], ledger
            # Each expired order's unit went back once; each paid one's stayed sold.
            stock = (await client.get(f"/products/{product_id}", headers=admin)).json()["stock"]
            assert stock == ended["expired, owed back"], (stock, ended)
            return ended

    ended = asyncio.run(race())
    print(f"payments at the deadline of {ORDERS} orders: {dict(ended)}")


WRITERS = 8


def test_a_consumer_polling_the_feed_during_concurrent_writes_misses_nothing_and_sees_nothing_twice(
    served: Server,
) -> None:
    """Eight writers place, pay, cancel and delete orders on both workers for 20 s,
    while a consumer polls GET /events?after=<the last id it has>. On
    PostgreSQL ids from the sequence commit out of order under such load; the
    consumer must still end with exactly the feed, in its order, once each."""

    async def race() -> tuple[list[int], list[dict[str, Any]], Counter[str]]:
        limits = httpx.Limits(max_connections=WRITERS + 2)
        async with httpx.AsyncClient(base_url=served.url(""), timeout=60, limits=limits) as client:
            admin, customer, product_id = await setup(client, stock=1_000_000)
            body = {"items": [{"product_id": product_id, "quantity": 1}]}
            done = asyncio.Event()
            # The events each answered change must have written, starting with the
            # setup's: the administrator and the customer joined, the product was added.
            committed: Counter[str] = Counter({"user.created": 2, "product.created": 1})

            async def writer(seed: int) -> None:
                rng = random.Random(seed)
                while not done.is_set():
                    placed = await client.post("/orders", json=body, headers=customer)
                    assert placed.status_code == 201, placed.text
                    committed["order.created"] += 1
                    order = placed.json()
                    path = f"/orders/{order['id']}"
                    choice = rng.random()
                    if choice < 0.4:
                        money = {"amount": order["total_price"], "reference": f"bank {order['id']}"}
                        paid = await client.post(f"{path}/payments", json=money, headers=admin)
                        assert paid.status_code == 201, paid.text
                        committed["payment.received"] += 1
                        committed["order.paid"] += 1
                    elif choice < 0.7:
                        cancelled = await client.patch(path, json={"status": "cancelled"}, headers=customer)
                        assert cancelled.status_code == 200, cancelled.text
                        committed["order.cancelled"] += 1
                    elif choice < 0.85:
                        deleted = await client.delete(path, headers=customer)
                        assert deleted.status_code == 204, deleted.text
                        committed["order.deleted"] += 1

            async def read_after(after: int) -> list[dict[str, Any]]:
                answer = await client.get(f"/events?per_page=100&after={after}", headers=admin)
                assert answer.status_code == 200, answer.text
                return list(answer.json()["items"])

            seen: list[int] = []
            answered = asyncio.Event()  # every write has had its answer: `committed` is final

            async def consumer() -> None:
                # Polls like a real consumer until it holds as many events as the
                # answered writes committed; an empty page proves nothing while a
                # write may still be on its way.
                while not (answered.is_set() and len(seen) >= sum(committed.values())):
                    page = await read_after(seen[-1] if seen else 0)
                    seen.extend(event["id"] for event in page)
                    if len(page) < 100:
                        await asyncio.sleep(0.01)

            polling = asyncio.create_task(consumer())
            writing = [asyncio.create_task(writer(seed)) for seed in range(WRITERS)]
            await asyncio.sleep(FEED_WRITING_SECONDS)
            done.set()
            await asyncio.gather(*writing)
            answered.set()
            try:
                await asyncio.wait_for(polling, timeout=60)
            except TimeoutError:
                expected = sum(committed.values())
                raise AssertionError(f"the consumer had {len(seen)} of {expected} events 60 s on") from None
            feed: list[dict[str, Any]] = []
            while page := await read_after(feed[-1]["id"] if feed else 0):
                feed += page
            return seen, feed, committed

    seen, feed, committed = asyncio.run(race())
    ids = [event["id"] for event in feed]
    assert len(set(ids)) == len(ids), "the feed shows an event twice"
    assert seen == ids, f"the consumer saw {len(seen)} events, the feed has {len(ids)}"
    told = Counter(event["type"] for event in feed)
    assert told == committed, (told, committed)
    out_of_order = sum(1 for a, b in itertools.pairwise(ids) if b < a)
    print(
        f"{len(ids)} events from {WRITERS} writers in {FEED_WRITING_SECONDS} s; "
        f"{out_of_order} ids in the feed after a larger one"
    )


def test_webhooks_made_and_deleted_while_orders_are_placed_never_fail_an_order(served: Server) -> None:
    """Each order fans its event out to the webhooks active as it commits; one
    deleted meanwhile is left out, never named by a delivery that then breaks
    the order's transaction (PostgreSQL's foreign key would)."""

    async def race() -> Counter[int]:
        async with httpx.AsyncClient(base_url=served.url(""), timeout=60) as client:
            admin, customer, product_id = await setup(client, stock=10_000)
            body = {"items": [{"product_id": product_id, "quantity": 1}]}
            done = asyncio.Event()

            async def churn() -> None:
                while not done.is_set():
                    made = await client.post(
                        "/webhooks", json={"url": "https://erp.example/hook", "events": ["*"]}, headers=admin
                    )
                    assert made.status_code == 201, made.text
                    gone = await client.delete(f"/webhooks/{made.json()['id']}", headers=admin)
                    assert gone.status_code == 204, gone.text

            async def orders() -> list[int]:
                return [(await client.post("/orders", json=body, headers=customer)).status_code for _ in range(40)]

            churning = [asyncio.create_task(churn()) for _ in range(2)]
            placed = await asyncio.gather(*(orders() for _ in range(6)))
            done.set()
            await asyncio.gather(*churning)
            return Counter(status for statuses in placed for status in statuses)

    statuses = asyncio.run(race())
    assert statuses == {201: 240}, statuses


def test_a_code_limited_to_ten_uses_is_used_ten_times_when_fifty_customers_race_for_it(served: Server) -> None:
    """50 customers at once on a code limited to 10 uses, from both workers: exactly 10
    orders get the discount (the use is one conditional UPDATE in the order's
    transaction), the other 40 are refused and change nothing."""

    async def race() -> None:
        limits = httpx.Limits(max_connections=50)
        async with httpx.AsyncClient(base_url=served.url(""), timeout=120, limits=limits) as client:
            admin = await login(client, "root")
            product = await client.post(
                "/products", json={"name": "Kettle", "price": "20.00", "stock": 100}, headers=admin
            )
            assert product.status_code == 201, product.text
            code = {"code": "TEN", "kind": "percentage", "value": "10", "usage_limit": 10}
            discount = await client.post("/discounts", json=code, headers=admin)
            assert discount.status_code == 201, discount.text
            names = [f"racer{n}" for n in range(50)]
            # Made and logged in a few at a time: password hashing has a bounded pool (503 past it).
            hashing = asyncio.Semaphore(4)

            async def customer(name: str) -> dict[str, str]:
                async with hashing:
                    user = {"username": name, "email": f"{name}@shop.example", "password": PASSWORD}
                    made = await client.post("/users", json=user, headers=admin)
                    assert made.status_code == 201, made.text
                    return await login(client, name)

            customers = await asyncio.gather(*(customer(name) for name in names))
            body = {"items": [{"product_id": product.json()["id"], "quantity": 1}], "discount_code": "ten"}
            answers = await asyncio.gather(*(client.post("/orders", json=body, headers=who) for who in customers))
            statuses = Counter(answer.status_code for answer in answers)
            assert statuses == {201: 10, 409: 40}, statuses
            assert all(a.json()["discount_total"] == "2.00" for a in answers if a.status_code == 201)
            refused = {a.json()["type"] for a in answers if a.status_code == 409}
            assert refused == {"urn:shop:problem:discount-used-up"}, refused
            shown = (await client.get(f"/discounts/{discount.json()['id']}", headers=admin)).json()
            assert shown["times_used"] == 10, shown
            stock = (await client.get(f"/products/{product.json()['id']}", headers=admin)).json()["stock"]
            assert stock == 90  # a refused order took no stock

    asyncio.run(race())


def test_one_customer_racing_themself_gets_a_once_per_customer_code_once(served: Server) -> None:
    """Ten orders at once from one customer with a code of one use per customer: one
    gets it (one conditional upsert of the customer's count), nine are refused."""

    async def race() -> None:
        limits = httpx.Limits(max_connections=10)
        async with httpx.AsyncClient(base_url=served.url(""), timeout=60, limits=limits) as client:
            admin, customer, product_id = await setup(client, stock=100)
            code = {"code": "WELCOME", "kind": "fixed", "value": "1.00", "per_customer_limit": 1}
            discount = await client.post("/discounts", json=code, headers=admin)
            assert discount.status_code == 201, discount.text
            body = {"items": [{"product_id": product_id, "quantity": 1}], "discount_code": "WELCOME"}
            answers = await asyncio.gather(*(client.post("/orders", json=body, headers=customer) for _ in range(10)))
            statuses = Counter(answer.status_code for answer in answers)
            assert statuses == {201: 1, 409: 9}, statuses
            refused = {a.json()["type"] for a in answers if a.status_code == 409}
            assert refused == {"urn:shop:problem:discount-used-up-by-customer"}, refused
            shown = (await client.get(f"/discounts/{discount.json()['id']}", headers=admin)).json()
            assert shown["times_used"] == 1, shown

    asyncio.run(race())
