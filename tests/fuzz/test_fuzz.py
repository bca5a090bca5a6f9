"""The API fuzzed against its own OpenAPI document (`nox -s fuzz`).

A real `shop serve` on a fresh database (SQLite, then PostgreSQL) with a small
catalogue.
Schemathesis (settings in schemathesis.toml, hooks in hooks.py, both beside this file; examples per
operation in tests/budgets.py) runs every phase once as a customer and once as an admin, logging in through POST /login
(hooks.py), and fails on any 5xx and on any answer the document does not describe.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import Databases
from shop.kernel.settings import async_database_url
from steps.processes import Operator, Server
from tests.budgets import FUZZ_EXAMPLES

pytestmark = pytest.mark.fuzz

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# Neither the names nor the password in the document's examples: the fuzzer
# sends those, and with the right current_password it would change the
# password it logs in with.
PASSWORD = "fuzzing is not guessing 42"
STRIPE_SECRET = "whsec_fuzzing"
CONFIG = Path(__file__).with_name("schemathesis.toml")
HOOKS = Path(__file__).with_name("hooks.py")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.fixture(params=["sqlite", "postgresql"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    if request.param == "postgresql" and not POSTGRES:
        pytest.skip("no PostgreSQL (TEST_POSTGRES_URL is empty)")
    databases = Databases(async_database_url(POSTGRES) if request.param == "postgresql" else None, tmp_path)
    url = databases.migrated()
    operator = Operator.with_admin(tmp_path, url, username="fuzzy-admin", email="admin@fuzz.example", password=PASSWORD)
    operator.env["STRIPE_WEBHOOK_SECRET"] = STRIPE_SECRET
    server = operator.start("shop serve")
    stock(server)
    yield server
    operator.stop_all()
    databases.drop_all()


def stock(server: Server) -> None:
    """A catalogue to find, and accounts the fuzzer cannot delete from under itself:
    each holds a shipped order, which neither a customer nor an admin may delete."""
    with httpx.Client(base_url=server.url(""), timeout=30) as client:
        admin = login(client, "fuzzy-admin")
        customer = {"username": "fuzzy-customer", "email": "customer@fuzz.example", "password": PASSWORD}
        assert client.post("/users", json=customer, headers=admin).status_code == 201
        products = [
            client.post("/products", json={"name": f"Teapot {n}", "price": f"{n}.50", "stock": 1000}, headers=admin)
            for n in range(1, 21)
        ]
        assert all(product.status_code == 201 for product in products)
        for username in ("fuzzy-admin", "fuzzy-customer"):
            user_id = client.get("/users/me", headers=login(client, username)).json()["id"]
            order = client.post(
                "/orders",
                json={"items": [{"product_id": products[0].json()["id"], "quantity": 1}], "user_id": user_id},
                headers=admin,
            )
            assert order.status_code == 201, order.text
            for status in ("paid", "shipped"):
                moved = client.patch(f"/orders/{order.json()['id']}", json={"status": status}, headers=admin)
                assert moved.status_code == 200, moved.text


def login(client: httpx.Client, username: str) -> dict[str, str]:
    response = client.post("/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.mark.parametrize("username", ["fuzzy-customer", "fuzzy-admin"], ids=["as a customer", "as an admin"])
def test_every_answer_keeps_to_the_document(served: Server, username: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SHOP_FUZZ_USERNAME": username,
        "SHOP_FUZZ_PASSWORD": PASSWORD,
        "SHOP_FUZZ_URL": served.url(""),
        "SHOP_FUZZ_STRIPE_SECRET": STRIPE_SECRET,
        "SCHEMATHESIS_HOOKS": str(HOOKS),
    }
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(CONFIG),
        "run",
        served.url("/openapi.json"),
        "--max-examples",
        str(FUZZ_EXAMPLES),
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path / "report"),
    ]
    # Run in the test's own folder: schemathesis keeps a cache where it runs.
    finished = subprocess.run(command, env=env, cwd=tmp_path, check=False)
    assert finished.returncode == 0, "schemathesis found answers that break the document (see above)"
