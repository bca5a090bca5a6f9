"""What the metrics keep in memory stays bounded, whatever clients send."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shop.metrics import Metrics

methods = st.text(alphabet=st.characters(min_codepoint=ord("A"), max_codepoint=ord("Z")), min_size=1, max_size=20)


@given(st.lists(methods, min_size=1, max_size=200))
def test_made_up_methods_do_not_grow_the_series_kept(sent: list[str]) -> None:
    metrics = Metrics()
    for method in sent:
        metrics.observe(method, "/health", 405, 0.001)
    known = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"}
    assert len(metrics._series) <= len(set(sent) & known) + 1
