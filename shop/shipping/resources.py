"""HTTP for shipping zones and their rates: parse, call one rule, shape the answer."""

from __future__ import annotations

import falcon.asgi

from shop.kernel import codec
from shop.kernel.clock import Clock
from shop.shipping import service
from shop.shipping.schemas import (
    ShippingRate,
    ShippingRateCreate,
    ShippingRateUpdate,
    ShippingZone,
    ShippingZoneCreate,
    ShippingZoneUpdate,
    public,
    public_rate,
)
from shop.storage.database import Database
from shop.storage.keyset import Listing, ListQuery, Totals
from shop.web.auth import require_admin
from shop.web.openapi import FORBIDDEN, Answer, Operation, documented, problem
from shop.web.paging import CursorSeal, parse_query, render_page
from shop.web.urls import absolute
from shop.web.validation import parse_body

ZONE_RULES = (
    "A zone's name is unique ignoring case; its countries (1 to 250 assigned ISO 3166-1 alpha-2 codes, each "
    "once) keep the order given, and a country is in one zone at most."
)
TAKEN = problem("Another zone has this name (ignoring case), or holds one of the countries: the problem names it.")
RATE_RULES = (
    "A rate costs `price`, or nothing when the order's subtotal after discounts is at least `free_over`; with "
    "`min_subtotal` and/or `max_subtotal` it serves only subtotals (after discounts) in that range, both "
    "included. `min_subtotal` above `max_subtotal` is 422."
)


class Zones:
    """`/shipping-zones`: list (everyone with a token) and create (admins)."""

    def __init__(self, database: Database, clock: Clock, totals: Totals, cursors: CursorSeal) -> None:
        self.database = database
        self.clock = clock
        self.totals = totals
        self.cursors = cursors

    @documented(
        Operation(
            "listShippingZones",
            "List the shipping zones",
            description="By id, each with its countries and rates.",
            query=ListQuery,
            answers={200: Answer("A page of shipping zones.", Listing[ShippingZone], ("X-Total-Count", "Link"))},
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        query = parse_query(req, ListQuery, self.cursors)
        page = await service.list_zones(self.database, query, self.totals)
        render_page(req, resp, query, page.map(public), self.cursors)

    @documented(
        Operation(
            "createShippingZone",
            "Add a shipping zone (admins)",
            description=ZONE_RULES,
            body=ShippingZoneCreate,
            answers={
                201: Answer("The new zone.", ShippingZone, ("Location",)),
                403: FORBIDDEN,
                409: TAKEN,
            },
        )
    )
    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        require_admin(req)
        new = await parse_body(req, ShippingZoneCreate)
        zone = await service.create_zone(self.database, new, self.clock())
        resp.status = 201
        resp.location = absolute(req, f"/shipping-zones/{zone.id}")
        resp.data = codec.dumps(public(zone))


class Zone:
    """`/shipping-zones/{zone_id}`: read, change and delete."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    @documented(
        Operation(
            "getShippingZone",
            "Read a shipping zone",
            description="With its countries and its rates.",
            answers={200: Answer("The zone.", ShippingZone)},
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, zone_id: int) -> None:
        zone = await service.read_zone(self.database, zone_id)
        resp.data = codec.dumps(public(zone))

    @documented(
        Operation(
            "updateShippingZone",
            "Change a shipping zone (admins)",
            description="Its name and/or its countries (at least one); `countries` replaces the whole list. "
            + ZONE_RULES,
            body=ShippingZoneUpdate,
            answers={200: Answer("The zone as changed.", ShippingZone), 403: FORBIDDEN, 409: TAKEN},
        )
    )
    async def on_patch(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, zone_id: int) -> None:
        require_admin(req)
        changes = await parse_body(req, ShippingZoneUpdate)
        zone = await service.update_zone(self.database, zone_id, changes, self.clock())
        resp.data = codec.dumps(public(zone))

    @documented(
        Operation(
            "deleteShippingZone",
            "Delete a shipping zone (admins)",
            description="Only one without rates; its countries are free for another zone then.",
            answers={
                204: Answer("Deleted."),
                403: FORBIDDEN,
                409: problem("The zone has rates; nothing was deleted."),
            },
        )
    )
    async def on_delete(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, zone_id: int) -> None:
        require_admin(req)
        await service.delete_zone(self.database, zone_id)
        resp.status = 204


class Rates:
    """`/shipping-zones/{zone_id}/rates`: list (everyone with a token) and create (admins)."""

    def __init__(self, database: Database, clock: Clock, totals: Totals, cursors: CursorSeal) -> None:
        self.database = database
        self.clock = clock
        self.totals = totals
        self.cursors = cursors

    @documented(
        Operation(
            "listShippingRates",
            "List a zone's rates",
            description="By id.",
            query=ListQuery,
            answers={200: Answer("A page of the zone's rates.", Listing[ShippingRate], ("X-Total-Count", "Link"))},
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, zone_id: int) -> None:
        query = parse_query(req, ListQuery, self.cursors)
        page = await service.list_rates(self.database, zone_id, query, self.totals)
        render_page(req, resp, query, page.map(public_rate), self.cursors)

    @documented(
        Operation(
            "createShippingRate",
            "Add a rate to a zone (admins)",
            description=RATE_RULES,
            body=ShippingRateCreate,
            answers={201: Answer("The new rate.", ShippingRate, ("Location",)), 403: FORBIDDEN},
        )
    )
    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, zone_id: int) -> None:
        require_admin(req)
        new = await parse_body(req, ShippingRateCreate)
        rate = await service.create_rate(self.database, zone_id, new, self.clock())
        resp.status = 201
        resp.location = absolute(req, f"/shipping-zones/{zone_id}/rates/{rate.id}")
        resp.data = codec.dumps(public_rate(rate))


class Rate:
    """`/shipping-zones/{zone_id}/rates/{rate_id}`: read, change and delete; through its own zone only."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    @documented(
        Operation(
            "getShippingRate",
            "Read a rate",
            description="A rate of another zone is 404 here.",
            answers={200: Answer("The rate.", ShippingRate)},
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, zone_id: int, rate_id: int) -> None:
        rate = await service.read_rate(self.database, zone_id, rate_id)
        resp.data = codec.dumps(public_rate(rate))

    @documented(
        Operation(
            "updateShippingRate",
            "Change a rate (admins)",
            description="Any of its fields, at least one; `min_subtotal`, `max_subtotal` and `free_over` are "
            "removed with null. " + RATE_RULES,
            body=ShippingRateUpdate,
            answers={200: Answer("The rate as changed.", ShippingRate), 403: FORBIDDEN},
        )
    )
    async def on_patch(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, zone_id: int, rate_id: int) -> None:
        require_admin(req)
        changes = await parse_body(req, ShippingRateUpdate)
        rate = await service.update_rate(self.database, zone_id, rate_id, changes, self.clock())
        resp.data = codec.dumps(public_rate(rate))

    @documented(
        Operation(
            "deleteShippingRate",
            "Delete a rate (admins)",
            description="Orders keep a copy of the rate they were shipped at.",
            answers={204: Answer("Deleted."), 403: FORBIDDEN},
        )
    )
    async def on_delete(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, zone_id: int, rate_id: int) -> None:
        require_admin(req)
        await service.delete_rate(self.database, zone_id, rate_id)
        resp.status = 204
