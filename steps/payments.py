"""Steps about payments: the ledger, money an admin records or gives back, and
Stripe's webhook deliveries, signed here exactly as Stripe signs them."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when
from sqlalchemy import func, select

from shop.storage.models import Payment
from steps.grammar import step
from steps.http import Exchange, FakeClock, send, start_shop
from steps.ordering import token_of
from steps.shop_client import InProcessShop

WEBHOOK = "/payments/stripe/webhook"


@given(step('the shop\'s Stripe webhook secret is "{secret:q}"'), target_fixture="shop")
def shop_with_stripe(
    request: pytest.FixtureRequest, shop: InProcessShop, clock: FakeClock, secret: str
) -> InProcessShop:
    """The scenario's shop, taking Stripe's events (its other settings kept)."""
    settings = shop.app.settings.model_copy(update={"STRIPE_WEBHOOK_SECRET": secret})
    return start_shop(request, settings, clock)


@given("a shop without a Stripe webhook secret", target_fixture="shop")
def shop_without_stripe(request: pytest.FixtureRequest, shop: InProcessShop, clock: FakeClock) -> InProcessShop:
    settings = shop.app.settings.model_copy(update={"STRIPE_WEBHOOK_SECRET": None})
    return start_shop(request, settings, clock)


# -- Stripe's deliveries ------------------------------------------------------


def stripe_signature(body: bytes, secret: str, at: int) -> str:
    """Stripe's scheme: v1 is HMAC-SHA256 of "{t}.{body}" under the endpoint's secret."""
    signed = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={signed}"


def stripe_event(event_id: str, kind: str, item: dict[str, Any]) -> dict[str, Any]:
    """An event as Stripe sends it to a webhook endpoint."""
    return {
        "id": event_id,
        "object": "event",
        "api_version": "2024-06-20",
        "created": 1764504000,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": kind,
        "data": {"object": item},
    }


def payment_intent(intent_id: str, amount: int, currency: str, order_id: int | None) -> dict[str, Any]:
    metadata = {} if order_id is None else {"order_id": str(order_id)}
    return {
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_received": amount,
        "currency": currency,
        "metadata": metadata,
        "status": "succeeded",
    }


def stripe_delivery(event: dict[str, Any], secret: str, at: int) -> tuple[bytes, dict[str, str]]:
    """The body and headers of a delivery of `event` that Stripe signed at `at` (unix seconds);
    also for the suites that deliver to a real `shop serve` (race, faults)."""
    body = json.dumps(event).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Stripe-Signature": stripe_signature(body, secret, at),
    }
    return body, headers


def signed_delivery(shop: InProcessShop, event: dict[str, Any]) -> dict[str, Any]:
    """A delivery as Stripe makes it now: the request's keyword arguments."""
    secret = shop.app.settings.STRIPE_WEBHOOK_SECRET
    body, headers = stripe_delivery(event, secret, int(shop.app.clock().timestamp()))
    return {"method": "POST", "path": WEBHOOK, "headers": headers, "body": body}


def deliver(
    exchange: Exchange,
    shop: InProcessShop,
    event: dict[str, Any],
    *,
    secret: str | None = None,
    age: timedelta = timedelta(0),
    tamper: bool = False,
    signed: bool = True,
) -> Any:
    body = json.dumps(event).encode()
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Stripe/1.0"}
    if signed:
        key = secret if secret is not None else shop.app.settings.STRIPE_WEBHOOK_SECRET
        headers["Stripe-Signature"] = stripe_signature(body, key, int((shop.app.clock() - age).timestamp()))
    if tamper:
        body = body.replace(b'"amount_received": ', b'"amount_received": 1')
    exchange.token = None
    return send(exchange, shop, "POST", WEBHOOK, headers=headers, body=body)


def order_named(placed: list[int], target: str) -> int | None:
    if target == "that order":
        return placed[-1]
    if target == "no order":
        return None
    return int(target.removeprefix("order "))


PAYMENT_EVENT = (
    r'Stripe (?:delivers|has delivered) "(?P<event_id>[^"]+)" payment_intent.succeeded of (?P<amount>\d+) '
    r'"(?P<currency>[a-z]+)" for (?P<target>that order|order \d+|no order) as "(?P<intent>[^"]+)"$'
)


