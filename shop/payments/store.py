"""The ledger's SQL: the one place that reads or writes `payments`, `refunds`
and `provider_events`.

Every write here runs in the caller's unit of work, beside the order's own
conditional write, so a payment and the order it pays commit together or not
at all. What must happen once is claimed by a unique key and an insert that
does nothing on a conflict: a provider's event id, a provider's payment
reference, a provider's refund id. Of racing twins exactly one insert wins.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from shop.storage.models import Base, Payment, Provider, ProviderEvent, Refund
from shop.storage.reads import Reads, row_type


class PaymentRow(NamedTuple):
    id: int
    order_id: int
    provider: Provider
    reference: str
    amount_cents: int
    currency: str
    applied: bool
    received_at: datetime


class RefundRow(NamedTuple):
    id: int
    payment_id: int
    amount_cents: int
    reason: str
    provider_reference: str | None
    refunded_at: datetime


PAYMENT = row_type(PaymentRow)
REFUND = row_type(RefundRow)
_PAYMENT_COLUMNS = [Payment.__table__.c[name] for name in PAYMENT.columns]
_REFUND_COLUMNS = [Refund.__table__.c[name] for name in REFUND.columns]


class _InsertOnce:
    """INSERT ... ON CONFLICT (unique) DO NOTHING RETURNING id, for each
    dialect, built once: building a statement costs more than SQLite running it
    (each Stripe delivery runs three of these)."""

    def __init__(self, model: type[Base], unique: list[str]) -> None:
        table = cast(Table, model.__table__)
        self.statements = {
            name: dialect.insert(table)
            .on_conflict_do_nothing(index_elements=[table.c[column] for column in unique])
            .returning(table.c.id)
            for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
        }

    def __call__(self, connection: Connection, values: dict[str, Any]) -> int | None:
        """The new row's id; None when a row with the same unique columns exists
        (committed, or committing in a racing transaction, which PostgreSQL waits for)."""
        statement = self.statements["postgresql" if connection.dialect.name == "postgresql" else "sqlite"]
        found = connection.execute(statement, values).scalar_one_or_none()
        return None if found is None else int(found)


_ADD_EVENT = _InsertOnce(ProviderEvent, ["provider", "event_id"])
_ADD_PAYMENT = _InsertOnce(Payment, ["provider", "reference"])
_ADD_REFUND = _InsertOnce(Refund, ["provider_reference"])
_SETTLE_EVENT = (
    update(ProviderEvent)
    .where(ProviderEvent.id == bindparam("claim_id"))
    .values(outcome=bindparam("outcome"), detail=bindparam("detail"))
)
_PAYMENT_BY_REFERENCE = select(*_PAYMENT_COLUMNS).where(
    Payment.provider == bindparam("provider"), Payment.reference == bindparam("reference")
)
_APPLIED_CENTS = select(func.coalesce(func.sum(Payment.amount_cents), 0)).where(
    Payment.order_id == bindparam("order_id"), Payment.applied.is_(True)
)
_REFUNDED_CENTS = select(func.coalesce(func.sum(Refund.amount_cents), 0)).where(
    Refund.payment_id == bindparam("payment_id")
)


def claim_event(connection: Connection, provider: Provider, event_id: str, kind: str, now: datetime) -> int | None:
    """The claim's id when this transaction is the first to take the event; None for a repeat.
    A concurrent twin waits here until this transaction ends (PostgreSQL's unique index)."""
    values = {"provider": provider, "event_id": event_id, "type": kind, "outcome": "", "detail": "", "received_at": now}
    return _ADD_EVENT(connection, values)


def settle_event(connection: Connection, claim_id: int, outcome: str, detail: str) -> None:
    """What acting on the event came to, for a person reading the table later."""
    connection.execute(_SETTLE_EVENT, {"claim_id": claim_id, "outcome": outcome, "detail": detail[:2000]})


def add_payment(
    connection: Connection,
    order_id: int,
    provider: Provider,
    reference: str,
    amount_cents: int,
    currency: str,
    *,
    applied: bool,
    now: datetime,
) -> PaymentRow | None:
    """The new payment; None when the provider's reference is on record already."""
    values = {
        "order_id": order_id,
        "provider": provider,
        "reference": reference,
        "amount_cents": amount_cents,
        "currency": currency,
        "applied": applied,
        "received_at": now,
    }
    payment_id = _ADD_PAYMENT(connection, values)
    return None if payment_id is None else PaymentRow(payment_id, **values)  # type: ignore[arg-type]


def add_refund(
    connection: Connection,
    payment_id: int,
    amount_cents: int,
    reason: str,
    provider_reference: str | None,
    now: datetime,
) -> RefundRow | None:
    """The new refund; None when the provider's refund id is on record already."""
    values = {
        "payment_id": payment_id,
        "amount_cents": amount_cents,
        "reason": reason,
        "provider_reference": provider_reference,
        "refunded_at": now,
    }
    refund_id = _ADD_REFUND(connection, values)
    return None if refund_id is None else RefundRow(refund_id, **values)  # type: ignore[arg-type]


def payment_by_reference(connection: Connection, provider: Provider, reference: str) -> PaymentRow | None:
    row = connection.execute(_PAYMENT_BY_REFERENCE, {"provider": provider, "reference": reference}).first()
    return PAYMENT.make(row) if row is not None else None


def applied_cents(connection: Connection, order_id: int) -> int:
    """What was paid towards the order: its applied payments."""
    return int(connection.execute(_APPLIED_CENTS, {"order_id": order_id}).scalar_one())


def refunded_cents(connection: Connection, payment_id: int) -> int:
    return int(connection.execute(_REFUNDED_CENTS, {"payment_id": payment_id}).scalar_one())


def ledger(connection: Connection, order_id: int) -> tuple[list[PaymentRow], list[RefundRow]]:
    """The order's payments (oldest first) and their refunds."""
    payments = [
        PAYMENT.make(row)
        for row in connection.execute(
            select(*_PAYMENT_COLUMNS).where(Payment.order_id == order_id).order_by(Payment.id)
        )
    ]
    refunds = [
        REFUND.make(row)
        for row in connection.execute(
            select(*_REFUND_COLUMNS)
            .join(Payment, Payment.id == Refund.payment_id)
            .where(Payment.order_id == order_id)
            .order_by(Refund.id)
        )
    ]
    return payments, refunds


# -- Fast reads (shop.storage.reads) ---------------------------------------------------

_READ_PAYMENTS = f"SELECT {PAYMENT.select_list()} FROM payments WHERE order_id = :id ORDER BY id"
_READ_REFUNDS = (
    f"SELECT {REFUND.select_list('r')} FROM refunds r JOIN payments p ON p.id = r.payment_id"
    " WHERE p.order_id = :id ORDER BY r.id"
)


async def read_ledger(reads: Reads, order_id: int) -> tuple[list[PaymentRow], list[RefundRow]]:
    """`ledger`, on the fast reads: for GET /orders/{id}/payments."""
    payments = await reads.all(PAYMENT, _READ_PAYMENTS, {"id": order_id})
    refunds = await reads.all(REFUND, _READ_REFUNDS, {"id": order_id}) if payments else []
    return payments, refunds
