"""Steps about GET /metrics: samples read with Prometheus' own text parser."""

from __future__ import annotations

import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from pytest_bdd import given, parsers, then, when
from sqlalchemy.engine import URL

from steps.grammar import step
from steps.http import Exchange, start_shop, test_settings
from steps.shop_client import InProcessShop


def samples(text: str) -> dict[str, float]:
    """Every sample as `name{label="value",...}` (labels sorted) -> value."""
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{name}="{value}"' for name, value in sorted(sample.labels.items()))
            found[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return found


@then(parsers.re(r"the metric [\"'](?P<sample>.+)[\"'] is (?P<value>\d+)$"))
def metric_is(exchange: Exchange, sample: str, value: str) -> None:
    found = samples(exchange.last.text)
    assert found.get(sample) == int(value), {name: v for name, v in found.items() if name.startswith(sample[:20])}


@then(step('the metrics do not mention "{text:q}"'))
def metrics_do_not_mention(exchange: Exchange, text: str) -> None:
    assert text not in exchange.last.text


def _get(url: str) -> bytes:
    # A fresh connection each time, so the kernel may hand it to any worker.
    with urllib.request.urlopen(url, timeout=10) as response:
        body: bytes = response.read()
        return body


@when(step('{clients:d} clients at once send {count:d} requests for GET "{path:q}" to the server'))
def many_requests(server_holder: dict[str, Any], clients: int, count: int, path: str) -> None:
    url = server_holder["server"].url(path)
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(_get, [url] * count))


@then(
    parsers.re(
        r"each of (?P<times>\d+) answers of the server to GET \"/metrics\" says '(?P<sample>.+)' is (?P<value>\d+)$"
    )
)
def every_answer_says(server_holder: dict[str, Any], times: str, sample: str, value: str) -> None:
    url = server_holder["server"].url("/metrics")
    seen = [samples(_get(url).decode()).get(sample) for _ in range(int(times))]
    assert seen == [int(value)] * int(times), seen


@given(step('the shop\'s METRICS_TOKEN is "{token:q}"'), target_fixture="shop")
def metrics_token(request: pytest.FixtureRequest, database_url: URL, token: str) -> InProcessShop:
    return start_shop(request, test_settings(database_url, METRICS_TOKEN=token or None))


@when(
    parsers.re(
        r'a client at (?P<address>\S+) sends GET "(?P<path>[^"]+)" with (?P<credentials>no token|the token "[^"]*")'
    )
)
def send_from(exchange: Exchange, shop: InProcessShop, address: str, path: str, credentials: str) -> None:
    headers = {} if credentials == "no token" else {"Authorization": f"Bearer {credentials[11:-1]}"}
    exchange.response = shop.request("GET", path, headers=headers, remote_addr=address)
