"""What a client may send about payments, and the ledger it sees."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypedDict

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, with_config

from shop.kernel import codec
from shop.kernel.codec import Timestamp
from shop.kernel.fields import one_line, plain_text
from shop.kernel.ids import Id
from shop.kernel.money import Amount, Currency, PositiveMoney, format_cents
from shop.storage.models import OrderStatus, Provider

if TYPE_CHECKING:
    from shop.orders.service import OrderRow
    from shop.payments.store import PaymentRow, RefundRow


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


class PaymentCreate(BaseModel):
    """Money an admin received for the order (a bank transfer, cash, a card terminal)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    amount: PositiveMoney
    # The bank's or till's own reference: one payment per reference, so the same transfer is never recorded twice.
    reference: Annotated[
        str,
        Field(min_length=1, max_length=255, examples=["bank transfer 2026-11-30 #0042"]),
        AfterValidator(_not_blank),
        AfterValidator(one_line),
    ]


class RefundCreate(BaseModel):
    """Money given back from the order's manual payments."""

    model_config = ConfigDict(extra="forbid", strict=True)

    amount: PositiveMoney
    reason: Annotated[
        str,
        Field(min_length=1, max_length=500, examples=["One teapot arrived broken."]),
        AfterValidator(_not_blank),
        AfterValidator(plain_text),
    ]


@with_config(ConfigDict(extra="forbid"))
class Refund(TypedDict):
    id: Id
    payment_id: Id
    amount: Amount
    reason: str
    reference: str | None  # the provider's id for a refund it made (Stripe's re_...); null for the shop's own
    refunded_at: Timestamp


@with_config(ConfigDict(extra="forbid"))
class Payment(TypedDict):
    id: Id
    provider: Provider
    reference: str  # the provider's id for it: a payment intent, a bank reference
    amount: Amount
    currency: Currency
    # False when the money came for an order already cancelled: recorded, and owed back.
    applied: bool
    received_at: Timestamp
    refunds: list[Refund]


@with_config(ConfigDict(extra="forbid"))
class Ledger(TypedDict):
    order_id: Id
    status: OrderStatus
    currency: Currency
    total_price: Amount
    paid: Amount  # the payments applied to the order
    refunded: Amount  # given back, from any payment
    due: Amount  # what the order still waits for; 0 once paid, and for a cancelled order
    owed_back: Amount  # received beyond what the order keeps, less what was refunded
    payments: list[Payment]


def _refund(refund: RefundRow) -> Refund:
    return {
        "id": refund.id,
        "payment_id": refund.payment_id,
        "amount": format_cents(refund.amount_cents),
        "reason": refund.reason,
        "reference": refund.provider_reference,
        "refunded_at": codec.timestamp(refund.refunded_at),
    }


def _payment(payment: PaymentRow, refunds: Sequence[RefundRow]) -> Payment:
    return {
        "id": payment.id,
        "provider": payment.provider,
        "reference": payment.reference,
        "amount": format_cents(payment.amount_cents),
        "currency": payment.currency,
        "applied": bool(payment.applied),
        "received_at": codec.timestamp(payment.received_at),
        "refunds": [_refund(refund) for refund in refunds],
    }


def payment_event(payment: PaymentRow) -> dict[str, Any]:
    """A payment.received event's data: the payment as the ledger shows it, and its order."""
    return {"order_id": payment.order_id, **_payment(payment, [])}


def refund_event(refund: RefundRow, order_id: int) -> dict[str, Any]:
    """A refund.created event's data: the refund as the ledger shows it, and its order."""
    return {"order_id": order_id, **_refund(refund)}


def payment_of(payment: PaymentRow, refunds: Sequence[RefundRow]) -> bytes:
    return codec.dumps(_payment(payment, refunds))


def refund_of(refund: RefundRow) -> bytes:
    return codec.dumps(_refund(refund))


def ledger_of(order: OrderRow, payments: Sequence[PaymentRow], refunds: Sequence[RefundRow], currency: str) -> Ledger:
    """The order's money: a cancelled order keeps nothing, any other its total."""
    received = sum(payment.amount_cents for payment in payments)
    paid = sum(payment.amount_cents for payment in payments if payment.applied)
    refunded = sum(refund.amount_cents for refund in refunds)
    cancelled = order.status == "cancelled"
    keeps = 0 if cancelled else order.total_cents
    by_payment: dict[int, list[RefundRow]] = {}
    for refund in refunds:
        by_payment.setdefault(refund.payment_id, []).append(refund)
    return {
        "order_id": order.id,
        "status": order.status,
        "currency": currency,
        "total_price": format_cents(order.total_cents),
        "paid": format_cents(paid),
        "refunded": format_cents(refunded),
        "due": format_cents(0 if cancelled or order.status != "pending" else max(order.total_cents - paid, 0)),
        "owed_back": format_cents(max(received - refunded - keeps, 0)),
        "payments": [_payment(payment, by_payment.get(payment.id, [])) for payment in payments],
    }


class StripeObject(BaseModel):
    """The event's object. The shop reads a payment intent's `id`, `amount_received`
    (cents), `currency` and `metadata.order_id`, and a charge's `id`,
    `payment_intent`, `amount_refunded` and, when listed, `refunds.data`."""

    model_config = ConfigDict(extra="allow")

    id: str
    object: Annotated[str, Field(examples=["payment_intent"])]


class StripeEventData(BaseModel):
    model_config = ConfigDict(extra="allow")

    object: StripeObject


class StripeEvent(BaseModel):
    """An event as Stripe sends it to a webhook endpoint (its fields beyond these are kept as they come)."""

    model_config = ConfigDict(extra="allow")

    id: Annotated[str, Field(min_length=1, max_length=255, examples=["evt_1QfYt2LkdIwHu7ix"])]
    object: Annotated[str, Field(examples=["event"])]
    type: Annotated[str, Field(min_length=1, examples=["payment_intent.succeeded"])]
    created: Annotated[int, Field(examples=[1764504000])]
    livemode: bool
    api_version: str | None = None
    data: StripeEventData


@with_config(ConfigDict(extra="forbid"))
class WebhookReceipt(TypedDict):
    received: bool
    event: str
    # applied or owed back (a payment), refunded, repeat (acted on before), ignored (a type the shop does
    # not act on), or needs attention (logged: another currency, an unknown order).
    outcome: Literal["applied", "owed back", "refunded", "repeat", "ignored", "needs attention"]
