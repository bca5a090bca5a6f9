"""The ledger's once-only writes, on a real database (SQLite, and PostgreSQL
with TEST_DATABASE_URL): a provider's event, payment reference and refund id
are each recorded once, however often they come."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import URL, Connection

from shop.orders import store as orders
from shop.orders.store import LineRow
from shop.payments import store
from steps.accounts import add_user
from steps.http import FakeClock, in_process_app
from steps.http import test_settings as settings_for
from steps.shop_client import InProcessShop

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def shop(database_url: URL) -> Iterator[InProcessShop]:
    running = InProcessShop(in_process_app(settings_for(database_url), FakeClock()))
    yield running
    running.close()


@pytest.fixture
def order_id(shop: InProcessShop) -> int:
    user_id = add_user(shop, shop.app, "ada", "correct horse battery", "customer")

    def place(connection: Connection) -> int:
        return orders.add(connection, user_id, [LineRow(None, None, None, "{}", "Teapot", 1999, 2)], NOW).order.id

    return shop.in_database(place)


def test_an_event_is_claimed_once(shop: InProcessShop) -> None:
    def claim(connection: Connection) -> int | None:
        return store.claim_event(connection, "stripe", "evt_1", "payment_intent.succeeded", NOW)

    assert shop.in_database(claim) is not None
    assert shop.in_database(claim) is None


def test_a_payment_reference_is_recorded_once(shop: InProcessShop, order_id: int) -> None:
    def pay(connection: Connection) -> store.PaymentRow | None:
        return store.add_payment(connection, order_id, "stripe", "pi_1", 3998, "USD", applied=True, now=NOW)

    first = shop.in_database(pay)
    assert first is not None and first.amount_cents == 3998
    assert shop.in_database(pay) is None
    assert shop.in_database(lambda connection: store.applied_cents(connection, order_id)) == 3998


def test_a_provider_refund_is_recorded_once_and_counted(shop: InProcessShop, order_id: int) -> None:
    def pay(connection: Connection) -> store.PaymentRow | None:
        return store.add_payment(connection, order_id, "manual", "bank 1", 3998, "USD", applied=True, now=NOW)

    payment = shop.in_database(pay)
    assert payment is not None

    def refund(connection: Connection) -> store.RefundRow | None:
        return store.add_refund(connection, payment.id, 1999, "broken", "re_1", NOW)

    assert shop.in_database(refund) is not None
    assert shop.in_database(refund) is None
    assert shop.in_database(lambda connection: store.refunded_cents(connection, payment.id)) == 1999
    payments, refunds = shop.in_database(lambda connection: store.ledger(connection, order_id))
    assert [p.reference for p in payments] == ["bank 1"] and [r.amount_cents for r in refunds] == [1999]
