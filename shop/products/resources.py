"""HTTP for the catalogue: parse, call one rule, shape the answer."""

from __future__ import annotations

import falcon.asgi

from shop.categories.service import Trees
from shop.kernel import codec
from shop.kernel.clock import Clock
from shop.products import service, variants
from shop.products.schemas import (
    MovementList,
    ProductCreate,
    ProductList,
    ProductUpdate,
    VariantCreate,
    VariantList,
    VariantUpdate,
    public,
    public_movement,
    public_variant,
)
from shop.products.schemas import Product as ProductBody
from shop.products.schemas import StockMovement as MovementBody
from shop.products.schemas import Variant as VariantBody
from shop.products.store import Shown
from shop.storage.database import Database
from shop.storage.keyset import Listing, Totals
from shop.web.auth import require_admin
from shop.web.conditional import if_match, unchanged
from shop.web.openapi import FORBIDDEN, Answer, Operation, RequestHeader, documented, problem
from shop.web.paging import CursorSeal, parse_query, render_page
from shop.web.urls import absolute
from shop.web.validation import parse_body

NAME_TAKEN = problem("Another product has this name (ignoring case), or this slug.")
NO_SUCH_PRODUCT = problem("No such product.")
NO_SUCH_VARIANT = problem("No such product, or no such variant of it.")


