"""The webhooks' SQL: the one place that reads or writes `webhooks`,
`webhook_events` and `deliveries` (the outbox, shop.events.store, makes the
deliveries; this sends them on their way).

A sender claims due deliveries with a lease (`claimed_until`) in one short
transaction, sends with no transaction open, and records what came of it in
another, only while its lease still holds: a sender that died leaves a lease
that runs out, and the delivery is claimed and sent again (at least once).
On PostgreSQL the candidates are locked FOR UPDATE SKIP LOCKED, so senders
side by side claim different deliveries without waiting for each other.

A delivery is held back while an earlier delivery (a smaller event id) to
the same webhook about the same subject is still pending: the events of one
order reach a receiver in the order they happened.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, exists, insert, or_, select, update
from sqlalchemy.engine import Connection

from shop.storage.keyset import Window
from shop.storage.models import Delivery, DeliveryStatus, Event, UTCDateTime, Webhook, WebhookEvent
from shop.storage.reads import Reads, RowType, row_type, utc, where


class WebhookRow(NamedTuple):
    id: int
    url: str
    description: str
    secret: str
    active: bool
    created_at: datetime
    updated_at: datetime


class DeliveryRow(NamedTuple):
    id: int
    webhook_id: int
    event_id: int
    event_type: str
    status: DeliveryStatus
    attempts: int
    status_code: int | None
    error: str | None
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime


class Claimed(NamedTuple):
    """A delivery a sender holds until `lease`, with what it takes to send it."""

    id: int
    attempts: int  # before this one
    lease: datetime
    url: str
    secret: str
    event_id: int
    event_type: str
    event_data: str  # JSON
    event_created_at: datetime


class Outcome(NamedTuple):
    """What an attempt came to, to record."""

    status: DeliveryStatus
    status_code: int | None
    error: str | None
    next_attempt_at: datetime | None
    at: datetime


WEBHOOK = row_type(WebhookRow)
_NULLABLE_TIMES = frozenset({"next_attempt_at", "last_attempt_at", "delivered_at"})


def _delivery(row: Sequence[Any]) -> DeliveryRow:
    # row_type makes aware only the timestamps that are never null.
    return DeliveryRow._make(
        utc(value) if value is not None and (name in _NULLABLE_TIMES or name == "created_at") else value
        for name, value in zip(DeliveryRow._fields, row, strict=True)
    )


DELIVERY = RowType(DeliveryRow._fields, _delivery)
_WEBHOOK_COLUMNS = [Webhook.__table__.c[name] for name in WEBHOOK.columns]
_DELIVERY_COLUMNS = [
    Event.type.label("event_type") if name == "event_type" else Delivery.__table__.c[name] for name in DELIVERY.columns
]

# -- Writes, on the unit of work's connection ---------------------------------

_ADD = insert(Webhook).returning(*_WEBHOOK_COLUMNS)
_LOCKED = select(*_WEBHOOK_COLUMNS).where(Webhook.id == bindparam("webhook_id")).with_for_update()
_EVENTS = (
    select(WebhookEvent.type).where(WebhookEvent.webhook_id == bindparam("webhook_id")).order_by(WebhookEvent.type)
)
_DROP_EVENTS = delete(WebhookEvent).where(WebhookEvent.webhook_id == bindparam("webhook_id"))
_ADD_EVENT = insert(WebhookEvent)
_REMOVE = delete(Webhook).where(Webhook.id == bindparam("webhook_id"))
_DELIVERY = (
    select(*_DELIVERY_COLUMNS)
    .join(Event, Event.id == Delivery.event_id)
    .where(Delivery.id == bindparam("delivery_id"), Delivery.webhook_id == bindparam("webhook_id"))
)
_RETRY = (
    update(Delivery)
    .where(Delivery.id == bindparam("delivery_id"), Delivery.status == "failed")
    .values(status="pending", next_attempt_at=bindparam("now", type_=UTCDateTime), claimed_until=None)
)

_now = bindparam("now", type_=UTCDateTime)
_earlier = Delivery.__table__.alias("earlier")
_due = (
    select(Delivery.id)
    .join(Webhook, Webhook.id == Delivery.webhook_id)
    .where(
        Delivery.status == "pending",
        Delivery.next_attempt_at <= _now,
        or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < _now),
        Webhook.active.is_(True),
        # Not while an earlier event about the same subject is on its way to this webhook.
        ~exists().where(
            _earlier.c.webhook_id == Delivery.webhook_id,
            _earlier.c.subject == Delivery.subject,
            _earlier.c.event_id < Delivery.event_id,
            _earlier.c.status == "pending",
        ),
    )
    .order_by(Delivery.next_attempt_at, Delivery.id)
    .limit(bindparam("limit"))
    # PostgreSQL: what another sender is claiming right now is left to it (SQLite has one writer).
    .with_for_update(of=Delivery.__table__, skip_locked=True)
)
_CLAIM = (
    update(Delivery)
    .where(Delivery.id.in_(_due.correlate(None).scalar_subquery()))
    .values(claimed_until=bindparam("lease", type_=UTCDateTime))
    .returning(Delivery.id)
)
_CLAIMED = (
    select(
        Delivery.id,
        Delivery.attempts,
        Delivery.claimed_until,
        Webhook.url,
        Webhook.secret,
        Event.id,
        Event.type,
        Event.data,
        Event.created_at,
    )
    .join(Webhook, Webhook.id == Delivery.webhook_id)
    .join(Event, Event.id == Delivery.event_id)
    .where(Delivery.id.in_(bindparam("ids", expanding=True)))
    .order_by(Delivery.id)
)
_SETTLE = (
    update(Delivery)
    .where(
        Delivery.id == bindparam("delivery_id"),
        Delivery.status == "pending",
        Delivery.attempts == bindparam("attempts_before"),
        Delivery.claimed_until == bindparam("lease", type_=UTCDateTime),
    )
    .values(
        status=bindparam("new_status"),
        attempts=Delivery.attempts + 1,
        status_code=bindparam("code"),
        error=bindparam("why"),
        next_attempt_at=bindparam("next_at", type_=UTCDateTime),
        last_attempt_at=bindparam("at", type_=UTCDateTime),
        delivered_at=bindparam("delivered", type_=UTCDateTime),
        claimed_until=None,
    )
)


def add(
    connection: Connection, url: str, description: str, secret: str, events: Iterable[str], now: datetime
) -> WebhookRow:
    values = {
        "url": url,
        "description": description,
        "secret": secret,
        "active": True,
        "created_at": now,
        "updated_at": now,
    }
    webhook = WEBHOOK.make(connection.execute(_ADD, values).one())
    set_events(connection, webhook.id, events)
    return webhook


def locked(connection: Connection, webhook_id: int) -> WebhookRow | None:
    row = connection.execute(_LOCKED, {"webhook_id": webhook_id}).first()
    return WEBHOOK.make(row) if row is not None else None


def change(connection: Connection, webhook_id: int, values: dict[str, Any], now: datetime) -> WebhookRow:
    statement = (
        update(Webhook).where(Webhook.id == webhook_id).values(**values, updated_at=now).returning(*_WEBHOOK_COLUMNS)
    )
    return WEBHOOK.make(connection.execute(statement).one())


def events_of(connection: Connection, webhook_id: int) -> list[str]:
    return [str(kind) for kind in connection.execute(_EVENTS, {"webhook_id": webhook_id}).scalars()]


def set_events(connection: Connection, webhook_id: int, events: Iterable[str]) -> None:
    connection.execute(_DROP_EVENTS, {"webhook_id": webhook_id})
    connection.execute(_ADD_EVENT, [{"webhook_id": webhook_id, "type": kind} for kind in events])


def remove(connection: Connection, webhook_id: int) -> bool:
    """Whether there was such a webhook. Its types and deliveries go with it (ON DELETE CASCADE)."""
    return connection.execute(_REMOVE, {"webhook_id": webhook_id}).rowcount > 0


def delivery(connection: Connection, webhook_id: int, delivery_id: int) -> DeliveryRow | None:
    row = connection.execute(_DELIVERY, {"webhook_id": webhook_id, "delivery_id": delivery_id}).first()
    return DELIVERY.make(row) if row is not None else None


def retry(connection: Connection, delivery_id: int, now: datetime) -> bool:
    """A failed delivery pending again, due `now`; False when it is not failed."""
    return connection.execute(_RETRY, {"delivery_id": delivery_id, "now": now}).rowcount > 0


def claim(connection: Connection, now: datetime, lease: datetime, limit: int) -> list[Claimed]:
    """Up to `limit` deliveries due at `now`, held until `lease`: the soonest due first."""
    ids = list(connection.execute(_CLAIM, {"now": now, "lease": lease, "limit": limit}).scalars())
    if not ids:
        return []
    return [Claimed._make(row) for row in connection.execute(_CLAIMED, {"ids": ids})]


def settle(connection: Connection, claimed: Claimed, outcome: Outcome) -> bool:
    """Record the attempt, if the claim still holds (its lease not run out and taken over)."""
    values = {
        "delivery_id": claimed.id,
        "attempts_before": claimed.attempts,
        "lease": claimed.lease,
        "new_status": outcome.status,
        "code": outcome.status_code,
        "why": outcome.error,
        "next_at": outcome.next_attempt_at,
        "at": outcome.at,
        "delivered": outcome.at if outcome.status == "delivered" else None,
    }
    return connection.execute(_SETTLE, values).rowcount > 0


def settle_each(connection: Connection, attempts: Sequence[tuple[Claimed, Outcome]]) -> list[bool]:
    """Record several attempts in one transaction: whether each claim still held."""
    return [settle(connection, claimed, outcome) for claimed, outcome in attempts]


# -- Fast reads (shop.storage.reads) ---------------------------------------------------

_READ_WEBHOOK = f"SELECT {WEBHOOK.select_list()} FROM webhooks WHERE id = :id"
_DELIVERIES = (
    "SELECT d.id, d.webhook_id, d.event_id, e.type AS event_type, d.status, d.attempts, d.status_code, d.error,"
    " d.next_attempt_at, d.last_attempt_at, d.delivered_at, d.created_at"
    " FROM deliveries d JOIN events e ON e.id = d.event_id"
)


async def by_id(reads: Reads, webhook_id: int) -> WebhookRow | None:
    return await reads.one(WEBHOOK, _READ_WEBHOOK, {"id": webhook_id})


async def read_events(reads: Reads, webhook_ids: Sequence[int]) -> dict[int, list[str]]:
    """The types each webhook wants, by webhook id."""
    found: dict[int, list[str]] = {webhook_id: [] for webhook_id in webhook_ids}
    if not webhook_ids:
        return found
    names = {f"id_{index}": webhook_id for index, webhook_id in enumerate(webhook_ids)}
    listed = ", ".join(f":{name}" for name in names)
    sql = f"SELECT webhook_id, type FROM webhook_events WHERE webhook_id IN ({listed}) ORDER BY type"
    for webhook_id, kind in await reads.rows(sql, names):
        found[int(webhook_id)].append(str(kind))
    return found


async def window(reads: Reads, rows: Window) -> list[WebhookRow]:
    params: dict[str, Any] = {}
    return await reads.all(WEBHOOK, f"SELECT {WEBHOOK.select_list()} FROM webhooks" + rows.sql([], params), params)


async def count(reads: Reads) -> int:
    return int(await reads.scalar("SELECT count(*) FROM webhooks"))


def _delivery_conditions(webhook_id: int, status: str | None, params: dict[str, Any]) -> list[str]:
    params["webhook_id"] = webhook_id
    conditions = ["webhook_id = :webhook_id"]
    if status is not None:
        conditions.append("status = :status")
        params["status"] = status
    return conditions


async def delivery_window(reads: Reads, webhook_id: int, status: str | None, rows: Window) -> list[DeliveryRow]:
    params: dict[str, Any] = {}
    # A derived table, so that the page's conditions and order name its columns plainly.
    sql = f"SELECT * FROM ({_DELIVERIES}) AS x" + rows.sql(_delivery_conditions(webhook_id, status, params), params)
    return await reads.all(DELIVERY, sql, params)


async def delivery_count(reads: Reads, webhook_id: int, status: str | None) -> int:
    params: dict[str, Any] = {}
    conditions = where(_delivery_conditions(webhook_id, status, params))
    return int(await reads.scalar(f"SELECT count(*) FROM deliveries{conditions}", params))


async def anything_due(reads: Reads, now: datetime) -> bool:
    """Whether some pending delivery is due: a cheap read before the claim's write
    (on SQLite every write takes the one write lock)."""
    # As the claim asks, but for the subject's order: an inactive webhook's or one in flight is not due.
    sql = (
        "SELECT 1 FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id"
        " WHERE d.status = 'pending' AND d.next_attempt_at <= :now"
        " AND (d.claimed_until IS NULL OR d.claimed_until < :now) AND w.active LIMIT 1"
    )
    return bool(await reads.rows(sql, {"now": now}))
