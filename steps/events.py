"""Steps about the event feed: reading it as a consumer does, and what it shows."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when

from steps.expiry import sweep
from steps.grammar import step
from steps.http import Exchange, FakeClock, send
from steps.ordering import sets_status, token_of
from steps.shop_client import InProcessShop


@pytest.fixture
def feed() -> list[dict[str, Any]]:
    """The events the scenario's consumer has read, oldest first."""
    return []


def read_feed(exchange: Exchange, shop: InProcessShop, username: str, query: str = "") -> list[dict[str, Any]]:
    exchange.token = token_of(exchange, shop, username)
    response = send(exchange, shop, "GET", f"/events?per_page=100{'&' + query if query else ''}")
    return list(response.json["items"]) if response.status_code == 200 else []


@given(step('"{username:q}" has read the event feed'))
@when(step('"{username:q}" reads the event feed'))
def reads_feed(exchange: Exchange, shop: InProcessShop, feed: list[dict[str, Any]], username: str) -> None:
    feed[:] = read_feed(exchange, shop, username)


@when(step('"{username:q}" reads the event feed with "{query:q}"'))
def reads_feed_with(
    exchange: Exchange, shop: InProcessShop, feed: list[dict[str, Any]], username: str, query: str
) -> None:
    feed[:] = read_feed(exchange, shop, username, query)


@when(step('"{username:q}" reads the events after the last one it has'))
def reads_after(exchange: Exchange, shop: InProcessShop, feed: list[dict[str, Any]], username: str) -> None:
    assert feed, "the consumer has no event yet"
    new = read_feed(exchange, shop, username, f"after={feed[-1]['id']}")
    assert exchange.last.status_code == 200, exchange.last.text
    if new:
        feed[:] = new
    else:
        feed.clear()


@when(parsers.re(r'(?:"(?P<username>[^"]+)"|the sweeper) cancels that order$'))
def cancels(exchange: Exchange, shop: InProcessShop, clock: FakeClock, placed: list[int], username: str | None) -> None:
    if username is None:
        sweep(shop, clock, timedelta(days=1))
    else:
        sets_status(exchange, shop, placed, username, "cancelled")
        assert exchange.last.status_code == 200, exchange.last.text


@when(step('the client follows next_cursor from GET "{path:q}" as "{username:q}"'), target_fixture="seen")
def walk_feed(exchange: Exchange, shop: InProcessShop, path: str, username: str) -> list[dict[str, Any]]:
    exchange.token = token_of(exchange, shop, username)
    seen: list[dict[str, Any]] = []
    response = send(exchange, shop, "GET", path)
    for _ in range(1000):
        assert response.status_code == 200, response.text
        seen += response.json["items"]
        if response.json["next_cursor"] is None:
            return seen
        response = send(exchange, shop, "GET", f"{path}&cursor={response.json['next_cursor']}")
    raise AssertionError("the cursor never ended")


# -- Then ---------------------------------------------------------------------


@then("the feed shows, oldest first:")
def feed_shows(feed: list[dict[str, Any]], datatable: list[list[str]]) -> None:
    """Each row: the event's type, then what its data says in the named fields (blank: not checked)."""
    header, *rows = datatable
    seen = [
        [
            event["type"],
            *("" if row[index] == "" else str(event["data"].get(name)) for index, name in enumerate(header) if index),
        ]
        for event, row in zip(feed, rows, strict=False)
    ]
    assert [event["type"] for event in feed] == [row[0] for row in rows], feed
    assert seen == rows, feed


@then("the feed is empty")
def feed_is_empty(exchange: Exchange, feed: list[dict[str, Any]]) -> None:
    assert exchange.last.status_code == 200, exchange.last.text
    assert feed == [], feed


@then(step('the feed has {count:d} "{kind:q}" event'))
@then(step('the feed has {count:d} "{kind:q}" events'))
def feed_counts(feed: list[dict[str, Any]], count: int, kind: str) -> None:
    assert [event["type"] for event in feed].count(kind) == count, feed


@then(step('the "{kind:q}" event\'s data is the answer that placed the order'))
def data_is_answer(exchange: Exchange, feed: list[dict[str, Any]], kind: str) -> None:
    placing = exchange.history[-1]
    assert placing.status_code == 201, placing.text
    [event] = [event for event in feed if event["type"] == kind]
    assert event["data"] == placing.json, (event, placing.json)


@then("every event has an id, a type and a created_at timestamp")
def events_are_whole(feed: list[dict[str, Any]]) -> None:
    assert feed
    for event in feed:
        assert set(event) == {"id", "type", "created_at", "data"}, event
        assert isinstance(event["id"], int) and event["id"] > 0
        assert event["created_at"].endswith("Z"), event
    ids = [event["id"] for event in feed]
    assert ids == sorted(ids) and len(set(ids)) == len(ids), ids


@then(step('the last event is "{kind:q}" with the cancel_reason "{reason:q}"'))
def last_event_reason(feed: list[dict[str, Any]], placed: list[int], kind: str, reason: str) -> None:
    last = feed[-1]
    assert (last["type"], last["data"]["id"], last["data"]["cancel_reason"]) == (kind, placed[-1], reason), last
    assert last["data"]["status"] == "cancelled", last


@then(step('the last event is "{kind:q}" for that order with the amount "{amount:q}"'))
def last_event_amount(feed: list[dict[str, Any]], placed: list[int], kind: str, amount: str) -> None:
    last = feed[-1]
    assert (last["type"], last["data"]["order_id"], last["data"]["amount"]) == (kind, placed[-1], amount), last


@then(parsers.re(r"no event mentions (?P<listed>.+)"))
def no_event_mentions(feed: list[dict[str, Any]], listed: str) -> None:
    """Secrets stay out of the feed: nothing of them in any event, in any case."""
    told = json.dumps(feed).lower()
    for text in re.findall(r'"([^"]*)"', listed):
        assert text.lower() not in told, text


@then(step("the walk saw {count:d} events, each once, oldest first"))
def walk_saw(seen: list[dict[str, Any]], count: int) -> None:
    ids = [event["id"] for event in seen]
    assert len(ids) == count and ids == sorted(set(ids)), ids