@given(parsers.re(PAYMENT_EVENT))
@when(parsers.re(PAYMENT_EVENT))
def stripe_delivers_payment(
    exchange: Exchange,
    shop: InProcessShop,
    placed: list[int],
    log_records: list[dict[str, Any]],  # from before the delivery: what it logs is looked at
    event_id: str,
    amount: str,
    currency: str,
    target: str,
    intent: str,
) -> None:
    item = payment_intent(intent, int(amount), currency, order_named(placed, target))
    response = deliver(exchange, shop, stripe_event(event_id, "payment_intent.succeeded", item))
    assert response.status_code == 200, response.text


@when(parsers.re(PAYMENT_EVENT.removesuffix("$") + r" (?P<times>\d+) times at once$"), target_fixture="answers")
def stripe_delivers_at_once(
    shop: InProcessShop,
    placed: list[int],
    event_id: str,
    amount: str,
    currency: str,
    target: str,
    intent: str,
    times: str,
) -> list[Any]:
    item = payment_intent(intent, int(amount), currency, order_named(placed, target))
    return shop.at_once([signed_delivery(shop, stripe_event(event_id, "payment_intent.succeeded", item))] * int(times))


@when(parsers.re(PAYMENT_EVENT.removesuffix("$") + r" while the shop sweeps$"))
def stripe_delivers_while_sweeping(
    shop: InProcessShop,
    placed: list[int],
    event_id: str,
    amount: str,
    currency: str,
    target: str,
    intent: str,
) -> None:
    item = payment_intent(intent, int(amount), currency, order_named(placed, target))
    delivery = signed_delivery(shop, stripe_event(event_id, "payment_intent.succeeded", item))

    async def both() -> list[Any]:
        return list(await asyncio.gather(shop.app.sweeper.sweep_once(), shop.async_request(**delivery)))

    expired, answer = shop.run(both())
    assert answer.status_code == 200, answer.text
    assert expired in (0, 1)


@when(
    step(
        'Stripe delivers "{first:q}" for "{first_intent:q}" and "{second:q}" for "{second_intent:q}", '
        'each {amount:d} "{currency:q}" for that order, at once'
    ),
    target_fixture="answers",
)
def stripe_delivers_two_at_once(
    shop: InProcessShop,
    placed: list[int],
    first: str,
    first_intent: str,
    second: str,
    second_intent: str,
    amount: int,
    currency: str,
) -> list[Any]:
    deliveries = [
        signed_delivery(
            shop,
            stripe_event(event_id, "payment_intent.succeeded", payment_intent(intent, amount, currency, placed[-1])),
        )
        for event_id, intent in ((first, first_intent), (second, second_intent))
    ]
    return shop.at_once(deliveries)


@when(parsers.re(PAYMENT_EVENT.removesuffix("$") + r' while "(?P<admin>[^"]+)" cancels it$'))
def stripe_delivers_while_cancelling(
    exchange: Exchange,
    shop: InProcessShop,
    placed: list[int],
    event_id: str,
    amount: str,
    currency: str,
    target: str,
    intent: str,
    admin: str,
) -> None:
    item = payment_intent(intent, int(amount), currency, order_named(placed, target))
    cancel = {
        "method": "PATCH",
        "path": f"/orders/{placed[-1]}",
        "json": {"status": "cancelled"},
        "headers": {"Authorization": f"Bearer {token_of(exchange, shop, admin)}"},
    }
    delivery = signed_delivery(shop, stripe_event(event_id, "payment_intent.succeeded", item))
    paid, cancelled = shop.at_once([delivery, cancel])
    assert (paid.status_code, cancelled.status_code) == (200, 200), (paid.text, cancelled.text)


@when(step('Stripe delivers "{event_id:q}" charge.refunded of "{intent:q}" with the refund "{refund:q}" of {amount:d}'))
def stripe_delivers_refund(
    exchange: Exchange, shop: InProcessShop, event_id: str, intent: str, refund: str, amount: int
) -> None:
    charge = {
        "id": f"ch_of_{intent}",
        "object": "charge",
        "payment_intent": intent,
        "amount_refunded": amount,
        "refunded": False,
        "refunds": {"object": "list", "data": [{"id": refund, "amount": amount, "status": "succeeded"}]},
    }
    deliver(exchange, shop, stripe_event(event_id, "charge.refunded", charge))


