"""The webhook rules: who may point the shop where, and what an admin may do
with a delivery. Every change is one transaction; reads are the fast reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from shop.kernel.errors import Conflict, Invalid, NotFound
from shop.storage.database import Database
from shop.storage.keyset import ListQuery, Page, Sort, Totals, Window, fetch_page
from shop.webhooks import store
from shop.webhooks.addresses import Refused, check_url
from shop.webhooks.schemas import DeliveryList, WebhookCreate, WebhookUpdate
from shop.webhooks.signing import new_secret
from shop.webhooks.store import DeliveryRow, WebhookRow

BY_ID = Sort(WebhookRow, ("id",))
NEWEST_FIRST = Sort(DeliveryRow, ("id",), descending=True)
NO_WEBHOOK = "No such webhook."


def _checked_url(url: str, allow_private: bool) -> str:
    try:
        return check_url(url, allow_private=allow_private)
    except Refused as why:
        raise Invalid.at(["body", "url"], f"The URL {why}.") from None


async def create(
    database: Database, new: WebhookCreate, now: datetime, *, allow_private: bool
) -> tuple[WebhookRow, list[str]]:
    """The new webhook (with its secret) and the types it wants."""
    url = _checked_url(new.url, allow_private)

    def work(connection: Connection) -> WebhookRow:
        return store.add(connection, url, new.description, new_secret(), new.events, now)

    return await database.transaction(work), new.events


async def update(
    database: Database, webhook_id: int, changes: WebhookUpdate, now: datetime, *, allow_private: bool
) -> tuple[WebhookRow, list[str]]:
    values: dict[str, Any] = changes.model_dump(include={"url", "active", "description"}, exclude_unset=True)
    if "url" in values:
        values["url"] = _checked_url(values["url"], allow_private)

    def work(connection: Connection) -> tuple[WebhookRow, list[str]]:
        if store.locked(connection, webhook_id) is None:
            raise NotFound(NO_WEBHOOK)
        if changes.events is not None:
            store.set_events(connection, webhook_id, changes.events)
        return store.change(connection, webhook_id, values, now), store.events_of(connection, webhook_id)

    return await database.transaction(work)


async def delete(database: Database, webhook_id: int) -> None:
    """The webhook, with its deliveries (sent or not)."""

    def work(connection: Connection) -> None:
        if not store.remove(connection, webhook_id):
            raise NotFound(NO_WEBHOOK)

    await database.transaction(work)


async def read(database: Database, webhook_id: int) -> tuple[WebhookRow, list[str]]:
    webhook = await store.by_id(database.reads, webhook_id)
    if webhook is None:
        raise NotFound(NO_WEBHOOK)
    events = await store.read_events(database.reads, [webhook_id])
    return webhook, events[webhook_id]


async def list_webhooks(
    database: Database, query: ListQuery, totals: Totals
) -> tuple[Page[WebhookRow], dict[int, list[str]]]:
    async def rows(window: Window) -> list[WebhookRow]:
        return await store.window(database.reads, window)

    async def total() -> int:
        return await totals.count(("webhooks",), lambda: store.count(database.reads))

    page = await fetch_page(query, BY_ID, rows, total)
    return page, await store.read_events(database.reads, [webhook.id for webhook in page.items])


async def list_deliveries(
    database: Database, webhook_id: int, query: DeliveryList, totals: Totals
) -> Page[DeliveryRow]:
    """Newest first."""
    if await store.by_id(database.reads, webhook_id) is None:
        raise NotFound(NO_WEBHOOK)

    async def rows(window: Window) -> list[DeliveryRow]:
        return await store.delivery_window(database.reads, webhook_id, query.status, window)

    async def total() -> int:
        return await totals.count(
            ("deliveries", webhook_id, query.status),
            lambda: store.delivery_count(database.reads, webhook_id, query.status),
        )

    return await fetch_page(query, NEWEST_FIRST, rows, total)


async def retry(database: Database, webhook_id: int, delivery_id: int, now: datetime) -> DeliveryRow:
    """A failed delivery pending again and due now: one more attempt (failed
    again if that fails too). Only a failed one: 409 for the others."""

    def work(connection: Connection) -> DeliveryRow:
        found = store.delivery(connection, webhook_id, delivery_id)
        if found is None:
            raise NotFound("No such delivery of this webhook.")
        if not store.retry(connection, delivery_id, now):
            raise Conflict(f"Only a failed delivery can be retried; this one is {found.status}.")
        retried = store.delivery(connection, webhook_id, delivery_id)
        assert retried is not None
        return retried

    return await database.transaction(work)
