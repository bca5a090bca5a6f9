"""HTTP for orders: parse, call one rule, shape the answer."""

from __future__ import annotations

import falcon.asgi

from shop.idempotency import http as idempotent
from shop.idempotency import service as idempotency
from shop.kernel import codec
from shop.kernel.clock import Clock
from shop.orders import service
from shop.orders.checkout import Selling
from shop.orders.schemas import Order as OrderBody
from shop.orders.schemas import OrderCreate, OrderList, OrderUpdate, public
from shop.orders.schemas import Quote as QuoteBody
from shop.orders.store import Placed
from shop.storage.database import Database
from shop.storage.keyset import Listing, Totals
from shop.web.auth import caller_of
from shop.web.metrics import Metrics
from shop.web.openapi import INVALID, Answer, Operation, documented, problem
from shop.web.paging import CursorSeal, parse_query, render_page
from shop.web.problems import refusal_body
from shop.web.urls import absolute
from shop.web.validation import parse_body

CODE_REFUSALS = (
    "Types: urn:shop:problem:discount-inactive, -not-started, -expired, -used-up, -used-up-by-customer, "
    "-minimum-not-met. An unknown code is 422 at `discount_code`."
)
SHIPPING_RULES = (
    "With `shipping_address` (or `shipping_address_id`, of the caller's address book) a "
    "`shipping_rate_id` of the zone of its country is needed: 422 at that field when it is missing or "
    "does not serve the order, and at the address when no zone holds its country."
)


class Orders:
    """`/orders`: place an order (idempotently with Idempotency-Key) and list them."""

    def __init__(
        self, database: Database, clock: Clock, totals: Totals, cursors: CursorSeal, selling: Selling, metrics: Metrics
    ) -> None:
        self.database = database
        self.clock = clock
        self.totals = totals
        self.cursors = cursors
        self.selling = selling
        self.currency = selling.currency
        self.metrics = metrics

    @documented(
        Operation(
            "createOrder",
            "Place an order",
            description="One transaction: every line's stock is checked and taken, or nothing changes (409). "
            "Prices are copied into the lines now, and the order is priced as a quote of the same body "
            "would be: shipping to its address at the rate chosen, tax of the address's country (without an "
            "address nothing ships and SHOP_COUNTRY's tax applies). A customer orders for themself; an admin "
            "for any user. A retry with the same Idempotency-Key and body within 24 hours gets the first "
            "answer again. " + SHIPPING_RULES,
            body=OrderCreate,
            headers=(idempotent.DOCUMENTED,),
            # A refusal is kept and replayed too, with Idempotent-Replayed.
            answers={
                201: Answer("The order.", OrderBody, ("Location", idempotency.REPLAYED)),
                403: problem("A customer may only order for themself.", idempotency.REPLAYED),
                409: problem(
                    "Not enough stock (nothing was ordered), a request with this key is still running, or the "
                    "discount code cannot be used now: its problem type says why. " + CODE_REFUSALS,
                    idempotency.REPLAYED,
                ),
                422: problem(INVALID.description, idempotency.REPLAYED),
            },
        )
    )
    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        caller = caller_of(req)
        new = await parse_body(req, OrderCreate)
        answer = await service.place_order(
            self.database,
            caller,
            new,
            self.clock(),
            selling=self.selling,
            key=idempotent.key_of(req),
            refusal=lambda error: refusal_body(req, error),
        )
        created = answer.status < 400
        if created and not answer.replayed:
            self.metrics.orders_created.inc()
        location = absolute(req, f"/orders/{codec.loads(answer.body)['id']}") if created else None
        idempotent.render(resp, answer, location)

    @documented(
        Operation(
            "listOrders",
            "List orders, newest first",
            description="A customer sees their own; an admin sees all and may filter by `user_id`.",
            query=OrderList,
            answers={
                200: Answer("A page of orders.", Listing[OrderBody], ("X-Total-Count", "Link")),
                403: problem("A customer asked for another user's orders."),
            },
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        caller = caller_of(req)
        query = parse_query(req, OrderList, self.cursors)
        page, lines = await service.list_orders(self.database, caller, query, self.totals)
        render_page(
            req, resp, query, page.map(lambda order: public(order, lines[order.id], self.currency)), self.cursors
        )


class Quote:
    """`/orders/quote`: what an order would cost, without placing it."""

    def __init__(self, database: Database, clock: Clock, selling: Selling) -> None:
        self.database = database
        self.clock = clock
        self.selling = selling

    @documented(
        Operation(
            "quoteOrder",
            "Price an order without placing it",
            description="Every figure the order of this body would have if it were placed now, and the "
            "shipping rates that would take it to its address. Nothing changes: no stock is taken, nothing is "
            "told. Stock is not checked (the order is where it is taken). " + SHIPPING_RULES,
            body=OrderCreate,
            answers={
                200: Answer("The figures.", QuoteBody),
                403: problem("A customer may only order for themself."),
                409: problem("The discount code cannot be used now: its problem type says why. " + CODE_REFUSALS),
            },
        )
    )
    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        new = await parse_body(req, OrderCreate)
        resp.data = codec.dumps(await service.quote(self.database, caller_of(req), new, self.selling, self.clock()))


class Order:
    """`/orders/{order_id}`: read, move along the status machine, delete."""

    def __init__(self, database: Database, clock: Clock, currency: str, paid_cents: service.PaidCents) -> None:
        self.database = database
        self.clock = clock
        self.currency = currency
        self.paid_cents = paid_cents  # a total brought down to what was paid settles the order

    def _render(self, resp: falcon.asgi.Response, found: Placed) -> None:
        resp.data = codec.dumps(public(found.order, found.lines, self.currency))

    @documented(Operation("getOrder", "Read an order", answers={200: Answer("The order.", OrderBody)}))
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, order_id: int) -> None:
        self._render(resp, await service.read_order(self.database, caller_of(req), order_id))

    @documented(
        Operation(
            "updateOrder",
            "Move an order along, or set its total (admins)",
            description="Status moves: pending -> paid | cancelled, paid -> shipped | cancelled, shipped -> delivered. "
            "Cancelling puts the stock back. A customer may only cancel their own pending order.",
            body=OrderUpdate,
            answers={
                200: Answer("The order as changed.", OrderBody),
                403: problem("A customer may only cancel their own pending order."),
                409: problem("This status move is not allowed."),
            },
        )
    )
    async def on_patch(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, order_id: int) -> None:
        caller = caller_of(req)
        changes = await parse_body(req, OrderUpdate)
        changed = await service.update_order(
            self.database, caller, order_id, changes, self.clock(), self.currency, paid_cents=self.paid_cents
        )
        self._render(resp, changed)

    @documented(
        Operation(
            "deleteOrder",
            "Remove an order",
            description="Stock of an order that was neither cancelled nor shipped goes back.",
            answers={
                204: Answer("Deleted."),
                403: problem("A customer may only delete their own pending or cancelled order."),
                409: problem("A shipped or delivered order cannot be deleted."),
            },
        )
    )
    async def on_delete(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, order_id: int) -> None:
        await service.delete_order(self.database, caller_of(req), order_id, self.currency, self.clock())
        resp.status = 204
