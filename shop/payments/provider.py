"""What a payment provider tells the shop, whichever provider it is.

A provider's module (`shop.payments.stripe`; a third would sit beside it)
checks that a delivery is really the provider's and reads it into an `Event`;
the rules in `shop.payments.service` act on that, the same for every provider.
"""

from __future__ import annotations

from dataclasses import dataclass

from shop.storage.models import Provider


class BadDelivery(Exception):
    """Not a delivery from the provider for this shop (a bad or stale signature,
    not an event at all): refused with 400 and acted on in no way. The message
    says why, with no secret in it."""


@dataclass(frozen=True, slots=True)
class Received:
    """Money the provider says arrived for an order."""

    provider: Provider
    reference: str  # the provider's own id for it: a payment intent, a bank reference
    order_id: int | None  # None when the provider did not say which order
    amount_cents: int
    currency: str


@dataclass(frozen=True, slots=True)
class ProviderRefund:
    reference: str  # the provider's id for the refund: recorded once
    amount_cents: int
    reason: str


@dataclass(frozen=True, slots=True)
class Refunded:
    """Money the provider gave back from one of its payments."""

    provider: Provider
    payment_reference: str
    refunds: tuple[ProviderRefund, ...]  # the refunds the provider listed
    # What the provider has given back from the payment in all, and the name of
    # the refund that makes up any part of it the list did not show.
    total_cents: int
    remainder_reference: str


@dataclass(frozen=True, slots=True)
class Event:
    """One delivered event: its id (processed once), its type, and what it says,
    if it is something the shop acts on."""

    provider: Provider
    id: str
    type: str
    received: Received | None = None
    refunded: Refunded | None = None
    attention: str = ""  # why an event of a kind the shop handles cannot be acted on
