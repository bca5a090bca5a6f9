"""`GET /openapi.json`, `GET /docs` and `GET /redoc`: the API describing itself, offline.

Swagger UI's files come from the swagger-ui-py package (Swagger UI 5, which
reads OpenAPI 3.1). ReDoc has no such package: its standalone bundle (ReDoc
2.5.4, `bundles/redoc.standalone.js` of npm's `redoc`, MIT) is kept as it was
published in `docs_assets/redoc/`. The shop serves both itself: no CDN, no
internet.
"""

from __future__ import annotations

import base64
import importlib.metadata
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import falcon.asgi

from shop.kernel import codec
from shop.kernel.about import DISTRIBUTION
from shop.web import openapi
from shop.web.openapi import Answer, Operation, documented
from shop.web.urls import absolute

SHOP_ASSETS = Path(__file__).parent / "docs_assets"
_CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml"}

DESCRIPTION = """\
A fast, asynchronous e-commerce API: users and their roles, a catalogue, orders that
never oversell, payments and refunds (recorded by hand or from Stripe's webhook), and
every change told in order, in an event feed and to signed webhooks.

Log in with `POST /login`, then send the `access_token` as `Authorization: Bearer <token>`
(in Swagger UI at `/docs`, "Authorize" takes it; ReDoc at `/redoc` is for reading).
Errors are RFC 9457 problem details with a `request_id`; money is a decimal string with
two fraction digits; lists page with `page`/`per_page` or with the `next_cursor` they
return; an `Idempotency-Key` makes placing an order, a payment or a refund safe to retry.
"""

# The page runs Swagger UI's own files and the shop's init.js, no inline script;
# Swagger UI draws some icons from data: URIs and fetches the document (self).
_PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_PAGE = b"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>shop API</title>
<link rel="stylesheet" href="docs/swagger-ui/swagger-ui.css">
<link rel="icon" type="image/svg+xml" href="docs/shop/favicon.svg">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui/swagger-ui-bundle.js"></script>
<script src="docs/shop/init.js"></script>
</body>
</html>
"""


def swagger_ui_files() -> Path:
    """swagger-ui-py's static folder, found without importing the package (and its template engine)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


