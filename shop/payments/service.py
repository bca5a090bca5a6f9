"""The payment rules, over the ledger's named rows (shop.payments.store).

Every rule is one transaction that first locks the order row: a payment, a
cancel, an expiry and a refund of one order take their turns, on PostgreSQL
by the row lock and on SQLite by its single writer. So an order moves
pending -> paid exactly once, in the transaction that records the payment
that makes what was paid cover its total; money for an order already
cancelled is recorded, not applied, and owed back. A provider's event is
claimed by its id in the transaction that acts on it, so it is acted on once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from loguru import logger
from sqlalchemy.engine import Connection

from shop.events import service as events
from shop.idempotency import service as idempotency
from shop.kernel.callers import Caller
from shop.kernel.errors import Conflict, NotFound, ShopError
from shop.kernel.money import format_cents
from shop.orders import service as orders
from shop.orders.service import OrderRow
from shop.payments import store
from shop.payments.provider import Event, Received, Refunded
from shop.payments.schemas import (
    Ledger,
    PaymentCreate,
    RefundCreate,
    ledger_of,
    payment_event,
    payment_of,
    refund_event,
    refund_of,
)
from shop.payments.store import PaymentRow, RefundRow
from shop.storage.database import Database

Outcome = Literal["applied", "owed back", "refunded", "repeat", "ignored", "needs attention"]
# What an order's payments cover, in the caller's transaction (shop.orders.service.PaidCents).
applied_cents = store.applied_cents


@dataclass(frozen=True, slots=True)
class Recorded:
    outcome: Outcome
    payment: PaymentRow | None = None
    why: str = ""  # for a person, when the outcome needs attention


# -- The rules, each in the caller's transaction -------------------------------


def record(connection: Connection, received: Received, currency: str, now: datetime) -> Recorded:
    """Record `received` against its order."""
    order = orders.locked(connection, received.order_id) if received.order_id is not None else None
    if order is None:
        which = "no order id" if received.order_id is None else f"no order {received.order_id} in this shop"
        return Recorded("needs attention", why=which)
    if received.currency.upper() != currency:
        return Recorded("needs attention", why=f"paid in {received.currency.upper()}; the shop sells in {currency}")
    applied = order.status != "cancelled"
    payment = store.add_payment(
        connection,
        order.id,
        received.provider,
        received.reference,
        received.amount_cents,
        currency,
        applied=applied,
        now=now,
    )
    if payment is None:
        return Recorded("repeat", store.payment_by_reference(connection, received.provider, received.reference))
    events.record(connection, "payment.received", f"order:{order.id}", payment_event(payment), now)
    if applied and order.status == "pending" and store.applied_cents(connection, order.id) >= order.total_cents:
        orders.mark_paid(connection, order.id, now, currency)
    return Recorded("applied" if applied else "owed back", payment)


def refund(connection: Connection, order: OrderRow, amount_cents: int, reason: str, now: datetime) -> RefundRow:
    """Give back `amount_cents` of the order's manual payments, from the newest
    payment that has that much left: never more than a payment took in."""
    payments, refunds = store.ledger(connection, order.id)
    refunded: dict[int, int] = {}
    for done in refunds:
        refunded[done.payment_id] = refunded.get(done.payment_id, 0) + done.amount_cents
    manual = [payment for payment in reversed(payments) if payment.provider == "manual"]
    if not payments:
        raise Conflict("This order has no payments to refund.")
    if not manual:
        raise Conflict(
            "This order was paid through Stripe: refund it in Stripe; the shop records the refund from Stripe's event."
        )
    left = {payment.id: payment.amount_cents - refunded.get(payment.id, 0) for payment in manual}
    for payment in manual:
        if left[payment.id] >= amount_cents:
            added = store.add_refund(connection, payment.id, amount_cents, reason, None, now)
            assert added is not None  # no provider reference: nothing to collide with
            _tell_refund(connection, added, order.id, now)
            return added
    raise Conflict(f"At most {format_cents(max(left.values()))} can be refunded from one payment of this order.")


def record_refunds(connection: Connection, refunded: Refunded, now: datetime) -> Recorded:
    """Record the refunds a provider made from one of its payments, each once,
    never beyond what the payment took in, nor beyond what the provider says it
    gave back in all: a listed refund that would pass that total is on record
    already, in the rest of an earlier event's total (its own name unknown then)."""
    payment = store.payment_by_reference(connection, refunded.provider, refunded.payment_reference)
    if payment is None:
        # Providers do not promise order: the payment's own event may come later.
        # Refused (and so not claimed), the provider delivers this one again.
        raise Conflict(
            f"No payment {refunded.payment_reference} is on record yet; "
            "this refund is recorded when the event comes again after it."
        )
    orders.locked(connection, payment.order_id)  # refunds of one order take their turns
    done = store.refunded_cents(connection, payment.id)
    for given in refunded.refunds:
        if done + given.amount_cents > refunded.total_cents:
            continue
        if done + given.amount_cents > payment.amount_cents:
            return Recorded("needs attention", payment, why=f"refund {given.reference} is more than is left to refund")
        added = store.add_refund(connection, payment.id, given.amount_cents, given.reason, given.reference, now)
        if added is not None:
            _tell_refund(connection, added, payment.order_id, now)
            done += given.amount_cents
    rest = refunded.total_cents - done
    if rest > 0:
        if refunded.total_cents > payment.amount_cents:
            return Recorded("needs attention", payment, why="refunded more than the payment took in")
        added = store.add_refund(connection, payment.id, rest, "refunded in Stripe", refunded.remainder_reference, now)
        if added is not None:
            _tell_refund(connection, added, payment.order_id, now)
    return Recorded("refunded", payment)


