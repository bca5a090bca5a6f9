"""HTTP for orders: parse, call one rule, shape the answer."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import falcon.asgi
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from shop import codec
from shop.auth import caller_of
from shop.database import Database
from shop.errors import PROBLEM_JSON, ShopError, as_problem, problem_body
from shop.login_guard import Clock
from shop.metrics import Metrics
from shop.openapi import Answer, Operation, RequestHeader, documented, problem
from shop.orders import idempotency, service
from shop.orders.schemas import Order as OrderBody
from shop.orders.schemas import OrderCreate, OrderList, OrderUpdate, StoredLine, StoredOrder, public
from shop.paging import Listing, parse_query, render_page
from shop.validation import parse_body


class Orders:
    """`/orders`: place an order (idempotently with Idempotency-Key) and list them."""

    def __init__(self, database: Database, currency: str, clock: Clock, metrics: Metrics) -> None:
        self.database = database
        self.currency = currency
        self.clock = clock
        self.metrics = metrics

    @documented(
        Operation(
            "createOrder",
            "Place an order",
            description="One transaction: every line's stock is checked and taken, or nothing changes (409). "
            "Prices are copied into the lines now. A customer orders for themself; an admin for any user. "
            "A retry with the same Idempotency-Key and body within 24 hours gets the first answer again.",
            body=OrderCreate,
            headers=(
                RequestHeader(
                    idempotency.HEADER,
                    "Makes retries safe: the same key and body replay the first answer.",
                    {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_LENGTH},
                ),
            ),
            answers={
                201: Answer("The order.", OrderBody, ("Location",)),
                403: problem("A customer may only order for themself."),
                409: problem("Not enough stock (nothing was ordered), or a request with this key is still running."),
            },
        )
    )
    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        caller = caller_of(req)
        new = await parse_body(req, OrderCreate)
        key = idempotency.checked_key(req.get_header(idempotency.HEADER))
        claim_id = None
        if key is not None:
            request_hash = idempotency.fingerprint(new.model_dump(mode="json"))
            try:
                claim_id = await idempotency.claim(self.database, caller.id, key, request_hash, self.clock())
            except idempotency.Replay as replay:
                self._replay(req, resp, replay)
                return

        def place(connection: Connection) -> tuple[service.OrderRow, bytes]:
            order, lines = service.place_order(connection, caller, new)
            body = codec.dumps(public(order, lines, self.currency))
            if claim_id is not None:
                idempotency.answer(connection, claim_id, 201, body)
            return order, body

        try:
            order, body = await self.database.run(place)
        except ShopError as error:
            if claim_id is not None:  # a refusal is an answer too: a retry gets the same one
                problem = codec.dumps(problem_body(req, as_problem(error)))
                answer = functools.partial(idempotency.answer, claim_id=claim_id, status=error.status, body=problem)
                try:
                    await self.database.run(answer)
                except Exception:
                    await idempotency.release(self.database, claim_id)
                    raise
            raise
        except Exception:
            # Failed without an answer worth keeping: a retry may try again. (Not
            # when cancelled: the order may have committed with its answer, and
            # an unanswered claim is taken over after a while anyway.)
            if claim_id is not None:
                await idempotency.release(self.database, claim_id)
            raise
        self.metrics.orders_created.inc()
        resp.status = 201
        resp.location = f"{req.prefix}/orders/{order.id}"
        resp.data = body

    def _replay(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, replay: idempotency.Replay) -> None:
        resp.status = replay.status
        resp.data = replay.body
        resp.set_header("Idempotent-Replayed", "true")
        if replay.status >= 400:
            resp.content_type = PROBLEM_JSON
        elif replay.status == 201:
            resp.location = f"{req.prefix}/orders/{codec.loads(replay.body)['id']}"

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
        query = parse_query(req, OrderList)
        async with self.database.read() as session:
            page, lines = await service.list_orders(session, caller, query, totals=self.database.totals)
        render_page(req, resp, query, page.map(lambda order: public(order, lines[order.id], self.currency)))


class Order:
    """`/orders/{order_id}`: read, move along the status machine, delete."""

    def __init__(self, database: Database, currency: str) -> None:
        self.database = database
        self.currency = currency

    def _render(self, resp: falcon.asgi.Response, found: tuple[StoredOrder, Sequence[StoredLine]]) -> None:
        order, lines = found
        resp.data = codec.dumps(public(order, lines, self.currency))

    @documented(Operation("getOrder", "Read an order", answers={200: Answer("The order.", OrderBody)}))
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, order_id: int) -> None:
        self._render(resp, await service.read_order(self.database.direct, caller_of(req), order_id))

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

        async def change(session: AsyncSession) -> Any:
            return await service.update_order(session, caller, order_id, changes)

        self._render(resp, await self.database.transaction(change))

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
        caller = caller_of(req)

        async def remove(session: AsyncSession) -> None:
            await service.delete_order(session, caller, order_id)

        await self.database.transaction(remove)
        resp.status = 204
