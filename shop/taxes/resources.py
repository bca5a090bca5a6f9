"""HTTP for tax rates (admins only): parse, call one rule, shape the answer."""

from __future__ import annotations

import falcon.asgi

from shop.kernel import codec
from shop.kernel.clock import Clock
from shop.storage.database import Database
from shop.storage.keyset import Listing, Totals
from shop.taxes import service
from shop.taxes.schemas import TaxRate as TaxRateBody
from shop.taxes.schemas import TaxRateCreate, TaxRateList, TaxRateUpdate, public
from shop.web.auth import require_admin
from shop.web.openapi import FORBIDDEN, Answer, Operation, documented, problem
from shop.web.paging import CursorSeal, parse_query, render_page
from shop.web.urls import absolute
from shop.web.validation import parse_body

RULES = (
    'A rate is a percentage from 0 to 100 with at most two decimals, kept exactly and shown with two ("7.70"). '
    "A country has one rate per tax class."
)
TAKEN = problem("The country has a rate for this tax class already.")


class TaxRates:
    """`/tax-rates`: list and create (admins)."""

    def __init__(self, database: Database, clock: Clock, totals: Totals, cursors: CursorSeal) -> None:
        self.database = database
        self.clock = clock
        self.totals = totals
        self.cursors = cursors

    @documented(
        Operation(
            "listTaxRates",
            "List the tax rates (admins)",
            description="By id. `country`: that country's only.",
            query=TaxRateList,
            answers={
                200: Answer("A page of tax rates.", Listing[TaxRateBody], ("X-Total-Count", "Link")),
                403: FORBIDDEN,
            },
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        require_admin(req)
        query = parse_query(req, TaxRateList, self.cursors)
        page = await service.list_tax_rates(self.database, query, self.totals)
        render_page(req, resp, query, page.map(public), self.cursors)

    @documented(
        Operation(
            "createTaxRate",
            "Add a tax rate (admins)",
            description="In the tax class `standard` unless another is given. " + RULES,
            body=TaxRateCreate,
            answers={201: Answer("The new tax rate.", TaxRateBody, ("Location",)), 403: FORBIDDEN, 409: TAKEN},
        )
    )
    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        require_admin(req)
        new = await parse_body(req, TaxRateCreate)
        tax_rate = await service.create_tax_rate(self.database, new, self.clock())
        resp.status = 201
        resp.location = absolute(req, f"/tax-rates/{tax_rate.id}")
        resp.data = codec.dumps(public(tax_rate))


class TaxRate:
    """`/tax-rates/{tax_rate_id}`: read, change and delete (admins)."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    @documented(
        Operation(
            "getTaxRate",
            "Read a tax rate (admins)",
            answers={200: Answer("The tax rate.", TaxRateBody), 403: FORBIDDEN},
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, tax_rate_id: int) -> None:
        require_admin(req)
        tax_rate = await service.read_tax_rate(self.database, tax_rate_id)
        resp.data = codec.dumps(public(tax_rate))

    @documented(
        Operation(
            "updateTaxRate",
            "Change a tax rate (admins)",
            description="Any of country, tax_class and rate; at least one. " + RULES,
            body=TaxRateUpdate,
            answers={200: Answer("The tax rate as changed.", TaxRateBody), 403: FORBIDDEN, 409: TAKEN},
        )
    )
    async def on_patch(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, tax_rate_id: int) -> None:
        require_admin(req)
        changes = await parse_body(req, TaxRateUpdate)
        tax_rate = await service.update_tax_rate(self.database, tax_rate_id, changes, self.clock())
        resp.data = codec.dumps(public(tax_rate))

    @documented(
        Operation(
            "deleteTaxRate",
            "Delete a tax rate (admins)",
            description="Orders keep the rates they were taxed at.",
            answers={204: Answer("Deleted."), 403: FORBIDDEN},
        )
    )
    async def on_delete(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, tax_rate_id: int) -> None:
        require_admin(req)
        await service.delete_tax_rate(self.database, tax_rate_id)
        resp.status = 204
