"""The outbox's SQL: the one place that writes `events`, and reads the feed.

`record` runs in the caller's unit of work, beside the change the event
describes, so the event commits with it or not at all. In the same statement
pair it makes a delivery for every active webhook that wants the event's type:
a webhook hears of exactly the events committed after it was made.

The feed is ordered by (txid, id). On SQLite `txid` is 0 and the one writer
commits ids in order, so this is the id order. On PostgreSQL ids come from a
sequence and can commit out of order (id 9's transaction still running when
id 10's has committed), so the feed is ordered by the writing transaction's id
and shows only events of transactions older than every one still running
(`pg_snapshot_xmin`): what a reader has seen can never be overtaken by an
event committed later, and a consumer that keeps the last id it saw misses
nothing and sees nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, String, bindparam, cast, func, insert, literal, select
from sqlalchemy.engine import Connection

from shop.events.schemas import ALL_TYPES, EventType
from shop.kernel import codec
from shop.storage.keyset import Window
from shop.storage.models import Delivery, Event, UTCDateTime, Webhook, WebhookEvent
from shop.storage.reads import Reads, row_type, where


class EventRow(NamedTuple):
    id: int
    txid: int
    type: str
    data: str  # JSON
    created_at: datetime


EVENT = row_type(EventRow)

# -- Writes, on the unit of work's connection ---------------------------------


def _add_event(txid: Any) -> Any:
    return (
        insert(Event)
        .values(
            txid=txid,
            type=bindparam("type"),
            subject=bindparam("subject"),
            data=bindparam("data"),
            created_at=bindparam("created_at"),
        )
        .returning(Event.id)
    )


# Built once: building statements costs more than SQLite running them (POST /orders).
_ADD_EVENT = {
    "sqlite": _add_event(literal(0)),
    # The writing transaction's id (xid8, as a number); the feed orders by it.
    "postgresql": _add_event(cast(cast(func.pg_current_xact_id(), String), BigInteger)),
}
_wants = select(WebhookEvent.webhook_id).where(WebhookEvent.type.in_([bindparam("type"), ALL_TYPES]))
_FAN_OUT = insert(Delivery).from_select(
    ["webhook_id", "event_id", "subject", "status", "attempts", "next_attempt_at", "created_at"],
    select(
        Webhook.id,
        bindparam("event_id", type_=BigInteger),
        bindparam("subject", type_=String),
        literal("pending"),
        literal(0),
        bindparam("created_at", type_=UTCDateTime),
        bindparam("created_at", type_=UTCDateTime),
    )
    .where(Webhook.active.is_(True), Webhook.id.in_(_wants))
    # PostgreSQL: a webhook being deleted right now is waited for and then left
    # out, rather than named by a delivery whose foreign key then fails.
    .with_for_update(of=Webhook, read=True, key_share=True),
)


def record(connection: Connection, kind: EventType, subject: str, data: Mapping[str, Any], now: datetime) -> int:
    """Write the event and a delivery for each webhook that wants it (shop.events.service.record)."""
    values = {"type": kind, "subject": subject, "data": codec.dumps(data).decode(), "created_at": now}
    statement = _ADD_EVENT["postgresql" if connection.dialect.name == "postgresql" else "sqlite"]
    event_id = int(connection.execute(statement, values).scalar_one())
    connection.execute(_FAN_OUT, {"event_id": event_id, "type": kind, "subject": subject, "created_at": now})
    return event_id


# -- The feed, on the fast reads ------------------------------------------------


def _conditions(reads: Reads, kind: str | None, after: tuple[int, int] | None, params: dict[str, Any]) -> list[str]:
    conditions = []
    if not reads.sqlite:
        # Only transactions older than every one still running: nothing can commit before these any more.
        conditions.append("txid < (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint")
    if kind is not None:
        conditions.append("type = :type")
        params["type"] = kind
    if after is not None:
        conditions.append("(txid, id) > (:after_txid, :after_id)")
        params.update(after_txid=after[0], after_id=after[1])
    return conditions


async def position(reads: Reads, event_id: int) -> tuple[int, int] | None:
    """Where the event stands in the feed, (txid, id); None when there is no such event.
    An event a webhook has just delivered may not be in the feed yet (PostgreSQL):
    what comes after it is then nothing yet, and then what the feed shows after it."""
    rows = await reads.rows("SELECT txid, id FROM events WHERE id = :id", {"id": event_id})
    return (int(rows[0][0]), int(rows[0][1])) if rows else None


async def window(reads: Reads, kind: str | None, after: tuple[int, int] | None, rows: Window) -> list[EventRow]:
    params: dict[str, Any] = {}
    sql = rows.sql(_conditions(reads, kind, after, params), params)
    return await reads.all(EVENT, f"SELECT {EVENT.select_list()} FROM events{sql}", params)


async def count(reads: Reads, kind: str | None, after: tuple[int, int] | None) -> int:
    params: dict[str, Any] = {}
    conditions = _conditions(reads, kind, after, params)
    return int(await reads.scalar(f"SELECT count(*) FROM events{where(conditions)}", params))
