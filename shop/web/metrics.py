"""`GET /metrics`: Prometheus text, from prometheus-client.

Each app has its own registry, so two apps in one process count apart. Under
`shop serve --workers N` the workers are separate processes: `shop serve`
points PROMETHEUS_MULTIPROC_DIR at a fresh folder before they start, each
worker's figures live in files there (prometheus-client's multiprocess mode,
chosen when the library is imported), and every worker answers with the sum.
"""

from __future__ import annotations

import bisect
import contextlib
import hmac
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import falcon.asgi
import falcon.constants
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.utils import floatToGoString

from shop.kernel.addresses import on_this_machine
from shop.web.openapi import Answer, Operation, documented, problem, route_path
from shop.web.problems import unauthorized

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# A path that matched no route: counted under this, never under the raw path
# (every id, every probe for /wp-admin would otherwise be a new series).
UNMATCHED = "unmatched"
LABELS = ("method", "route", "status")
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
REQUESTS = ("shop_http_requests_total", "HTTP requests answered.")
LATENCY = ("shop_http_request_duration_seconds", "Time to answer an HTTP request, in seconds.")


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


class _Tally:
    """One series of requests, counted in plain memory: count, seconds summed
    and how many fell in each latency bucket (the last: above them all)."""

    __slots__ = ("buckets", "count", "seconds")

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.buckets = [0] * (len(LATENCY_BUCKETS) + 1)

    def observe(self, seconds: float) -> None:
        self.count += 1
        self.seconds += seconds
        self.buckets[bisect.bisect_left(LATENCY_BUCKETS, seconds)] += 1


class _Tallies:
    """The request figures of a single process, read at a scrape as prometheus-client's
    Counter and Histogram would show them. Every request adds to them, and theirs
    take a lock for each figure: three per request, a few microseconds."""

    def __init__(self) -> None:
        self.series: dict[tuple[str, str, str], _Tally] = {}

    def series_of(self, labels: tuple[str, str, str]) -> Callable[[float], None]:
        tally = self.series[labels] = _Tally()
        return tally.observe

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(*REQUESTS, labels=LABELS)
        latency = HistogramMetricFamily(*LATENCY, labels=LABELS)
        bounds = [*map(floatToGoString, LATENCY_BUCKETS), "+Inf"]
        for labels, tally in list(self.series.items()):
            requests.add_metric(labels, tally.count)
            cumulative, below = [], 0
            for bound, count in zip(bounds, tally.buckets, strict=True):
                below += count
                cumulative.append((bound, below))
            latency.add_metric(labels, cumulative, tally.seconds)
        yield requests
        yield latency


class _SharedSeries:
    """The request figures of a worker among several: prometheus-client's own
    metrics, whose multiprocess mode writes them where every worker reads them."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(*REQUESTS, LABELS, registry=registry)
        self.latency = Histogram(*LATENCY, LABELS, buckets=LATENCY_BUCKETS, registry=registry)

    def series_of(self, labels: tuple[str, str, str]) -> Callable[[float], None]:
        count, latency = self.requests.labels(*labels), self.latency.labels(*labels)

        def observe(seconds: float) -> None:
            count.inc()
            latency.observe(seconds)

        return observe


class Metrics:
    """The shop's counters and histograms, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._requests: _Tallies | _SharedSeries
        if os.environ.get(MULTIPROCESS_DIR):  # prometheus-client chose its multiprocess mode
            self._requests = _SharedSeries(self.registry)
        else:
            self._requests = _Tallies()
            self.registry.register(self._requests)
        self.orders_created = Counter("shop_orders_created_total", "Orders placed.", registry=self.registry)
        self.login_failures = Counter(
            "shop_login_failures_total", "Logins refused for a wrong username or password.", registry=self.registry
        )
        # Each request's series, found once (finding it costs more than the counting).
        self._series: dict[tuple[str, str | None, int], Callable[[float], None]] = {}

    def observe(self, method: str, route: str | None, status: int, seconds: float) -> None:
        # Neither a series nor a cache entry per made-up method: routes and statuses are few.
        known = method if method in falcon.constants.COMBINED_METHODS else "other"
        series = self._series.get((known, route, status))
        if series is None:
            labels = (known, route_path(route) if route else UNMATCHED, str(status))
            series = self._series[(known, route, status)] = self._requests.series_of(labels)
        series(seconds)

    def exposition(self) -> bytes:
        folder = os.environ.get(MULTIPROCESS_DIR)
        if folder:
            combined = CollectorRegistry()
            combined.register(_EveryWorker(folder))
            return generate_latest(combined)
        return generate_latest(self.registry)


class _EveryWorker:
    """Every worker's figures, merged as prometheus-client's MultiProcessCollector
    merges them, less the files still empty: a worker creates its file before it
    sizes it, and reading one in that moment fails (prometheus/client_python#1199).
    An empty file holds no figure yet."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)

    def collect(self) -> Iterable[Metric]:
        files = []
        for path in self.folder.glob("*.db"):
            with contextlib.suppress(OSError):  # gone: its worker's figures went with it
                if path.stat().st_size > 0:
                    files.append(str(path))
        merged: Iterable[Metric] = MultiProcessCollector.merge(files, accumulate=True)  # type: ignore[no-untyped-call]
        return merged


class MetricsEndpoint:
    """`/metrics`, for the Prometheus server that scrapes it: the figures are
    the operator's, so only the machine itself may read them, or a scraper
    that sends METRICS_TOKEN as a bearer token (not a user's token)."""

    public = frozenset({"GET"})

    def __init__(self, metrics: Metrics, token: str | None) -> None:
        self.metrics = metrics
        self.token = token

    def _allowed(self, req: falcon.asgi.Request) -> bool:
        if on_this_machine(req.remote_addr):
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