@when(step('Stripe delivers "{event_id:q}" charge.refunded of "{intent:q}", which has {amount:d} refunded in all'))
def stripe_delivers_refund_total(
    exchange: Exchange, shop: InProcessShop, event_id: str, intent: str, amount: int
) -> None:
    """As Stripe sends it since its 2022-11-15 API: the charge without its list of refunds."""
    charge = {"id": f"ch_of_{intent}", "object": "charge", "payment_intent": intent, "amount_refunded": amount}
    deliver(exchange, shop, stripe_event(event_id, "charge.refunded", charge))


@when(step('Stripe delivers "{event_id:q}" of the type "{kind:q}"'))
def stripe_delivers_other(exchange: Exchange, shop: InProcessShop, event_id: str, kind: str) -> None:
    deliver(exchange, shop, stripe_event(event_id, kind, {"id": "cus_1", "object": "customer"}))


@when(parsers.re(r"a delivery of payment_intent.succeeded for that order arrives (?P<how>.+)$"))
def delivery_arrives(exchange: Exchange, shop: InProcessShop, placed: list[int], how: str) -> None:
    event = stripe_event("evt_1", "payment_intent.succeeded", payment_intent("pi_1", 3998, "usd", placed[-1]))
    if how == "without a Stripe-Signature header":
        deliver(exchange, shop, event, signed=False)
    elif how.startswith("signed with "):
        deliver(exchange, shop, event, secret=how.removeprefix("signed with ").strip('"'))
    elif how == "signed, then its amount changed":
        deliver(exchange, shop, event, tamper=True)
    elif how.startswith("signed ") and how.endswith(" minutes ago"):
        deliver(exchange, shop, event, age=timedelta(minutes=int(how.split()[1])))
    else:
        raise AssertionError(f"no such delivery: {how}")


# -- An admin's payments and refunds -------------------------------------------


def idempotency(key: str | None) -> dict[str, str]:
    return {} if key is None else {"Idempotency-Key": key}


def content_json(headers: dict[str, str]) -> dict[str, str]:
    return {"Content-Type": "application/json", **headers}


PAYMENT = (
    r'"(?P<username>[^"]+)" (?:records|has recorded) a payment of (?P<amount>"[^"]*"|[0-9.]+) '
    r'with the reference "(?P<reference>[^"]*)" for (?P<target>that order|order \d+)'
    r'(?: with the Idempotency-Key "(?P<key>[^"]+)")?$'
)


@given(parsers.re(PAYMENT))
@when(parsers.re(PAYMENT))
def records_payment(
    exchange: Exchange,
    shop: InProcessShop,
    placed: list[int],
    username: str,
    amount: str,
    reference: str,
    target: str,
    key: str | None,
) -> None:
    exchange.token = token_of(exchange, shop, username)
    body = {"amount": json.loads(amount), "reference": reference}
    path = f"/orders/{order_named(placed, target)}/payments"
    send(exchange, shop, "POST", path, body=json.dumps(body).encode(), headers=content_json(idempotency(key)))


REFUND = (
    r'"(?P<username>[^"]+)" (?:refunds|has refunded) "(?P<amount>[^"]*)" of that order because "(?P<reason>[^"]*)"'
    r'(?: with the Idempotency-Key "(?P<key>[^"]+)")?$'
)


@given(parsers.re(REFUND))
@when(parsers.re(REFUND))
def refunds(
    exchange: Exchange,
    shop: InProcessShop,
    placed: list[int],
    username: str,
    amount: str,
    reason: str,
    key: str | None,
) -> None:
    exchange.token = token_of(exchange, shop, username)
    body = json.dumps({"amount": amount, "reason": reason}).encode()
    send(exchange, shop, "POST", f"/orders/{placed[-1]}/refunds", body=body, headers=content_json(idempotency(key)))


@when(step('"{username:q}" reads the payments of that order'))
def reads_payments(exchange: Exchange, shop: InProcessShop, placed: list[int], username: str) -> None:
    exchange.token = token_of(exchange, shop, username)
    send(exchange, shop, "GET", f"/orders/{placed[-1]}/payments")


# -- Then ---------------------------------------------------------------------


def ledger(exchange: Exchange, shop: InProcessShop, placed: list[int]) -> Any:
    """The order's ledger as an admin reads it now."""
    response = shop.request("GET", f"/orders/{placed[-1]}/payments", token=token_of(exchange, shop, "root"))
    assert response.status_code == 200, response.text
    return response.json