def _shown(resp: falcon.asgi.Response, shown: Shown, currency: str) -> bytes:
    """The product's body, with its ETag set."""
    body = codec.dumps(public(shown.product, shown.variants, currency))
    resp.etag = service.etag(body)
    return body


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
            description="Filters: `q` (name contains, ignoring case), `slug`, `min_price` and `max_price` "
            "(inclusive, on a product's lowest variant price), `in_stock` (some active variant has stock), "
            "`category` (an id or a slug: the products of that category and of every category below it); "
            "`sort` by id, name, price or created_at, `-` for descending; ties broken by id.",
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
        shown = page.map(lambda product: public(product.product, product.variants, self.currency))
        render_page(req, resp, query, shown, self.cursors)

    @documented(
        Operation(
            "createProduct",
            "Add a product (admins)",
            description="Without options, with `price` and `stock` (its one variant); with `options`, with its "
            "`variants`, each naming one value of every option.",
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
        shown = await service.create_product(self.database, new, self.clock(), self.currency)
        resp.status = 201
        resp.location = absolute(req, f"/products/{shown.product.id}")
        resp.data = _shown(resp, shown, self.currency)


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
        shown = await service.read_product(self.database, product_id)
        body = codec.dumps(public(shown.product, shown.variants, self.currency))
        resp.etag = service.etag(body)
        if unchanged(req, resp.etag):
            resp.status = 304
            return
        resp.data = body

    @documented(
        Operation(
            "updateProduct",
            "Change a product (admins)",
            description="Any of name, description, slug, images, category_ids (which replaces the product's "
            "categories), options (renamed, or more values), and, of a product without options, price and "
            "stock; at least one.",
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
                409: problem(
                    "The name or slug is another product's, the product has options (price, stock), or "
                    "the options change more than names and values."
                ),
                412: problem("The product changed since the ETag in If-Match."),
            },
        )
    )
    async def on_patch(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, product_id: int) -> None:
        require_admin(req)
        changes = await parse_body(req, ProductUpdate)
        shown = await service.update_product(
            self.database, product_id, changes, self.clock(), self.currency, if_match=if_match(req)
        )
        resp.data = _shown(resp, shown, self.currency)

    @documented(
        Operation(
            "deleteProduct",
            "Take a product out of the catalogue (admins)",
            description="With its variants. Orders that hold it keep their lines, as sold.",
            answers={204: Answer("Deleted."), 403: FORBIDDEN},
        )
    )
    async def on_delete(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, product_id: int) -> None:
        require_admin(req)
        await service.delete_product(self.database, product_id, self.currency, self.clock())
        resp.status = 204


class Variants:
    """`/products/{product_id}/variants`: the active variants (catalogue readers), and a new one (admins)."""

    def __init__(
        self, database: Database, clock: Clock, totals: Totals, cursors: CursorSeal, currency: str, *, public: bool
    ) -> None:
        self.database = database
        self.clock = clock
        self.totals = totals
        self.cursors = cursors
        self.currency = currency
        self.anonymous = frozenset({"GET"}) if public else frozenset()

    @documented(
        Operation(
            "listVariants",
            "List a product's variants",
            description="The active ones, by position.",
            query=VariantList,
            answers={
                200: Answer("A page of variants.", Listing[VariantBody], ("X-Total-Count", "Link")),
                404: NO_SUCH_PRODUCT,
            },
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, product_id: int) -> None:
        query = parse_query(req, VariantList, self.cursors)
        page = await variants.list_variants(self.database, product_id, query, self.totals)
        render_page(req, resp, query, page.map(public_variant), self.cursors)

    @documented(
        Operation(
            "createVariant",
            "Add a variant to a product (admins)",
            description="It names one value of each of the product's options; its first stock is a movement.",
            body=VariantCreate,
            answers={
                201: Answer("The new variant.", VariantBody, ("Location",)),
                403: FORBIDDEN,
                404: NO_SUCH_PRODUCT,
                409: problem("The SKU is taken, or an active variant has the same values."),
            },
        )
    )
    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, product_id: int) -> None:
        require_admin(req)
        new = await parse_body(req, VariantCreate)
        variant = await variants.add_variant(self.database, product_id, new, self.clock(), self.currency)
        resp.status = 201
        resp.location = absolute(req, f"/products/{product_id}/variants/{variant.id}")
        resp.data = codec.dumps(public_variant(variant))


class Variant:
    """`/products/{product_id}/variants/{variant_id}`: read, change and delete (or archive) a variant."""

    def __init__(self, database: Database, clock: Clock, currency: str, *, public: bool) -> None:
        self.database = database
        self.clock = clock
        self.currency = currency
        self.anonymous = frozenset({"GET"}) if public else frozenset()

    @documented(
        Operation(
            "getVariant",
            "Read a variant",
            answers={200: Answer("The variant.", VariantBody), 404: NO_SUCH_VARIANT},
        )
    )
    async def on_get(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, product_id: int, variant_id: int
    ) -> None:
        variant = await variants.read_variant(self.database, product_id, variant_id)
        resp.data = codec.dumps(public_variant(variant))

    @documented(
        Operation(
            "updateVariant",
            "Change a variant (admins)",
            description="Any of sku, options, price, stock, position and images; at least one. "
            "A new stock is a movement of the difference.",
            body=VariantUpdate,
            answers={
                200: Answer("The variant as changed.", VariantBody),
                403: FORBIDDEN,
                404: NO_SUCH_VARIANT,
                409: problem("The SKU is taken, or another active variant has the same values."),
            },
        )
    )
    async def on_patch(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, product_id: int, variant_id: int
    ) -> None:
        require_admin(req)
        changes = await parse_body(req, VariantUpdate)
        variant = await variants.update_variant(
            self.database, product_id, variant_id, changes, self.clock(), self.currency
        )
        resp.data = codec.dumps(public_variant(variant))

    @documented(
        Operation(
            "deleteVariant",
            "Take a variant out of the catalogue (admins)",
            description="A variant that was ever ordered is archived: orders for it are refused at their line, "
            "and the lines that sold it stay as sold. One never ordered is deleted.",
            answers={
                204: Answer("Deleted or archived."),
                403: FORBIDDEN,
                404: NO_SUCH_VARIANT,
                409: problem("It is the product's last active variant."),
            },
        )
    )
    async def on_delete(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, product_id: int, variant_id: int
    ) -> None:
        require_admin(req)
        await variants.delete_variant(self.database, product_id, variant_id, self.clock(), self.currency)
        resp.status = 204


class StockMovements:
    """`/products/{product_id}/variants/{variant_id}/stock-movements`: a variant's ledger (admins)."""

    def __init__(self, database: Database, totals: Totals, cursors: CursorSeal) -> None:
        self.database = database
        self.totals = totals
        self.cursors = cursors

    @documented(
        Operation(
            "listStockMovements",
            "List a variant's stock movements (admins)",
            description="Newest first. Every change of the variant's stock is one, written with the change: "
            "they add up to its stock. Archived variants keep theirs.",
            query=MovementList,
            answers={
                200: Answer("A page of movements.", Listing[MovementBody], ("X-Total-Count", "Link")),
                403: FORBIDDEN,
                404: NO_SUCH_VARIANT,
            },
        )
    )
    async def on_get(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, product_id: int, variant_id: int
    ) -> None:
        require_admin(req)
        query = parse_query(req, MovementList, self.cursors)
        page = await variants.list_movements(self.database, product_id, variant_id, query, self.totals)
        render_page(req, resp, query, page.map(public_movement), self.cursors)
