"""Real worker processes racing for the last units: `shop serve --workers 2`.

Runs in its own nox session (`nox -s race`), on a SQLite file and on
PostgreSQL: 100 clients at once order one unit each of a product with stock
10, 20 clients at once retry one order with the same Idempotency-Key, and two
workers' expiry sweeps race for the same unpaid orders.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import URL

from conftest import Databases
from shop.settings import async_database_url
from steps.processes import Operator, Server

pytestmark = pytest.mark.race

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PASSWORD = "correct horse battery"


def serve(request: pytest.FixtureRequest, tmp_path: Path, **settings: str) -> Iterator[Server]:
    if request.param == "postgresql" and not POSTGRES:
        pytest.skip("no PostgreSQL (TEST_POSTGRES_URL is empty)")
    server_url = async_database_url(POSTGRES) if request.param == "postgresql" else None
    databases = Databases(server_url, tmp_path)
    url: URL = databases.migrated()
    operator = Operator.with_admin(tmp_path, url, username="root", email="root@shop.example", password=PASSWORD)
    operator.env.update(settings)
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
    yield from serve(request, tmp_path, UNPAID_ORDER_TTL_SECONDS="1")


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
            for _ in range(100):  # both workers' sweeps take them within a few seconds
                listed = (await client.get("/orders?status=pending", headers=admin)).json()
                if listed["total"] == 0:
                    break
                await asyncio.sleep(0.1)
            cancelled = (await client.get("/orders?status=cancelled&per_page=100", headers=admin)).json()
            assert cancelled["total"] == 40
            assert {order["cancel_reason"] for order in cancelled["items"]} == {"expired"}
            # Each order's unit went back once: not 80, not fewer than 40.
            assert (await client.get(f"/products/{product_id}", headers=admin)).json()["stock"] == 40

    asyncio.run(sweeps())
