"""Stripe: its webhook deliveries, checked and read as Stripe documents them.

`Stripe-Signature: t=1790000000,v1=<hex>[,v1=<hex>...][,v0=<hex>]`: each v1 is
HMAC-SHA256 of `"{t}.{raw body}"` under the endpoint's signing secret
(STRIPE_WEBHOOK_SECRET); any one matching will do (Stripe signs with two
secrets while one is rolled). `t` must be within five minutes of now, so a
recorded delivery cannot be replayed later. Nothing here talks to Stripe.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any

from shop.kernel import codec
from shop.kernel.ids import plain_id
from shop.kernel.money import MAX_CENTS
from shop.payments.provider import BadDelivery, Event, ProviderRefund, Received, Refunded

TOLERANCE_SECONDS = 300
SIGNATURE_HEADER = "Stripe-Signature"
MAX_HEADER = 4096
_TIME = re.compile(r"[0-9]{1,12}")
_MAX_REFERENCE = 255
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_REASON = re.compile(r"[a-z_]{1,64}")  # Stripe's reasons: duplicate, fraudulent, requested_by_customer
# Refunds in these states gave nothing back.
_FAILED_REFUNDS = frozenset({"failed", "canceled"})


class BadSignature(BadDelivery):
    """The delivery is not Stripe's, not for this endpoint, or too old."""


def verify(header: str | None, body: bytes, secret: str, *, now: float, tolerance: int = TOLERANCE_SECONDS) -> None:
    """Return when `header` signs `body` under `secret` at a time near `now`; else raise BadSignature."""
    if not header:
        raise BadSignature("no Stripe-Signature header")
    if len(header) > MAX_HEADER:
        raise BadSignature(f"the Stripe-Signature header is longer than {MAX_HEADER} characters")
    times: list[str] = []
    signatures: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            times.append(value)
        elif key == "v1" and value:
            signatures.append(value)
    # ASCII digits, and few: str.isdigit() takes "²", which int() refuses.
    if len(times) != 1 or not _TIME.fullmatch(times[0]) or not signatures:
        raise BadSignature("the Stripe-Signature header needs one t= and a v1= signature")
    timestamp = int(times[0])
    expected = hmac.new(secret.encode(), times[0].encode() + b"." + body, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected.encode(), signature.encode()) for signature in signatures):
        raise BadSignature("no v1 signature matches this body")
    if abs(now - timestamp) > tolerance:
        raise BadSignature("the signature's time is more than five minutes from now")


def event_from(body: bytes, header: str | None, secret: str, *, now: float) -> Event:
    """The event a delivery carries, once its signature holds; else BadDelivery.

    `payment_intent.succeeded` is money received for the order named in the
    intent's `metadata.order_id`; `charge.refunded` is money given back from
    the charge's payment intent. Other types are events the shop does not act on.
    """
    verify(header, body, secret, now=now)
    try:
        document = codec.loads(body)
    except ValueError:
        raise BadDelivery("the body is not JSON") from None
    if not isinstance(document, dict):
        raise BadDelivery("the body is not a Stripe event")
    event_id, kind, data = document.get("id"), document.get("type"), document.get("data")
    if not (isinstance(event_id, str) and _reference(event_id) and isinstance(kind, str) and _reference(kind)):
        raise BadDelivery("the body is not a Stripe event (id, type and data)")
    if not isinstance(data, dict):
        raise BadDelivery("the body is not a Stripe event (id, type and data)")
    found = data.get("object")
    item: Mapping[str, Any] = found if isinstance(found, dict) else {}
    if kind == "payment_intent.succeeded":
        return _payment(event_id, kind, item)
    if kind == "charge.refunded":
        return _refund(event_id, kind, item)
    return Event("stripe", event_id, kind)


def _reference(value: object) -> bool:
    """An id the shop may store: text of 1 to 255 printable characters (no NUL, which no database keeps in text)."""
    return isinstance(value, str) and 0 < len(value) <= _MAX_REFERENCE and value.isprintable()


def _cents(value: object) -> int | None:
    """Whole cents the shop's money can hold (0 to 99999999.99); else None."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_CENTS:
        return value
    return None


def _payment(event_id: str, kind: str, intent: Mapping[str, Any]) -> Event:
    reference, amount, currency = intent.get("id"), _cents(intent.get("amount_received")), intent.get("currency")
    if not _reference(reference) or not amount or not (isinstance(currency, str) and _CURRENCY.fullmatch(currency)):
        return Event("stripe", event_id, kind, attention="a payment intent without an id, amount_received or currency")
    metadata = intent.get("metadata")
    order = metadata.get("order_id") if isinstance(metadata, dict) else None
    order_id = plain_id(order) if isinstance(order, str) else None
    received = Received("stripe", str(reference), order_id, amount, currency.upper())
    return Event("stripe", event_id, kind, received=received)


def _refund(event_id: str, kind: str, charge: Mapping[str, Any]) -> Event:
    charge_id, intent, total = charge.get("id"), charge.get("payment_intent"), _cents(charge.get("amount_refunded"))
    if not _reference(charge_id) or not _reference(intent) or total is None:
        return Event("stripe", event_id, kind, attention="a charge without an id, payment_intent or amount_refunded")
    # The charge lists its refunds only when the endpoint's API version or
    # expansion says so; what the list does not show, the total does.
    listed = charge.get("refunds")
    refunds = []
    for refund in listed.get("data", []) if isinstance(listed, dict) else []:
        if not isinstance(refund, dict) or refund.get("status") in _FAILED_REFUNDS:
            continue
        reference, amount, reason = refund.get("id"), _cents(refund.get("amount")), refund.get("reason")
        if _reference(reference) and amount:
            refunds.append(ProviderRefund(str(reference), amount, _why(reason)))
    refunded = Refunded("stripe", str(intent), tuple(refunds), total, f"{charge_id}:{total}")
    return Event("stripe", event_id, kind, refunded=refunded)


def _why(reason: object) -> str:
    known = isinstance(reason, str) and _REASON.fullmatch(reason)
    return f"refunded in Stripe ({reason})" if known else "refunded in Stripe"
