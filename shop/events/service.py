"""The event feed: every event, oldest first, for consumers that poll."""

from __future__ import annotations

from shop.database import Database
from shop.errors import Invalid
from shop.events import store
from shop.events.schemas import EventList
from shop.events.store import EventRow
from shop.keyset import Page, Sort, Totals, Window, fetch_page

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