@then(step('the ledger says paid "{paid:q}", refunded "{refunded:q}", due "{due:q}", owed back "{owed:q}"'))
def ledger_says(
    exchange: Exchange, shop: InProcessShop, placed: list[int], paid: str, refunded: str, due: str, owed: str
) -> None:
    found = ledger(exchange, shop, placed)
    assert (found["paid"], found["refunded"], found["due"], found["owed_back"]) == (paid, refunded, due, owed), found


@then(step('the ledger says "{owed:q}" is owed back and nothing is due'))
def ledger_owes(exchange: Exchange, shop: InProcessShop, placed: list[int], owed: str) -> None:
    found = ledger(exchange, shop, placed)
    assert (found["owed_back"], found["due"], found["refunded"]) == (owed, "0.00", "0.00"), found


@then("the ledger lists no payments")
def ledger_empty(exchange: Exchange) -> None:
    assert exchange.last.json["payments"] == []


@then("the order's payments are:")
def payments_are(exchange: Exchange, shop: InProcessShop, placed: list[int], datatable: list[list[str]]) -> None:
    header, *rows = datatable
    found = [
        {
            "provider": payment["provider"],
            "reference": payment["reference"],
            "amount": payment["amount"],
            "applied": "yes" if payment["applied"] else "no",
            "refunded": ", ".join(refund["amount"] for refund in payment["refunds"]) or "-",
        }
        for payment in ledger(exchange, shop, placed)["payments"]
    ]
    assert [{name: payment[name] for name in header} for payment in found] == [
        dict(zip(header, row, strict=True)) for row in rows
    ]


@then(parsers.re(r"the order has (?P<count>\d+) payments?$"))
def order_has_payments(shop: InProcessShop, placed: list[int], count: str) -> None:
    statement = select(func.count()).select_from(Payment).where(Payment.order_id == placed[-1])
    assert shop.in_database(lambda connection: connection.execute(statement).scalar_one()) == int(count)


@then(step('the log says the Stripe event "{event_id:q}" needs attention'))
def needs_attention(log_records: list[dict[str, Any]], event_id: str) -> None:
    warnings = [r["message"] for r in log_records if r["level"].name == "WARNING" and event_id in r["message"]]
    assert any("needs attention" in message for message in warnings), [r["message"] for r in log_records]


@then("every delivery is answered 200")
def all_answered(answers: list[Any]) -> None:
    assert [answer.status_code for answer in answers] == [200] * len(answers), [a.text for a in answers]


@then(step('{count:d} of the answers says "{first:q}" and the others "{rest:q}"'))
def answers_say(answers: list[Any], count: int, first: str, rest: str) -> None:
    outcomes = sorted(answer.json["outcome"] for answer in answers)
    assert outcomes == sorted([first] * count + [rest] * (len(answers) - count)), outcomes


@then(step('that order is either paid with nothing owed back, or expired with "{owed:q}" owed back'))
def paid_or_owed(exchange: Exchange, shop: InProcessShop, placed: list[int], owed: str) -> None:
    found = ledger(exchange, shop, placed)
    paid = (found["status"], found["paid"], found["owed_back"]) == ("paid", found["total_price"], "0.00")
    expired = (found["status"], found["paid"], found["owed_back"]) == ("cancelled", "0.00", owed)
    assert paid or expired, found
    order = shop.request("GET", f"/orders/{placed[-1]}", token=token_of(exchange, shop, "root")).json
    assert order["cancel_reason"] == (None if paid else "expired"), order


@then(step('the response header "Location" ends with the ledger of that order'))
def location_is_ledger(exchange: Exchange, placed: list[int]) -> None:
    assert exchange.last.headers["Location"].endswith(f"/orders/{placed[-1]}/payments")


@then(step('the problem\'s errors are at "{where:q}"'))
def errors_at(exchange: Exchange, where: str) -> None:
    assert exchange.last.status_code == 422
    assert [error["loc"] for error in exchange.last.json["errors"]] == [where.split(".")], exchange.last.json


@then(step('the webhook\'s answer says "{outcome:q}"'))
def webhook_outcome(exchange: Exchange, outcome: str) -> None:
    assert exchange.last.status_code == 200, exchange.last.text
    assert exchange.last.json["outcome"] == outcome
