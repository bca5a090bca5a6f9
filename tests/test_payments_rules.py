"""The payment rules on a real database: an order is paid once, when its
payments cover its total; money for a cancelled order is owed back; money in
another currency or for no order needs a person; refunds stay within a payment."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import URL, Connection

from shop.kernel.errors import Conflict
from shop.orders import store as orders
from shop.orders.store import LineRow
from shop.payments import service, store
from shop.payments.provider import Received
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
    return shop.in_database(
        lambda c: orders.add(c, user_id, [LineRow(None, None, None, "{}", "Teapot", 1999, 2)], NOW).order.id
    )


def pay(shop: InProcessShop, received: Received) -> service.Recorded:
    return shop.in_database(lambda connection: service.record(connection, received, "USD", NOW))


def status(shop: InProcessShop, order_id: int) -> str:
    def read(connection: Connection) -> str:
        order = orders.locked(connection, order_id)
        assert order is not None
        return order.status

    return shop.in_database(read)


def test_an_order_is_paid_when_its_payments_cover_the_total(shop: InProcessShop, order_id: int) -> None:
    assert pay(shop, Received("manual", "bank 1", order_id, 2000, "USD")).outcome == "applied"
    assert status(shop, order_id) == "pending"
    assert pay(shop, Received("manual", "bank 2", order_id, 1998, "usd")).outcome == "applied"
    assert status(shop, order_id) == "paid"


def test_a_reference_is_paid_once(shop: InProcessShop, order_id: int) -> None:
    assert pay(shop, Received("stripe", "pi_1", order_id, 3998, "usd")).outcome == "applied"
    again = pay(shop, Received("stripe", "pi_1", order_id, 3998, "usd"))
    assert again.outcome == "repeat" and again.payment is not None
    assert shop.in_database(lambda c: store.applied_cents(c, order_id)) == 3998


def test_money_for_a_cancelled_order_is_owed_back(shop: InProcessShop, order_id: int) -> None:
    shop.in_database(lambda c: orders.change(c, order_id, NOW, status="cancelled", total_cents=None))
    recorded = pay(shop, Received("stripe", "pi_1", order_id, 3998, "usd"))
    assert recorded.outcome == "owed back" and recorded.payment is not None and not recorded.payment.applied
    assert status(shop, order_id) == "cancelled"


@pytest.mark.parametrize(("order", "currency"), [(None, "usd"), (424242, "usd"), ("the order", "eur")])
def test_what_cannot_be_applied_needs_a_person(
    shop: InProcessShop, order_id: int, order: int | str | None, currency: str
) -> None:
    target = order_id if order == "the order" else order
    assert isinstance(target, int | None)
    recorded = pay(shop, Received("stripe", "pi_1", target, 3998, currency))
    assert recorded.outcome == "needs attention" and recorded.why
    assert status(shop, order_id) == "pending"


def test_refunds_stay_within_a_payment(shop: InProcessShop, order_id: int) -> None:
    pay(shop, Received("manual", "bank 1", order_id, 3998, "USD"))

    def refund(cents: int) -> store.RefundRow:
        return shop.in_database(lambda c: service.refund(c, service.locked_order(c, order_id), cents, "broken", NOW))

    assert refund(3000).amount_cents == 3000
    with pytest.raises(Conflict, match=r"9\.98"):
        refund(1000)
    assert refund(998).amount_cents == 998


def test_a_stripe_payment_is_refunded_in_stripe(shop: InProcessShop, order_id: int) -> None:
    pay(shop, Received("stripe", "pi_1", order_id, 3998, "usd"))
    with pytest.raises(Conflict, match="Stripe"):
        shop.in_database(lambda c: service.refund(c, service.locked_order(c, order_id), 100, "x", NOW))
