"""What the shop tells other systems about (the event types, in one list), what a
client asks of the event feed, and what it sees."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal, TypedDict, get_args

import orjson
from pydantic import ConfigDict, Field, with_config

from shop.kernel import codec
from shop.kernel.codec import Timestamp
from shop.kernel.ids import MAX_ID, Id, WholeNumber
from shop.storage.keyset import EMPTY_IS_ABSENT, ListQuery

EventType = Literal[
    "order.created",
    "order.paid",
    "order.shipped",
    "order.delivered",
    "order.cancelled",  # the order's cancel_reason says why: customer, admin, expired
    "order.updated",  # an admin set the total: previous_total_price says what it was
    "order.deleted",
    "payment.received",
    "refund.created",
    "product.created",
    "product.updated",
    "product.deleted",
    "user.created",
    "user.updated",  # changed says what: email, password, role
    "user.deleted",
]
EVENT_TYPES: tuple[EventType, ...] = get_args(EventType)
ALL_TYPES = "*"  # a webhook that wants this hears of every type


class EventList(ListQuery):
    EMPTY_MEANS_ABSENT: ClassVar[frozenset[str]] = frozenset({"cursor", "type"})

    type: EventType | None = Field(None, description="Only events of this type. " + EMPTY_IS_ABSENT)
    after: Annotated[int, Field(ge=0, le=MAX_ID), WholeNumber] | None = Field(
        None,
        description="Only events after this one: the id of the last event you have (0: from the start). "
        "A consumer that keeps it misses no event and sees none twice.",
    )


@with_config(ConfigDict(extra="forbid"))
class Event(TypedDict):
    """Something that happened in the shop."""

    id: Id
    type: EventType
    created_at: Timestamp
    # The resource as the API showed it then: an order for order.* (order.updated
    # adds previous_total_price), a product for product.*, a user for user.*
    # (user.updated adds changed), a payment or a refund (with its order_id) for
    # payment.received and refund.created.
    data: dict[str, Any]


def shown(event_id: int, event_type: str, created_at: datetime, data: str) -> dict[str, object]:
    """An event as the feed shows it and a webhook receives it. Its data is JSON
    as it was written: sent as it is, not parsed and written again."""
    return {
        "id": event_id,
        "type": event_type,
        "created_at": codec.timestamp(created_at),
        "data": orjson.Fragment(data),
    }
