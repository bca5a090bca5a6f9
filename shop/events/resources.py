"""HTTP for the event feed."""

from __future__ import annotations

import falcon.asgi

from shop.events import service
from shop.events.schemas import Event, EventList, shown
from shop.events.store import EventRow
from shop.storage.database import Database
from shop.storage.keyset import Listing, Totals
from shop.web.auth import require_admin
from shop.web.openapi import FORBIDDEN, Answer, Operation, documented
from shop.web.paging import CursorSeal, parse_query, render_page


def _public(event: EventRow) -> dict[str, object]:
    return shown(event.id, event.type, event.created_at, event.data)


class Events:
    """`/events`: the feed (admins)."""

    def __init__(self, database: Database, totals: Totals, cursors: CursorSeal) -> None:
        self.database = database
        self.totals = totals
        self.cursors = cursors

    @documented(
        Operation(
            "listEvents",
            "Read the event feed, oldest first (admins)",
            description="Every event the shop recorded, each in the transaction of the change it tells of: "
            "an event is here if and only if its change happened. Poll with `after` (the id of the last event "
            "you have) or follow `next_cursor`: nothing is missed and nothing comes twice, however many "
            "writers there are.",
            query=EventList,
            answers={200: Answer("A page of events.", Listing[Event], ("X-Total-Count", "Link")), 403: FORBIDDEN},
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        require_admin(req)
        query = parse_query(req, EventList, self.cursors)
        page = await service.list_events(self.database, query, self.totals)
        render_page(req, resp, query, page.map(_public), self.cursors)
