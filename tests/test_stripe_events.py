"""Reading Stripe's events: whatever a signed body holds, the shop either
refuses it as not an event (400) or reads an Event whose every text is one the
databases can store, and whose money is whole positive cents."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.kernel.money import MAX_CENTS
from shop.payments.provider import BadDelivery, Event
from shop.payments.stripe import event_from
from tests.test_stripe_signatures import NOW, SECRET, stripe_header

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([MAX_CENTS, MAX_CENTS + 1, 2**63, 2**64])
    | st.floats(allow_nan=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=20), inner, max_size=4),
    max_leaves=20,
)
KINDS = st.sampled_from(["payment_intent.succeeded", "charge.refunded", "customer.created"]) | st.text(max_size=300)


def read(document: Any) -> Event:
    body = json.dumps(document).encode()
    return event_from(body, stripe_header(body), SECRET, now=NOW)


def storable(text: str) -> bool:
    return 0 < len(text) <= 500 and text.isprintable()


@given(
    event_id=st.text(max_size=300) | json_values,
    kind=KINDS,
    item=st.dictionaries(
        st.sampled_from(
            ["id", "amount_received", "currency", "metadata", "payment_intent", "amount_refunded", "refunds"]
        ),
        json_values,
    ),
)
def test_any_signed_body_is_refused_or_read_into_what_can_be_stored(event_id: Any, kind: str, item: Any) -> None:
    try:
        event = read({"id": event_id, "object": "event", "type": kind, "data": {"object": item}})
    except BadDelivery:
        return
    assert storable(event.id) and len(event.id) <= 255 and storable(event.type) and len(event.type) <= 255
    if event.received is not None:
        assert storable(event.received.reference) and len(event.received.reference) <= 255
        assert isinstance(event.received.amount_cents, int) and 0 < event.received.amount_cents <= MAX_CENTS
        assert event.received.currency.isalpha() and len(event.received.currency) == 3
    if event.refunded is not None:
        assert 0 <= event.refunded.total_cents <= MAX_CENTS
        for refund in event.refunded.refunds:
            assert storable(refund.reference) and len(refund.reference) <= 255
            assert 0 < refund.amount_cents <= MAX_CENTS and storable(refund.reason)


@pytest.mark.parametrize(
    "document",
    [
        [],
        {"type": "payment_intent.succeeded", "data": {}},  # no id
        {"id": "evt_1", "data": {}},  # no type
        {"id": "evt_1", "type": "payment_intent.succeeded"},  # no data
        {"id": "evt_\x00", "type": "payment_intent.succeeded", "data": {}},
        {"id": "evt_1", "type": "payment\x00intent.succeeded", "data": {}},
        {"id": "evt_1", "type": "x" * 256, "data": {}},
    ],
)
def test_a_body_that_is_no_event_is_refused(document: Any) -> None:
    with pytest.raises(BadDelivery):
        read(document)


def test_a_payment_intent_names_its_order_in_metadata() -> None:
    intent = {"id": "pi_1", "amount_received": 3998, "currency": "usd", "metadata": {"order_id": "42"}}
    event = read({"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": intent}})
    assert event.received is not None
    assert (event.received.order_id, event.received.amount_cents, event.received.currency) == (42, 3998, "USD")


@pytest.mark.parametrize(
    "change",
    [
        {"currency": "u\x00d"},
        {"amount_received": 0},
        {"amount_received": MAX_CENTS + 1},
        {"amount_received": 2**64},
        {"amount_received": 19.99},
        {"amount_received": True},
        {"id": ""},
    ],
)
def test_a_payment_intent_the_shop_cannot_read_needs_attention(change: dict[str, Any]) -> None:
    intent = {"id": "pi_1", "amount_received": 3998, "currency": "usd", "metadata": {"order_id": "42"}, **change}
    event = read({"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": intent}})
    assert event.received is None and event.attention


@pytest.mark.parametrize(
    ("reason", "recorded"),
    [("duplicate", "refunded in Stripe (duplicate)"), ("x\x00", "refunded in Stripe"), (None, "refunded in Stripe")],
)
def test_a_refund_keeps_stripes_reason_when_it_is_one_of_stripes(reason: str | None, recorded: str) -> None:
    refund = {"id": "re_1", "amount": 100, "status": "succeeded", "reason": reason}
    charge = {"id": "ch_1", "payment_intent": "pi_1", "amount_refunded": 100, "refunds": {"data": [refund]}}
    event = read({"id": "evt_1", "type": "charge.refunded", "data": {"object": charge}})
    assert event.refunded is not None and [r.reason for r in event.refunded.refunds] == [recorded]


def test_failed_refunds_gave_nothing_back() -> None:
    refunds = [{"id": "re_1", "amount": 100, "status": "failed"}, {"id": "re_2", "amount": 50, "status": "succeeded"}]
    charge = {"id": "ch_1", "payment_intent": "pi_1", "amount_refunded": 50, "refunds": {"data": refunds}}
    event = read({"id": "evt_1", "type": "charge.refunded", "data": {"object": charge}})
    assert event.refunded is not None and [r.reference for r in event.refunded.refunds] == ["re_2"]
