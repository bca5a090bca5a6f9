"""HTTP for discount codes (admins only): parse, call one rule, shape the answer."""

from __future__ import annotations

import falcon.asgi

from shop.discounts import service
from shop.discounts.schemas import Discount as DiscountBody
from shop.discounts.schemas import DiscountCreate, DiscountList, DiscountUpdate, public
from shop.kernel import codec
from shop.kernel.clock import Clock
from shop.storage.database import Database
from shop.storage.keyset import Listing, Totals
from shop.web.auth import require_admin
from shop.web.openapi import FORBIDDEN, Answer, Operation, documented, problem
from shop.web.paging import CursorSeal, parse_query, render_page
from shop.web.urls import absolute
from shop.web.validation import parse_body

RULES = (
    'A code is 3 to 40 of A-Z, a-z, 0-9, "-" and "_", kept as given and unique ignoring case. '
    '`value` is a percentage from 0.01 to 100 for "percentage", an amount above 0 for "fixed", and left out for '
    '"free_shipping". `ends_at` is after `starts_at`. Every id in `product_ids` and `category_ids` names a product '
    "or a category."
)
TAKEN = problem("Another discount has this code (ignoring case).")


class Discounts:
    """`/discounts`: list and create (admins)."""

    def __init__(self, database: Database, clock: Clock, totals: Totals, cursors: CursorSeal) -> None:
        self.database = database
        self.clock = clock
        self.totals = totals
        self.cursors = cursors

    @documented(
        Operation(
            "listDiscounts",
            "List the discount codes (admins)",
            description="By id. `code`: the one of that code, ignoring case; `active`: those that are (or are not).",
            query=DiscountList,
            answers={
                200: Answer("A page of discounts.", Listing[DiscountBody], ("X-Total-Count", "Link")),
                403: FORBIDDEN,
            },
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        require_admin(req)
        query = parse_query(req, DiscountList, self.cursors)
        page = await service.list_discounts(self.database, query, self.totals)
        render_page(req, resp, query, page.map(public), self.cursors)

    @documented(
        Operation(
            "createDiscount",
            "Add a discount code (admins)",
            description="Active unless `active` is false. " + RULES,
            body=DiscountCreate,
            answers={201: Answer("The new discount.", DiscountBody, ("Location",)), 403: FORBIDDEN, 409: TAKEN},
        )
    )
    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        require_admin(req)
        new = await parse_body(req, DiscountCreate)
        discount = await service.create_discount(self.database, new, self.clock())
        resp.status = 201
        resp.location = absolute(req, f"/discounts/{discount.id}")
        resp.data = codec.dumps(public(discount))


class Discount:
    """`/discounts/{discount_id}`: read, change and delete (admins)."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    @documented(
        Operation(
            "getDiscount",
            "Read a discount code (admins)",
            answers={200: Answer("The discount.", DiscountBody), 403: FORBIDDEN},
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, discount_id: int) -> None:
        require_admin(req)
        discount = await service.read_discount(self.database, discount_id)
        resp.data = codec.dumps(public(discount))

    @documented(
        Operation(
            "updateDiscount",
            "Change a discount code (admins)",
            description="Any field but `kind`, at least one; a nullable one set to null is removed. "
            "Checked as a new one is, as it would become; `usage_limit` is not below `times_used`. " + RULES,
            body=DiscountUpdate,
            answers={200: Answer("The discount as changed.", DiscountBody), 403: FORBIDDEN, 409: TAKEN},
        )
    )
    async def on_patch(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, discount_id: int) -> None:
        require_admin(req)
        changes = await parse_body(req, DiscountUpdate)
        discount = await service.update_discount(self.database, discount_id, changes, self.clock())
        resp.data = codec.dumps(public(discount))

    @documented(
        Operation(
            "deleteDiscount",
            "Delete a discount code (admins)",
            description="A code no order has used is removed. One that orders have used is deactivated instead "
            '(`"active": false`) and stays readable: the orders keep naming it.',
            answers={204: Answer("Deleted, or deactivated."), 403: FORBIDDEN},
        )
    )
    async def on_delete(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, discount_id: int) -> None:
        require_admin(req)
        await service.delete_discount(self.database, discount_id, self.clock())
        resp.status = 204
