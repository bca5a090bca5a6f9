"""Liveness and readiness, for load balancers and orchestrators."""

from __future__ import annotations

import falcon.asgi
from loguru import logger

from shop import codec
from shop.database import Database
from shop.errors import Problem

_OK = codec.dumps({"status": "ok"})
_READY = codec.dumps({"status": "ready"})


class Health:
    """`GET /health`: the process is up. Touches nothing else."""

    anonymous = frozenset({"GET"})

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.data = _OK


class Ready:
    """`GET /ready`: 200 when the database answers, 503 when it does not."""

    anonymous = frozenset({"GET"})

    def __init__(self, database: Database) -> None:
        self.database = database

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        try:
            await self.database.ping()
        except Exception as error:  # any failure to answer means "not ready"
            logger.bind(request_id=req.context.request_id).warning("readiness check failed: {}", type(error).__name__)
            raise Problem(503, "The database does not answer.", headers={"Retry-After": "5"}) from None
        resp.data = _READY
