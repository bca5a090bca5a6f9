"""A state machine drives the in-process shop with random orders, cancellations,
status moves, deletions, restocks and product deletions, and after every step
checks the shop's promises:

- for every product, stock + the quantities held by live orders (not cancelled,
  not deleted) = everything ever put in;
- every order's total is the sum of its lines, unless an admin set it;
- no stock is below zero;
- a refused request changed nothing;
- every cancelled order says why, and after a sweep no order is pending past
  its time to live (unpaid orders expire, their stock back on sale).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import select
from sqlalchemy.engine import Connection

from conftest import Databases
from shop.app import create_app
from shop.models import Order, OrderLine, Product
from shop.money import parse_cents
from shop.settings import load_settings
from steps.accounts import add_user
from steps.http import FakeClock
from steps.shop_client import InProcessShop

PRODUCTS = ("Kettle", "Mug", "Teapot")
TTL_SECONDS = 60
STATUSES = ("pending", "paid", "shipped", "delivered", "cancelled")


def snapshot(shop: InProcessShop) -> tuple[Any, ...]:
    """Everything a request could change, to compare before and after a refusal."""

    def read(connection: Connection) -> tuple[Any, ...]:
        products = connection.execute(select(Product.id, Product.stock, Product.price_cents)).all()
        orders = connection.execute(select(Order.id, Order.status, Order.total_cents, Order.cancel_reason)).all()
        lines = connection.execute(select(OrderLine.order_id, OrderLine.product_id, OrderLine.quantity)).all()
        return tuple(sorted(products)), tuple(sorted(orders)), tuple(sorted(lines, key=repr))

    return shop.in_database(read)


def run_machine(databases: Databases) -> None:
    class Shopping(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.url = databases.migrated()
            settings_ = load_settings(
                _env_file=None,
                SECRET_KEY=secrets.token_urlsafe(48),
                DATABASE_URL=str(self.url),
                UNPAID_ORDER_TTL_SECONDS=TTL_SECONDS,
            )
            self.clock = FakeClock()
            self.shop = InProcessShop(create_app(settings_, clock=self.clock))
            self.tokens = {}
            for name, role in (("root", "admin"), ("ada", "customer"), ("bob", "customer")):
                add_user(self.shop, self.shop.app, name, "correct horse battery", role)
                body = {"username": name, "password": "correct horse battery"}
                self.tokens[name] = self.shop.request("POST", "/login", json=body).json["access_token"]
            self.put_in: dict[int, int] = {}
            self.orders: set[int] = set()
            for name, stock in zip(PRODUCTS, (5, 8, 3), strict=True):
                created = self.call("root", "POST", "/products", {"name": name, "price": "2.50", "stock": stock})
                self.put_in[created.json["id"]] = stock
            self.admin_totals: set[int] = set()

        def teardown(self) -> None:
            self.shop.close()
            databases.drop(self.url)

        def call(self, who: str, method: str, path: str, body: Any = None) -> Any:
            before = snapshot(self.shop)
            response = self.shop.request(method, path, json=body, token=self.tokens[who])
            assert response.status_code < 500, response.text
            if response.status_code >= 400:
                assert snapshot(self.shop) == before, f"{method} {path} was refused but changed something"
            return response

        # -- rules ------------------------------------------------------------

        @rule(
            who=st.sampled_from(["ada", "bob", "root"]),
            picks=st.lists(st.tuples(st.integers(0, 2), st.integers(1, 6)), min_size=1, max_size=3),
        )
        def place_order(self, who: str, picks: list[tuple[int, int]]) -> None:
            ids = sorted(self.put_in)
            items = {ids[i % len(ids)]: quantity for i, quantity in picks} if ids else {424242: 1}
            body = {"items": [{"product_id": pid, "quantity": q} for pid, q in items.items()]}
            response = self.call(who, "POST", "/orders", body)
            assert response.status_code in (201, 409, 422), response.text
            if response.status_code == 201:
                self.orders.add(response.json["id"])

        @precondition(lambda self: self.orders)
        @rule(data=st.data(), who=st.sampled_from(["ada", "bob", "root"]), status=st.sampled_from(STATUSES))
        def move(self, data: st.DataObject, who: str, status: str) -> None:
            order_id = data.draw(st.sampled_from(sorted(self.orders)))
            response = self.call(who, "PATCH", f"/orders/{order_id}", {"status": status})
            assert response.status_code in (200, 403, 404, 409), response.text

        @precondition(lambda self: self.orders)
        @rule(data=st.data(), total=st.integers(0, 10_000))
        def set_total(self, data: st.DataObject, total: int) -> None:
            order_id = data.draw(st.sampled_from(sorted(self.orders)))
            response = self.call("root", "PATCH", f"/orders/{order_id}", {"total_price": total})
            assert response.status_code == 200, response.text
            self.admin_totals.add(order_id)

        @precondition(lambda self: self.orders)
        @rule(data=st.data(), who=st.sampled_from(["ada", "bob", "root"]))
        def delete_order(self, data: st.DataObject, who: str) -> None:
            order_id = data.draw(st.sampled_from(sorted(self.orders)))
            response = self.call(who, "DELETE", f"/orders/{order_id}")
            assert response.status_code in (204, 403, 404, 409), response.text
            if response.status_code == 204:
                self.orders.discard(order_id)

        @precondition(lambda self: self.put_in)
        @rule(data=st.data(), more=st.integers(1, 5))
        def restock(self, data: st.DataObject, more: int) -> None:
            product_id = data.draw(st.sampled_from(sorted(self.put_in)))
            stock = self.call("root", "GET", f"/products/{product_id}").json["stock"]
            response = self.call("root", "PATCH", f"/products/{product_id}", {"stock": stock + more})
            assert response.status_code == 200, response.text
            self.put_in[product_id] += more

        @precondition(lambda self: self.put_in)
        @rule(data=st.data())
        def delete_product(self, data: st.DataObject) -> None:
            product_id = data.draw(st.sampled_from(sorted(self.put_in)))
            assert self.call("root", "DELETE", f"/products/{product_id}").status_code == 204
            del self.put_in[product_id]

        @rule(seconds=st.integers(1, 2 * TTL_SECONDS))
        def time_passes_and_the_shop_sweeps(self, seconds: int) -> None:
            self.clock.advance(timedelta(seconds=seconds))
            self.shop.run(self.shop.app.sweeper.sweep_once())
            overdue = self.clock() - timedelta(seconds=TTL_SECONDS)
            statement = select(Order.id).where(Order.status == "pending", Order.created_at < overdue)
            assert self.shop.in_database(lambda connection: connection.execute(statement).all()) == []

        # -- invariants ---------------------------------------------------------

        @invariant()
        def stock_is_conserved(self) -> None:
            products, orders, lines = snapshot(self.shop)
            live = {order_id for order_id, status, _, _ in orders if status != "cancelled"}
            held: dict[int, int] = {}
            for order_id, product_id, quantity in lines:
                if order_id in live and product_id is not None:
                    held[product_id] = held.get(product_id, 0) + quantity
            stocks = {product_id: stock for product_id, stock, _ in products}
            assert set(stocks) == set(self.put_in)
            for product_id, stock in stocks.items():
                assert stock >= 0
                assert stock + held.get(product_id, 0) == self.put_in[product_id], product_id
            assert {order_id for order_id, _, _, _ in orders} == self.orders
            for _, status, _, reason in orders:
                assert (reason is not None) == (status == "cancelled"), (status, reason)

        @invariant()
        def totals_are_the_sum_of_their_lines(self) -> None:
            for order_id in self.orders - self.admin_totals:
                order = self.call("root", "GET", f"/orders/{order_id}").json
                assert parse_cents(order["total_price"]) == sum(parse_cents(i["line_total"]) for i in order["items"])

    run_state_machine_as_test(
        Shopping,
        settings=settings(
            max_examples=25, stateful_step_count=25, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )


def test_orders_keep_their_promises_whatever_happens(databases: Databases) -> None:
    run_machine(databases)
