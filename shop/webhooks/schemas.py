"""What an admin may send about webhooks, and the webhooks and deliveries they see."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, TypedDict

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, with_config

from shop.events.schemas import ALL_TYPES, EVENT_TYPES
from shop.kernel import codec
from shop.kernel.codec import Timestamp
from shop.kernel.fields import NOT_NULL, Changes, plain_text
from shop.kernel.ids import Id
from shop.storage.keyset import ListQuery
from shop.storage.models import DeliveryStatus
from shop.webhooks.addresses import MAX_URL_LENGTH

if TYPE_CHECKING:
    from shop.webhooks.store import DeliveryRow, WebhookRow

# Every type and "*", each named twice, and then some: a bound on what one body makes the shop check.
MAX_EVENTS = 64


def _known_type(kind: str) -> str:
    if kind != ALL_TYPES and kind not in EVENT_TYPES:
        raise ValueError(f'must be one of {", ".join(EVENT_TYPES)}, or "*" for every type')
    return kind


def _collapse(kinds: list[str]) -> list[str]:
    """A type named twice is wanted once: the list as a set, sorted."""
    return sorted(set(kinds))


EventTypeName = Annotated[str, Field(max_length=64, examples=["order.paid"]), AfterValidator(_known_type)]
EventTypes = Annotated[
    list[EventTypeName],
    Field(min_length=1, max_length=MAX_EVENTS, examples=[["order.created", "order.paid"], ["*"]]),
    AfterValidator(_collapse),
]
Url = Annotated[str, Field(min_length=1, max_length=MAX_URL_LENGTH, examples=["https://erp.example/shop-events"])]
Description = Annotated[str, Field(max_length=500, examples=["The warehouse's ERP"]), AfterValidator(plain_text)]


class WebhookCreate(BaseModel):
    """A receiver of events: where they are POSTed, and which types it wants ("*": every type)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    url: Url
    events: EventTypes
    description: Description = ""


class WebhookUpdate(Changes):
    url: Annotated[Url | None, NOT_NULL] = None
    events: Annotated[EventTypes | None, NOT_NULL] = None
    active: Annotated[bool | None, NOT_NULL] = None
    description: Annotated[Description | None, NOT_NULL] = None


class DeliveryList(ListQuery):
    status: DeliveryStatus | None = None


@with_config(ConfigDict(extra="forbid"))
class Webhook(TypedDict):
    """A webhook as every answer shows it: never its secret."""

    id: Id
    url: str
    events: list[str]  # sorted; "*" is every type
    description: str
    active: bool  # an inactive webhook is sent nothing, and gets no deliveries for events meanwhile
    created_at: Timestamp
    updated_at: Timestamp


@with_config(ConfigDict(extra="forbid"))
class NewWebhook(Webhook):
    """The webhook as made, with its signing secret: shown this once."""

    secret: str


@with_config(ConfigDict(extra="forbid"))
class Delivery(TypedDict):
    """One event on its way to one webhook."""

    id: Id
    event_id: Id
    event_type: str
    status: DeliveryStatus  # pending (waiting, or being sent), delivered, failed (given up)
    attempts: Annotated[int, Field(ge=0)]
    status_code: int | None  # the last attempt's HTTP status; null when it got no answer
    error: str | None  # why the last attempt failed; null once delivered
    next_attempt_at: Timestamp | None  # when a pending delivery is sent next
    last_attempt_at: Timestamp | None
    delivered_at: Timestamp | None
    created_at: Timestamp


def _when(value: datetime | None) -> str | None:
    return None if value is None else codec.timestamp(value)


def webhook_of(webhook: WebhookRow, events: Sequence[str]) -> Webhook:
    return {
        "id": webhook.id,
        "url": webhook.url,
        "events": sorted(events),
        "description": webhook.description,
        "active": bool(webhook.active),
        "created_at": codec.timestamp(webhook.created_at),
        "updated_at": codec.timestamp(webhook.updated_at),
    }


def new_webhook_of(webhook: WebhookRow, events: Sequence[str]) -> NewWebhook:
    return {**webhook_of(webhook, events), "secret": webhook.secret}


def delivery_of(delivery: DeliveryRow) -> Delivery:
    return {
        "id": delivery.id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "status_code": delivery.status_code,
        "error": delivery.error,
        "next_attempt_at": _when(delivery.next_attempt_at),
        "last_attempt_at": _when(delivery.last_attempt_at),
        "delivered_at": _when(delivery.delivered_at),
        "created_at": codec.timestamp(delivery.created_at),
    }
