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
"""

from __future__ import annotations

import os
from typing import Any

import falcon
import falcon.asgi
import orjson
from joserfc import jwt
from joserfc.jwk import OctKey

KEY = OctKey.import_key(os.environ["SECRET_KEY"])
DATABASE = os.environ["BENCH_BARE_DATABASE"]  # a SQLite file path, or a postgresql:// URL
ROW = "SELECT id, name, description, price_cents, stock, created_at, updated_at FROM products WHERE id = "


class Store:
    """One aiosqlite connection, or an asyncpg pool, opened at startup."""

    def __init__(self) -> None:
        self.sqlite: Any = None
        self.pool: Any = None

    async def process_startup(self, scope: Any, event: Any) -> None:
        if DATABASE.startswith("postgresql"):
            import asyncpg

            self.pool = await asyncpg.create_pool(DATABASE, min_size=4, max_size=10)
        else:
            import aiosqlite

            self.sqlite = await aiosqlite.connect(DATABASE)

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
        if req.path == "/fixed":
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
                "stock": row[4],
                "created_at": str(row[5]),
                "updated_at": str(row[6]),
            }
        )


def create() -> falcon.asgi.App:  # type: ignore[type-arg]
    store = Store()
    middleware: list[Any] = [store, BearerToken()]
    app = falcon.asgi.App(middleware=middleware)
    app.add_route("/fixed", Fixed())
    app.add_route("/products/{product_id:int}", Product(store))
    return app


app = create()
