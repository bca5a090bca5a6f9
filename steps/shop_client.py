"""Driving a shop in process: Falcon's ASGI conductor on one event loop per scenario."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from falcon.testing import ASGIConductor, Result
from sqlalchemy.engine import Connection

from steps.conformance import DocumentedAnswers


class InProcessShop:
    """An ASGI app (a shop, or an app that mounts one) started with its lifespan.

    The event loop lives as long as the scenario, so the app's pooled database
    connections stay valid from one request to the next.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self._runner = asyncio.Runner()
        self._conductor = ASGIConductor(app)
        self._runner.run(self._conductor.__aenter__())
        self.running = True
        self.remembered: dict[str, int] = {}  # ids by name, kept after the rows are deleted
        self.documented = DocumentedAnswers(app)

    def run[T](self, work: Coroutine[Any, Any, T]) -> T:
        return self._runner.run(work)

    def in_database[T](self, work: Callable[[Connection], T]) -> T:
        """Run `work` (Core on a connection) in one of the app's own transactions:
        how scenarios set up rows and look at what a request left behind."""
        done: T = self.run(self.app.database.transaction(work))
        return done

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        json: Any = None,
        token: str | None = None,
        remote_addr: str | None = None,
    ) -> Result:
        headers = dict(headers or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        # Falcon's test client writes the Host header from its own `host` option.
        host = {"host": headers.pop("Host")} if "Host" in headers else {}
        request = self._conductor.simulate_request(
            method, path, headers=headers, body=body, json=json, remote_addr=remote_addr, **host
        )
        result = self.run(request)
        self.documented.check(method, path, result, own_host=bool(host))
        return result

    async def async_request(self, **request: Any) -> Result:
        """`request` (with `method` and `path`), for a step that runs it beside other work."""
        result: Result = await self._conductor.simulate_request(**request)
        self.documented.check(request["method"], request["path"], result, own_host=False)
        return result

    def at_once(self, requests: list[dict[str, Any]]) -> list[Result]:
        """Send `requests` (each `request`'s keyword arguments, with `method` and
        `path`) concurrently: on PostgreSQL their transactions truly overlap."""

        async def all_of() -> list[Result]:
            return list(await asyncio.gather(*(self._conductor.simulate_request(**one) for one in requests)))

        results = self.run(all_of())
        for one, result in zip(requests, results, strict=True):
            self.documented.check(one["method"], one["path"], result, own_host=False)
        return results

    def stop(self) -> None:
        if self.running:
            self.running = False
            self.run(self._conductor.__aexit__(None, None, None))

    def close(self) -> None:
        self.stop()
        self._runner.close()
