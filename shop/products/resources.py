"""HTTP for the catalogue: parse, call one rule, shape the answer."""

from __future__ import annotations

import falcon.asgi

from shop.categories.service import Trees
from shop.kernel import codec
from shop.kernel.clock import Clock
from shop.products import service
from shop.products.schemas import Product as ProductBody
from shop.products.schemas import ProductCreate, ProductList, ProductUpdate, public
from shop.storage.database import Database
from shop.storage.keyset import Listing, Totals
from shop.web.auth import require_admin
from shop.web.conditional import if_match, unchanged
from shop.web.openapi import FORBIDDEN, Answer, Operation, RequestHeader, documented, problem
from shop.web.paging import CursorSeal, parse_query, render_page
from shop.web.urls import absolute
from shop.web.validation import parse_body

NAME_TAKEN = problem("Another product has this name (ignoring case).")


class Products:
    """`/products`: list (everyone with a token, or everyone with a public catalogue) and create (admins)."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        totals: Totals,
        cursors: CursorSeal,
        currency: str,
        *,
        public: bool,
        trees: Trees,
    ) -> None:
        self.database = database
        self.clock = clock
        self.totals = totals
        self.trees = trees  # the categories below each one asked for (?category=)
        self.cursors = cursors
        self.currency = currency
        # With a public catalogue, reading needs no token (one sent is still checked).
        self.anonymous = frozenset({"GET"}) if public else frozenset()

    @documented(
        Operation(
            "listProducts",
            "List the catalogue",
            description="Filters: `q` (name contains, ignoring case), `min_price` and `max_price` (inclusive), "
            "`in_stock`; `category` (an id or a slug: the products of that category and of every category "
            "below it); `sort` by id, name, price or created_at, `-` for descending; ties broken by id.",
            query=ProductList,
            answers={
                200: Answer("A page of products.", Listing[ProductBody], ("X-Total-Count", "Link")),
                404: problem("No such category (`category`)."),
            },
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        query = parse_query(req, ProductList, self.cursors)
        page = await service.list_products(self.database, query, self.totals, self.trees)
        render_page(req, resp, query, page.map(lambda product: public(product, self.currency)), self.cursors)

    @documented(
        Operation(
            "createProduct",
            "Add a product (admins)",
            body=ProductCreate,
            answers={
                201: Answer("The new product.", ProductBody, ("Location", "ETag")),
                403: FORBIDDEN,
                409: NAME_TAKEN,
            },
        )
    )
    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        require_admin(req)
        new = await parse_body(req, ProductCreate)
        product = await service.create_product(self.database, new, self.clock(), self.currency)
        resp.status = 201
        resp.location = absolute(req, f"/products/{product.id}")
        resp.etag = service.etag(product)
        resp.data = codec.dumps(public(product, self.currency))


class Product:
    """`/products/{product_id}`: read (with an ETag), change (If-Match) and delete."""

    def __init__(self, database: Database, clock: Clock, currency: str, *, public: bool) -> None:
        self.database = database
        self.clock = clock
        self.currency = currency
        self.anonymous = frozenset({"GET"}) if public else frozenset()

    @documented(
        Operation(
            "getProduct",
            "Read a product",
            headers=(
                RequestHeader(
                    "If-None-Match",
                    "ETags the client holds (from earlier answers): if the product is still at one of them, 304.",
                    {"type": "string"},
                ),
            ),
            answers={
                200: Answer("The product.", ProductBody, ("ETag",)),
                304: Answer(
                    "The product is still at an ETag in If-None-Match: what the client holds is current.",
                    None,
                    ("ETag",),
                ),
            },
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, product_id: int) -> None:
        product = await service.read_product(self.database, product_id)
        resp.etag = service.etag(product)
        if unchanged(req, resp.etag):
            resp.status = 304
            return
        resp.data = codec.dumps(public(product, self.currency))

    @documented(
        Operation(
            "updateProduct",
            "Change a product (admins)",
            description="Any of name, description, price, stock and category_ids (which replaces the "
            "product's categories); at least one.",
            body=ProductUpdate,
            headers=(
                RequestHeader(
                    "If-Match",
                    "Change only if the product is still at this ETag (from GET); else 412.",
                    {"type": "string"},
                ),
            ),
            answers={
                200: Answer("The product as changed.", ProductBody, ("ETag",)),
                403: FORBIDDEN,
                409: NAME_TAKEN,
                412: problem("The product changed since the ETag in If-Match."),
            },
        )
    )
    async def on_patch(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, product_id: int) -> None:
        require_admin(req)
        changes = await parse_body(req, ProductUpdate)
        product = await service.update_product(
            self.database, product_id, changes, self.clock(), self.currency, if_match=if_match(req)
        )
        resp.etag = service.etag(product)
        resp.data = codec.dumps(public(product, self.currency))

    @documented(
        Operation(
            "deleteProduct",
            "Take a product out of the catalogue (admins)",
            description="Orders that hold it keep their lines, with the name and price as sold.",
            answers={204: Answer("Deleted."), 403: FORBIDDEN},
        )
    )
    async def on_delete(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, product_id: int) -> None:
        require_admin(req)
        await service.delete_product(self.database, product_id, self.currency, self.clock())
        resp.status = 204
