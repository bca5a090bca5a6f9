"""HTTP for webhooks (admins only): the receivers of the shop's events and
their deliveries. Parse, call one rule, shape the answer."""

from __future__ import annotations

import falcon.asgi

from shop.kernel import codec
from shop.kernel.clock import Clock
from shop.storage.database import Database
from shop.storage.keyset import Listing, ListQuery, Totals
from shop.web.auth import require_admin
from shop.web.openapi import Answer, Operation, documented, problem
from shop.web.paging import CursorSeal, parse_query, render_page
from shop.web.urls import absolute
from shop.web.validation import parse_body
from shop.webhooks import service
from shop.webhooks.schemas import (
    Delivery,
    DeliveryList,
    NewWebhook,
    Webhook,
    WebhookCreate,
    WebhookUpdate,
    delivery_of,
    new_webhook_of,
    webhook_of,
)

ADMINS = problem("Only admins manage webhooks.")
URL_RULES = (
    "The URL must be https:// to a public address; with WEBHOOK_ALLOW_PRIVATE_NETWORKS also http:// and "
    "this machine or a private network. No user name or password in it; at most 2048 characters. "
)


class Webhooks:
    """`/webhooks`: make one, and list them."""

    def __init__(
        self, database: Database, clock: Clock, totals: Totals, cursors: CursorSeal, *, allow_private: bool
    ) -> None:
        self.database = database
        self.clock = clock
        self.totals = totals
        self.cursors = cursors
        self.allow_private = allow_private

    @documented(
        Operation(
            "createWebhook",
            "Make a webhook (admins)",
            description=URL_RULES + '`events` lists the event types to send, or `["*"]` for every type; a type '
            "named twice counts once. The answer carries the signing `secret`, shown this once: every delivery "
            "is signed with it in the Shop-Signature header. The webhook hears of events from now on.",
            body=WebhookCreate,
            answers={201: Answer("The webhook, with its secret.", NewWebhook, ("Location",)), 403: ADMINS},
        )
    )
    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        require_admin(req)
        new = await parse_body(req, WebhookCreate)
        webhook, events = await service.create(self.database, new, self.clock(), allow_private=self.allow_private)
        resp.status = 201
        resp.location = absolute(req, f"/webhooks/{webhook.id}")
        resp.data = codec.dumps(new_webhook_of(webhook, events))

    @documented(
        Operation(
            "listWebhooks",
            "List webhooks by id (admins)",
            query=ListQuery,
            answers={200: Answer("A page of webhooks.", Listing[Webhook], ("X-Total-Count", "Link")), 403: ADMINS},
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        require_admin(req)
        query = parse_query(req, ListQuery, self.cursors)
        page, events = await service.list_webhooks(self.database, query, self.totals)
        render_page(req, resp, query, page.map(lambda webhook: webhook_of(webhook, events[webhook.id])), self.cursors)


class WebhookItem:
    """`/webhooks/{webhook_id}`: read, change and delete one."""

    def __init__(self, database: Database, clock: Clock, *, allow_private: bool) -> None:
        self.database = database
        self.clock = clock
        self.allow_private = allow_private

    @documented(
        Operation("getWebhook", "Read a webhook (admins)", answers={200: Answer("The webhook.", Webhook), 403: ADMINS})
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, webhook_id: int) -> None:
        require_admin(req)
        webhook, events = await service.read(self.database, webhook_id)
        resp.data = codec.dumps(webhook_of(webhook, events))

    @documented(
        Operation(
            "updateWebhook",
            "Change a webhook (admins)",
            description=URL_RULES + "`events` replaces the types it wants. An inactive webhook is sent nothing, "
            "and gets no deliveries for the events that happen while it is inactive. The secret stays.",
            body=WebhookUpdate,
            answers={200: Answer("The webhook as changed.", Webhook), 403: ADMINS},
        )
    )
    async def on_patch(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, webhook_id: int) -> None:
        require_admin(req)
        changes = await parse_body(req, WebhookUpdate)
        webhook, events = await service.update(
            self.database, webhook_id, changes, self.clock(), allow_private=self.allow_private
        )
        resp.data = codec.dumps(webhook_of(webhook, events))

    @documented(
        Operation(
            "deleteWebhook",
            "Delete a webhook (admins)",
            description="With its deliveries: what was not sent yet never is.",
            answers={204: Answer("Deleted."), 403: ADMINS},
        )
    )
    async def on_delete(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, webhook_id: int) -> None:
        require_admin(req)
        await service.delete(self.database, webhook_id)
        resp.status = 204


class Deliveries:
    """`/webhooks/{webhook_id}/deliveries`: the events on their way to it, and how each went."""

    def __init__(self, database: Database, totals: Totals, cursors: CursorSeal) -> None:
        self.database = database
        self.totals = totals
        self.cursors = cursors

    @documented(
        Operation(
            "listWebhookDeliveries",
            "List a webhook's deliveries, newest first (admins)",
            description="`status`: pending (waiting for its next attempt, or being sent), delivered, or failed "
            "(given up after 14 attempts over about a day; POST .../retry tries once more).",
            query=DeliveryList,
            answers={200: Answer("A page of deliveries.", Listing[Delivery], ("X-Total-Count", "Link")), 403: ADMINS},
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, webhook_id: int) -> None:
        require_admin(req)
        query = parse_query(req, DeliveryList, self.cursors)
        page = await service.list_deliveries(self.database, webhook_id, query, self.totals)
        render_page(req, resp, query, page.map(delivery_of), self.cursors)


class DeliveryRetry:
    """`/webhooks/{webhook_id}/deliveries/{delivery_id}/retry`: a failed delivery tried once more."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    @documented(
        Operation(
            "retryWebhookDelivery",
            "Retry a failed delivery (admins)",
            description="The delivery is pending again and due now: the sender tries it once more, in the "
            "background. If that attempt fails too, it is failed again.",
            answers={
                202: Answer("The delivery, pending again.", Delivery),
                403: ADMINS,
                409: problem("The delivery is not failed: pending or delivered already."),
            },
        )
    )
    async def on_post(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, webhook_id: int, delivery_id: int
    ) -> None:
        require_admin(req)
        delivery = await service.retry(self.database, webhook_id, delivery_id, self.clock())
        resp.status = 202
        resp.data = codec.dumps(delivery_of(delivery))
