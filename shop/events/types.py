"""What the shop tells other systems about: the event types, in one list."""

from __future__ import annotations

from typing import Literal, get_args

EventType = Literal[
    "order.created",
    "order.paid",
    "order.shipped",
    "order.delivered",
    "order.cancelled",  # the order's cancel_reason says why: customer, admin, expired
    "order.deleted",
    "payment.received",
    "refund.created",
    "product.created",
    "product.updated",
    "product.deleted",
]
EVENT_TYPES: tuple[EventType, ...] = get_args(EventType)
