"""`GET /metrics`: Prometheus text, from prometheus-client.

Each app has its own registry, so two apps in one process count apart. Under
`shop serve --workers N` the workers are separate processes: `shop serve`
points PROMETHEUS_MULTIPROC_DIR at a fresh folder before they start, each
worker's figures live in files there (prometheus-client's multiprocess mode,
chosen when the library is imported), and every worker answers with the sum.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import falcon.asgi
import falcon.constants
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from shop.openapi import Answer, Operation, documented, problem, route_path
from shop.problems import unauthorized

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# A path that matched no route: counted under this, never under the raw path
# (every id, every probe for /wp-admin would otherwise be a new series).
UNMATCHED = "unmatched"
LABELS = ("method", "route", "status")


@contextmanager
def shared_by_workers() -> Iterator[None]:
    """For `shop serve`: a fresh folder for the workers' figures,
    named to them in the environment they inherit and removed when serving
    ends. A folder the operator named in PROMETHEUS_MULTIPROC_DIR is used
    instead, emptied of the last run's files first."""
    named = os.environ.get(MULTIPROCESS_DIR)
    if named:
        Path(named).mkdir(parents=True, exist_ok=True)
        for stale in Path(named).glob("*.db"):
            stale.unlink()
        yield
        return
    folder = tempfile.mkdtemp(prefix="shop-metrics-")
    os.environ[MULTIPROCESS_DIR] = folder
    try:
        yield
    finally:
        del os.environ[MULTIPROCESS_DIR]
        shutil.rmtree(folder, ignore_errors=True)


class Metrics:
    """The shop's counters and histograms, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("shop_http_requests_total", "HTTP requests answered.", LABELS, registry=self.registry)
        self.latency = Histogram(
            "shop_http_request_duration_seconds",
            "Time to answer an HTTP request, in seconds.",
            LABELS,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
            registry=self.registry,
        )
        self.orders_created = Counter("shop_orders_created_total", "Orders placed.", registry=self.registry)
        self.login_failures = Counter(
            "shop_login_failures_total", "Logins refused for a wrong username or password.", registry=self.registry
        )
        # Each request's series, found once (labels() costs more than the counting).
        self._series: dict[tuple[str, str | None, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str | None, status: int, seconds: float) -> None:
        # Neither a series nor a cache entry per made-up method: routes and statuses are few.
        known = method if method in falcon.constants.COMBINED_METHODS else "other"
        series = self._series.get((known, route, status))
        if series is None:
            labels = (known, route_path(route) if route else UNMATCHED, str(status))
            series = self._series[(known, route, status)] = (
                self.requests.labels(*labels),
                self.latency.labels(*labels),
            )
        series[0].inc()
        series[1].observe(seconds)

    def exposition(self) -> bytes:
        if os.environ.get(MULTIPROCESS_DIR):
            combined = CollectorRegistry()
            MultiProcessCollector(combined)  # type: ignore[no-untyped-call]
            return generate_latest(combined)
        return generate_latest(self.registry)


class MetricsEndpoint:
    """`/metrics`, for the Prometheus server that scrapes it: the figures are
    the operator's, so only the machine itself may read them, or a scraper
    that sends METRICS_TOKEN as a bearer token (not a user's token)."""

    public = frozenset({"GET"})

    def __init__(self, metrics: Metrics, token: str | None) -> None:
        self.metrics = metrics
        self.token = token

    def _allowed(self, req: falcon.asgi.Request) -> bool:
        with contextlib.suppress(ValueError):
            if ipaddress.ip_address(req.remote_addr).is_loopback:
                return True
        if self.token is None:
            raise falcon.HTTPNotFound()  # nothing here for a stranger to try
        sent = (req.auth or "").encode()
        return hmac.compare_digest(sent, f"Bearer {self.token}".encode())

    @documented(
        Operation(
            "metrics",
            "Metrics for Prometheus",
            description="Requests by route template, method and status (count and latency histogram), "
            "orders created, failed logins; summed over all workers.",
            answers={
                200: Answer("Prometheus text format.", {"type": "string"}, media_type=CONTENT_TYPE_LATEST),
                401: problem("Not from this machine, and not the METRICS_TOKEN.", "WWW-Authenticate"),
                404: problem("Not from this machine, and no METRICS_TOKEN is set."),
            },
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        if not self._allowed(req):
            raise unauthorized("The metrics are for this machine, or for a bearer of METRICS_TOKEN.")
        resp.content_type = CONTENT_TYPE_LATEST
        resp.data = self.metrics.exposition()
