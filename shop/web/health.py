"""Liveness and readiness, for load balancers and orchestrators."""

from __future__ import annotations

from typing import Literal, TypedDict

import falcon.asgi
from loguru import logger

from shop.kernel import codec
from shop.storage.database import Database
from shop.storage.migrate import head_revision
from shop.web.openapi import Answer, Operation, documented, problem
from shop.web.problems import Problem


class Alive(TypedDict):
    status: Literal["ok"]


class Serving(TypedDict):
    status: Literal["ready"]


BEHIND = "The database schema is not at the newest migration: run `shop migrate`."
ALIVE = Alive(status="ok")
SERVING = Serving(status="ready")
_OK = codec.dumps(ALIVE)
_READY = codec.dumps(SERVING)


class Health:
    """`GET /health`: the process is up. Touches nothing else."""

    public = frozenset({"GET"})

    @documented(Operation("health", "Is the process alive?", answers={200: Answer("Alive.", Alive, example=ALIVE)}))
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.data = _OK


class Ready:
    """`GET /ready`: 200 when the database answers at the newest migration, else 503."""

    public = frozenset({"GET"})

    def __init__(self, database: Database) -> None:
        self.database = database

    @documented(
        Operation(
            "ready",
            "Can the process serve? (does the database answer)",
            answers={
                200: Answer("Ready.", Serving, example=SERVING),
                503: problem("The database does not answer, or its schema is behind the shop's.", "Retry-After"),
            },
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        try:
            await self.database.ping()
            revision = await self.database.schema_revision()
        except Exception as error:  # any failure to answer means "not ready"
            logger.bind(request_id=req.context.request_id).warning("readiness check failed: {}", type(error).__name__)
            raise Problem(503, "The database does not answer.", headers={"Retry-After": "5"}) from None
        if revision != head_revision():
            raise Problem(503, BEHIND, headers={"Retry-After": "5"})
        resp.data = _READY
