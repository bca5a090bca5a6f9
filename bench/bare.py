"""The ceiling: a bare Falcon ASGI app doing the least each scenario needs.

`shop bench` serves it with the same uvicorn settings as `shop serve`, in the
same run, so every figure of the shop also reads as a share of what Falcon,
joserfc and the database driver can do on this machine:

- GET /fixed: a constant JSON body, no token asked.
- GET /products/{id}: a middleware verifies the HS256 token with joserfc; the
  responder reads one row by primary key (aiosqlite, or asyncpg on
  PostgreSQL) and answers it as JSON.
- Any other path without a token: the same middleware refuses it with
  Falcon's own 401 (the bench asks GET /refused).
- POST /webhook: no token; checks a Stripe-Signature (HMAC-SHA256 of
  "{t}.{body}" under BENCH_STRIPE_SECRET), reads the event's id, and inserts
  it once (one write, committed) before answering.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Any

import falcon
import falcon.asgi
import orjson
from joserfc import jwt
from joserfc.jwk import OctKey

KEY = OctKey.import_key(os.environ["SECRET_KEY"])
STRIPE_SECRET = os.environ.get("BENCH_STRIPE_SECRET", "whsec_bench").encode()
EVENTS_TABLE = "CREATE TABLE IF NOT EXISTS bare_events (event_id TEXT PRIMARY KEY)"
DATABASE = os.environ["BENCH_BARE_DATABASE"]  # a SQLite file path, or a postgresql:// URL
ROW = "SELECT id, name, description, price_cents, slug, created_at, updated_at FROM products WHERE id = "


class Store:
    """One aiosqlite connection, or an asyncpg pool, opened at startup."""

    def __init__(self) -> None:
        self.sqlite: Any = None
        self.pool: Any = None

    async def process_startup(self, scope: Any, event: Any) -> None:
        if DATABASE.startswith("postgresql"):
            import asyncpg

            self.pool = await asyncpg.create_pool(DATABASE, min_size=4, max_size=10)
            await self.pool.execute(EVENTS_TABLE)
        else:
            import aiosqlite

            self.sqlite = await aiosqlite.connect(DATABASE)
            await self.sqlite.execute(EVENTS_TABLE)
            await self.sqlite.commit()

    async def claim(self, event_id: str) -> None:
        if self.pool is not None:
            await self.pool.execute("INSERT INTO bare_events VALUES ($1) ON CONFLICT DO NOTHING", event_id)
            return
        await self.sqlite.execute("INSERT INTO bare_events VALUES (?) ON CONFLICT DO NOTHING", (event_id,))
        await self.sqlite.commit()

    async def row(self, product_id: int) -> Any:
        if self.pool is not None:
            return await self.pool.fetchrow(ROW + "$1", product_id)
        async with self.sqlite.execute(ROW + "?", (product_id,)) as cursor:
            return await cursor.fetchone()


class Fixed:
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.data = b'{"status":"ok"}'


class BearerToken:
    """The least a Falcon app does to ask for a token: check it before routing."""

    async def process_request(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        if req.path in ("/fixed", "/webhook"):
            return
        header = req.get_header("Authorization")
        if header is None:
            raise falcon.HTTPUnauthorized(challenges=["Bearer"])
        try:
            token = jwt.decode(header.removeprefix("Bearer "), KEY, algorithms=["HS256"])
            jwt.JWTClaimsRegistry(exp={"essential": True}).validate(token.claims)
        except Exception:
            raise falcon.HTTPUnauthorized(challenges=["Bearer"]) from None


class Product:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, product_id: int) -> None:
        row = await self.store.row(product_id)
        if row is None:
            raise falcon.HTTPNotFound()
        resp.data = orjson.dumps(
            {
                "id": row[0],
                "name": row[1],
                "description": row[2],
                "price": f"{row[3] // 100}.{row[3] % 100:02d}",
                "slug": row[4],
                "created_at": str(row[5]),
                "updated_at": str(row[6]),
            }
        )


class Webhook:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        body = await req.stream.read()
        parts = dict(
            part.split("=", 1) for part in (req.get_header("Stripe-Signature") or "").split(",") if "=" in part
        )
        expected = hmac.new(STRIPE_SECRET, parts.get("t", "").encode() + b"." + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, parts.get("v1", "")):
            raise falcon.HTTPBadRequest()
        await self.store.claim(orjson.loads(body)["id"])
        resp.data = b'{"received":true}'


def create() -> falcon.asgi.App:  # type: ignore[type-arg]
    store = Store()
    middleware: list[Any] = [store, BearerToken()]
    app = falcon.asgi.App(middleware=middleware)
    app.add_route("/fixed", Fixed())
    app.add_route("/products/{product_id:int}", Product(store))
    app.add_route("/webhook", Webhook(store))
    return app


app = create()
