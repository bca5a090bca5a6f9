"""HTTP for payments: an order's ledger, money an admin received or gives
back, and the providers' webhooks."""

from __future__ import annotations

from typing import Any

import falcon.asgi

from shop.idempotency import http as idempotent
from shop.idempotency import service as idempotency
from shop.kernel import codec
from shop.kernel.clock import Clock
from shop.kernel.errors import ShopError
from shop.payments import service, stripe
from shop.payments.provider import BadDelivery
from shop.payments.schemas import Ledger, Payment, PaymentCreate, Refund, RefundCreate, StripeEvent, WebhookReceipt
from shop.storage.database import Database
from shop.web.auth import caller_of, require_admin
from shop.web.openapi import INVALID, UNAVAILABLE, Answer, Operation, RequestHeader, documented, problem
from shop.web.problems import refusal_body
from shop.web.urls import absolute
from shop.web.validation import parse_body, read_json_bytes


def _refusal(req: falcon.asgi.Request) -> Any:
    return lambda error: refusal_body(req, error)


class Payments:
    """`/orders/{order_id}/payments`: the order's ledger, and money an admin received."""

    def __init__(self, database: Database, clock: Clock, currency: str) -> None:
        self.database = database
        self.clock = clock
        self.currency = currency

    @documented(
        Operation(
            "getOrderPayments",
            "Read an order's payments and refunds",
            description="The order's owner or an admin. What was paid, refunded, is still due and is owed back "
            "(money received for an order that was cancelled, or beyond its total), with each payment and its refunds.",
            answers={200: Answer("The order's ledger.", Ledger)},
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, order_id: int) -> None:
        ledger = await service.read_ledger(self.database, caller_of(req), order_id, self.currency)
        resp.data = codec.dumps(ledger)

    @documented(
        Operation(
            "recordPayment",
            "Record money received (admins)",
            description="A bank transfer, cash on delivery, a card terminal: provider `manual`. The order is paid "
            "in this transaction when its payments cover its total. Money for a cancelled order is recorded as "
            "owed back. One payment per reference. A retry with the same Idempotency-Key and body within 24 hours "
            "gets the first answer again.",
            body=PaymentCreate,
            headers=(idempotent.DOCUMENTED,),
            answers={
                201: Answer("The payment.", Payment, ("Location", idempotency.REPLAYED)),
                403: problem("Only admins record payments.", idempotency.REPLAYED),
                409: problem(
                    "A payment with this reference is on record, or a request with this key is still running.",
                    idempotency.REPLAYED,
                ),
                422: problem(INVALID.description, idempotency.REPLAYED),
            },
        )
    )
    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, order_id: int) -> None:
        caller = require_admin(req)
        new = await parse_body(req, PaymentCreate)
        key = idempotent.key_of(req)
        answer = await service.pay(
            self.database,
            order_id,
            new,
            self.clock(),
            caller=caller,
            currency=self.currency,
            key=key,
            refusal=_refusal(req),
        )
        idempotent.render(resp, answer, absolute(req, f"/orders/{order_id}/payments"))


class Refunds:
    """`/orders/{order_id}/refunds`: money an admin gives back from the order's manual payments."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    @documented(
        Operation(
            "refundOrder",
            "Give money back (admins)",
            description="From the newest manual payment of the order that has that much left: a payment's refunds "
            "never add up to more than it. A payment made through Stripe is refunded in Stripe, and the shop records "
            "that refund from Stripe's `charge.refunded` event. A retry with the same Idempotency-Key and body "
            "within 24 hours gets the first answer again.",
            body=RefundCreate,
            headers=(idempotent.DOCUMENTED,),
            answers={
                201: Answer("The refund.", Refund, ("Location", idempotency.REPLAYED)),
                403: problem("Only admins give money back.", idempotency.REPLAYED),
                409: problem(
                    "More than any one payment has left, no manual payment to refund from, "
                    "or a request with this key is still running.",
                    idempotency.REPLAYED,
                ),
                422: problem(INVALID.description, idempotency.REPLAYED),
            },
        )
    )
    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, order_id: int) -> None:
        caller = require_admin(req)
        new = await parse_body(req, RefundCreate)
        key = idempotent.key_of(req)
        answer = await service.refund_order(
            self.database, order_id, new, self.clock(), caller=caller, key=key, refusal=_refusal(req)
        )
        idempotent.render(resp, answer, absolute(req, f"/orders/{order_id}/payments"))


class StripeWebhook:
    """`/payments/stripe/webhook`: Stripe's events, signed with the endpoint's secret; no bearer token."""

    public = frozenset({"POST"})

    def __init__(self, database: Database, clock: Clock, currency: str, secret: str | None) -> None:
        self.database = database
        self.clock = clock
        self.currency = currency
        self.secret = secret

    @documented(
        Operation(
            "receiveStripeEvent",
            "Receive an event from Stripe",
            description="Set this URL as a webhook endpoint in Stripe and its signing secret as "
            "STRIPE_WEBHOOK_SECRET. The `Stripe-Signature` header must sign the body as sent, within five minutes. "
            "`payment_intent.succeeded` records a payment for the order in `metadata.order_id`; `charge.refunded` "
            "records Stripe's refunds of it. Each event is acted on once, however often it comes; every event "
            "that is Stripe's is answered 200, also one the shop cannot apply (another currency, an unknown "
            "order), which is logged for a person to look at.",
            body=StripeEvent,
            headers=(
                RequestHeader(
                    stripe.SIGNATURE_HEADER,
                    '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "{t}.{body}" under the signing secret>`.',
                    {"type": "string", "maxLength": stripe.MAX_HEADER},
                ),
            ),
            answers={
                200: Answer("Received: what the shop did with it.", WebhookReceipt),
                400: problem(
                    "Not Stripe's delivery for this shop: no or a bad signature, a stale one, "
                    "no STRIPE_WEBHOOK_SECRET set, or not an event."
                ),
                409: problem(
                    "A refund of a payment the shop has not recorded yet: Stripe delivers it again later, "
                    "by when the payment's own event has come."
                ),
                503: UNAVAILABLE,  # Stripe retries later
            },
        )
    )
    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        body = await read_json_bytes(req)
        if self.secret is None:
            raise ShopError("This shop takes no Stripe events: STRIPE_WEBHOOK_SECRET is not set.")
        try:
            event = stripe.event_from(
                body, req.get_header(stripe.SIGNATURE_HEADER), self.secret, now=self.clock().timestamp()
            )
        except BadDelivery as error:
            raise ShopError(f"Not a Stripe delivery for this shop: {error}.") from None
        recorded = await service.receive(self.database, event, self.currency, self.clock())
        resp.data = codec.dumps({"received": True, "event": event.id, "outcome": recorded.outcome})