class OpenAPIDocument:
    """`/openapi.json`: built on first use from the app's routes, then served from memory."""

    public = frozenset({"GET"})

    def __init__(self, routes: Callable[[], list[tuple[str, object]]]) -> None:
        self.routes = routes
        self._document: dict[str, Any] | None = None
        self._bodies: dict[str, bytes] = {}  # by mount prefix, which the document names as its server

    @documented(
        Operation(
            "openapi",
            "This document",
            answers={200: Answer("The OpenAPI 3.1 document.", {"type": "object"})},
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        body = self._bodies.get(req.root_path)
        if body is None:
            if self._document is None:
                package = importlib.metadata.metadata(DISTRIBUTION)
                self._document = openapi.build(
                    self.routes(),
                    title="shop",
                    version=package["Version"],
                    description=DESCRIPTION,
                    license=package["License-Expression"],
                )
            if len(self._bodies) >= 16:  # prefixes come from the host's routing; stay bounded anyway
                self._bodies.clear()
            body = self._bodies[req.root_path] = codec.dumps(
                {**self._document, "servers": [{"url": req.root_path or "/"}]}
            )
        resp.data = body


class SwaggerUI:
    """`/docs`: Swagger UI on /openapi.json."""

    public = frozenset({"GET"})

    @documented(
        Operation(
            "docs",
            "Swagger UI for this API",
            answers={200: Answer("An HTML page.", {"type": "string"}, media_type="text/html")},
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.content_type = "text/html; charset=utf-8"
        resp.set_header("Content-Security-Policy", _PAGE_POLICY)
        resp.data = _PAGE


# ReDoc writes its styles into style elements and runs its search in a worker
# it makes from a blob: both allowed, and still nothing from elsewhere.
_REFERENCE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; worker-src blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_REFERENCE_PAGE = b"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>shop API reference</title>
<link rel="icon" type="image/svg+xml" href="docs/shop/favicon.svg">
</head>
<body>
<div id="redoc"></div>
<script src="docs/shop/redoc.standalone.js"></script>
<script src="docs/shop/redoc-init.js"></script>
</body>
</html>
"""


class ReDoc:
    """`/redoc`: the API as a reference to read, by ReDoc, on /openapi.json."""

    public = frozenset({"GET"})

    @documented(
        Operation(
            "redoc",
            "ReDoc reference for this API",
            answers={200: Answer("An HTML page.", {"type": "string"}, media_type="text/html")},
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.content_type = "text/html; charset=utf-8"
        resp.set_header("Content-Security-Policy", _REFERENCE_POLICY)
        resp.data = _REFERENCE_PAGE


class DocsFiles:
    """`/docs/swagger-ui/{name}` and `/docs/shop/{name}`: the files the two
    pages load, to GET and HEAD, and nothing else of their packages (Swagger
    UI's also holds an editor, source maps and an OAuth redirect page)."""

    public = frozenset({"GET", "HEAD"})

    def __init__(self, files: dict[str, Path], rewrites: dict[str, tuple[bytes, bytes]] | None = None) -> None:
        self.files = files
        self.rewrites = rewrites or {}  # by name: what the file says, and what is served instead
        self._read: dict[str, bytes] = {}  # a few files, read once

    @classmethod
    def swagger_ui(cls) -> DocsFiles:
        folder = swagger_ui_files()
        return cls({name: folder / name for name in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png")})

    @classmethod
    def shop(cls) -> DocsFiles:
        return cls(
            {
                "init.js": SHOP_ASSETS / "init.js",
                "redoc-init.js": SHOP_ASSETS / "redoc-init.js",
                "redoc.standalone.js": SHOP_ASSETS / "redoc" / "redoc.standalone.js",
                "favicon.svg": SHOP_ASSETS / "favicon.svg",
            },
            # ReDoc's sidebar shows Redocly's logo from their CDN, which the page's policy (and a
            # machine off the internet) refuses: a console error on every visit. The same place
            # shows the shop's own icon, from a data: URI the policy allows.
            rewrites={"redoc.standalone.js": (REDOC_LOGO, _icon_data_uri().encode())},
        )

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, name: str) -> None:
        path = self.files.get(name)
        if path is None:
            raise falcon.HTTPNotFound()
        data = self._read.get(name)
        if data is None:
            data = path.read_bytes()
            if name in self.rewrites:
                said, served = self.rewrites[name]
                data = data.replace(said, served)
            self._read[name] = data
        resp.content_type = _CONTENT_TYPES[path.suffix]
        resp.data = data

    on_head = on_get


REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"


def _icon_data_uri() -> str:
    return "data:image/svg+xml;base64," + base64.b64encode((SHOP_ASSETS / "favicon.svg").read_bytes()).decode()


class Favicon:
    """`/favicon.ico`, which every browser asks for: the shop's icon (an SVG, as browsers take it)."""

    public = frozenset({"GET", "HEAD"})

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.content_type = "image/svg+xml"
        resp.cache_control = ["public", "max-age=86400"]
        resp.data = (SHOP_ASSETS / "favicon.svg").read_bytes()

    on_head = on_get


class Root:
    """`/`: where a person who opens the shop in a browser starts, the documentation."""

    public = frozenset({"GET"})

    @documented(
        Operation(
            "root",
            "Where to start: redirects to the documentation at /docs",
            answers={302: Answer("To /docs.", None, ("Location",))},
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        raise falcon.HTTPFound(absolute(req, "/docs"))


class ToPage:
    """`/docs/` and `/redoc/`: the pages' addresses with a trailing slash, where
    the pages' relative links would miss; sent on, for good, to the page."""

    public = frozenset({"GET", "HEAD"})

    def __init__(self, page: str) -> None:
        self.page = page

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        raise falcon.HTTPMovedPermanently(absolute(req, self.page))

    on_head = on_get
