"""The outbox and its feed: every change told in its own transaction, and every
event, oldest first, for consumers that poll."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from shop.events import store
from shop.events.schemas import EventList, EventType
from shop.events.store import EventRow
from shop.kernel.errors import Invalid
from shop.storage.database import Database
from shop.storage.keyset import Page, Sort, Totals, Window, fetch_page


def record(connection: Connection, kind: EventType, subject: str, data: Mapping[str, Any], now: datetime) -> int:
    """Tell of `kind` about `subject` ("order:7") in the caller's unit of work, so the
    event commits with the change or not at all; `data` is the resource as the API
    shows it now. Call it once the subject's row is locked (or new): the events of
    one subject then get their ids in the order they happen. The event's id."""
    return store.record(connection, kind, subject, data, now)


# The feed's order (shop.events.store): by writing transaction, then id.
OLDEST_FIRST = Sort(EventRow, ("txid", "id"))


async def list_events(database: Database, query: EventList, totals: Totals) -> Page[EventRow]:
    after = None
    if query.after:
        after = await store.position(database.reads, query.after)
        if after is None:
            raise Invalid.at(["query", "after"], "There is no event with this id.")

    async def rows(window: Window) -> list[EventRow]:
        return await store.window(database.reads, query.type, after, window)

    async def total() -> int:
        return await totals.count(("events", query.type, after), lambda: store.count(database.reads, query.type, after))

    return await fetch_page(query, OLDEST_FIRST, rows, total)
