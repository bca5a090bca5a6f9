"""Driving a shop in process: Falcon's ASGI conductor on one event loop per scenario."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from falcon.testing import ASGIConductor, Result


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

    def run[T](self, work: Coroutine[Any, Any, T]) -> T:
        return self._runner.run(work)

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        json: Any = None,
        token: str | None = None,
    ) -> Result:
        headers = dict(headers or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.run(self._conductor.simulate_request(method, path, headers=headers, body=body, json=json))

    def stop(self) -> None:
        if self.running:
            self.running = False
            self.run(self._conductor.__aexit__(None, None, None))

    def close(self) -> None:
        self.stop()
        self._runner.close()