def _tell_refund(connection: Connection, refund: RefundRow, order_id: int, now: datetime) -> None:
    events.record(connection, "refund.created", f"order:{order_id}", refund_event(refund, order_id), now)


def locked_order(connection: Connection, order_id: int) -> OrderRow:
    order = orders.locked(connection, order_id)
    if order is None:
        raise NotFound("No such order.")
    return order


# -- What the HTTP layer calls ---------------------------------------------------


async def read_ledger(database: Database, caller: Caller, order_id: int, currency: str) -> Ledger:
    """Someone else's order is "not found" to a customer, as on GET /orders/{id}."""
    order = (await orders.read_order(database, caller, order_id)).order
    payments, refunds = await store.read_ledger(database.reads, order_id)
    return ledger_of(order, payments, refunds, currency)


async def pay(
    database: Database,
    order_id: int,
    new: PaymentCreate,
    now: datetime,
    *,
    caller: Caller,
    currency: str,
    key: str | None,
    refusal: Callable[[ShopError], bytes],
) -> idempotency.Answer:
    """Money an admin received (provider `manual`); with an Idempotency-Key, at most once."""

    def work(connection: Connection) -> bytes:
        locked_order(connection, order_id)
        received = Received("manual", new.reference, order_id, new.amount, currency)
        recorded = record(connection, received, currency, now)
        if recorded.payment is None or recorded.outcome == "repeat":
            raise Conflict(f"A manual payment with the reference {new.reference!r} is on record already.")
        return payment_of(recorded.payment, [])

    request = {"payment_of": order_id, **new.model_dump(mode="json")}
    return await idempotency.once(database, caller.id, key, request, now, work, refusal)


async def refund_order(
    database: Database,
    order_id: int,
    new: RefundCreate,
    now: datetime,
    *,
    caller: Caller,
    key: str | None,
    refusal: Callable[[ShopError], bytes],
) -> idempotency.Answer:
    """Give money back from the order's manual payments; with an Idempotency-Key, at most once."""

    def work(connection: Connection) -> bytes:
        return refund_of(refund(connection, locked_order(connection, order_id), new.amount, new.reason, now))

    request = {"refund_of": order_id, **new.model_dump(mode="json")}
    return await idempotency.once(database, caller.id, key, request, now, work, refusal)


async def receive(database: Database, event: Event, currency: str, now: datetime) -> Recorded:
    """Act on a provider's event once: a repeat (or a concurrent twin, which
    waits for the first to commit) finds the event claimed and changes nothing."""

    def work(connection: Connection) -> Recorded:
        claim = store.claim_event(connection, event.provider, event.id, event.type, now)
        if claim is None:
            return Recorded("repeat")
        if event.attention:
            recorded = Recorded("needs attention", why=event.attention)
        elif event.received is not None:
            recorded = record(connection, event.received, currency, now)
        elif event.refunded is not None:
            recorded = record_refunds(connection, event.refunded, now)
        else:
            recorded = Recorded("ignored")
        store.settle_event(connection, claim, recorded.outcome, recorded.why)
        return recorded

    recorded = await database.transaction(work)
    if recorded.outcome == "needs attention":
        logger.warning(
            "{} event {} ({}) needs attention: {}",
            event.provider,
            event.id,
            event.type,
            recorded.why or "see the event",
        )
    return recorded
