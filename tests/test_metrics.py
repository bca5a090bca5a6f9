"""What the metrics keep in memory stays bounded, whatever clients send."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.web.metrics import LATENCY_BUCKETS, Metrics

methods = st.text(alphabet=st.characters(min_codepoint=ord("A"), max_codepoint=ord("Z")), min_size=1, max_size=20)


@given(st.lists(methods, min_size=1, max_size=200))
def test_made_up_methods_do_not_grow_the_series_kept(sent: list[str]) -> None:
    metrics = Metrics()
    for method in sent:
        metrics.observe(method, "/health", 405, 0.001)
    known = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"}
    assert len(metrics._series) <= len(set(sent) & known) + 1


def _samples(exposition: bytes) -> set[str]:
    """The sample lines of a Prometheus text exposition, less `_created` (a time stamp)."""
    lines = exposition.decode().splitlines()
    return {line for line in lines if line and not line.startswith("#") and "_created" not in line}


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["GET", "POST"]),
            st.sampled_from(["/health", "/products/{product_id}", None]),
            st.sampled_from([200, 401, 404]),
            st.sampled_from(LATENCY_BUCKETS) | st.floats(min_value=0, max_value=20, allow_nan=False),
        ),
        max_size=60,
    )
)
def test_the_request_figures_are_what_prometheus_own_counter_and_histogram_say(
    requests: list[tuple[str, str | None, int, float]],
) -> None:
    """The figures a request adds are kept in plain memory (cheap on every request)
    and must read, at a scrape, exactly as prometheus-client's own metrics would."""
    from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

    from shop.web.metrics import LABELS, UNMATCHED

    reference = CollectorRegistry()
    count = Counter("shop_http_requests_total", "HTTP requests answered.", LABELS, registry=reference)
    latency = Histogram(
        "shop_http_request_duration_seconds",
        "Time to answer an HTTP request, in seconds.",
        LABELS,
        buckets=LATENCY_BUCKETS,
        registry=reference,
    )
    metrics = Metrics()
    for method, route, status, seconds in requests:
        metrics.observe(method, route, status, seconds)
        labels = (method, route or UNMATCHED, str(status))
        count.labels(*labels).inc()
        latency.labels(*labels).observe(seconds)
    expected = _samples(generate_latest(reference))
    actual = {line for line in _samples(metrics.exposition()) if line.startswith("shop_http_")}
    assert actual == expected


def test_a_scrape_while_another_worker_makes_its_file_still_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With several workers, each keeps its figures in a file of its own, which it
    creates before it sizes it (prometheus/client_python#1199). A scrape that finds
    a file still empty leaves it out, rather than failing with a 500."""
    from prometheus_client.values import MultiProcessValue

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    worker = MultiProcessValue(process_identifier=lambda: 4241)  # type: ignore[no-untyped-call]
    orders = worker("counter", "shop_orders_created", "shop_orders_created_total", (), (), "Orders placed.")
    orders.inc(3)
    (tmp_path / "counter_4242.db").touch()  # another worker's, created a moment ago

    assert "shop_orders_created_total 3.0" in Metrics().exposition().decode()
