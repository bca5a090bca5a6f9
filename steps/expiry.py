"""Steps about unpaid orders that expire: the in-process sweep on a fake clock,
and `shop expire-orders` and `shop serve` as an operator runs them."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
from pytest_bdd import given, parsers, then, when
from sqlalchemy import select

from shop.storage.models import Order
from steps.grammar import step
from steps.http import Exchange, FakeClock, start_shop
from steps.ordering import order_body, place
from steps.processes import Operator
from steps.shop_client import InProcessShop


@given(step("the shop expires unpaid orders after {seconds:d} seconds"), target_fixture="shop")
def expiring_shop(request: pytest.FixtureRequest, shop: InProcessShop, clock: FakeClock, seconds: int) -> InProcessShop:
    """The scenario's shop, with the time to live set (its other settings kept)."""
    settings = shop.app.settings.model_copy(update={"UNPAID_ORDER_TTL_SECONDS": seconds})
    return start_shop(request, settings, clock)


@given(step("{seconds:d} seconds pass"))
def seconds_pass(clock: FakeClock, seconds: int) -> None:
    clock.advance(timedelta(seconds=seconds))


def sweep(shop: InProcessShop, clock: FakeClock, passed: timedelta, sweeps: int = 1) -> None:
    clock.advance(passed)

    async def at_once() -> None:
        await asyncio.gather(*(shop.app.sweeper.sweep_once() for _ in range(sweeps)))

    shop.run(at_once())


@given(parsers.re(r"(?P<count>\d+) (?P<unit>seconds|days) pass and the shop sweeps$"))
@when(parsers.re(r"(?P<count>\d+) (?P<unit>seconds|days) pass and the shop sweeps$"))
def time_passes_and_sweep(shop: InProcessShop, clock: FakeClock, count: str, unit: str) -> None:
    sweep(shop, clock, timedelta(**{unit: int(count)}))


@when(step("{seconds:d} seconds pass and {sweeps:d} sweeps run at once"))
def sweeps_at_once(shop: InProcessShop, clock: FakeClock, seconds: int, sweeps: int) -> None:
    sweep(shop, clock, timedelta(seconds=seconds), sweeps)


def reasons(shop: InProcessShop, order_ids: list[int]) -> list[tuple[str, str | None]]:
    statement = select(Order.status, Order.cancel_reason).where(Order.id.in_(order_ids)).order_by(Order.id)
    return [tuple(row) for row in shop.in_database(lambda connection: connection.execute(statement).all())]  # type: ignore[misc]


@then(step('that order is cancelled with the reason "{reason:q}"'))
def cancelled_for(shop: InProcessShop, placed: list[int], reason: str) -> None:
    assert reasons(shop, placed[-1:]) == [("cancelled", reason)]


@then(step('"{username:q}"\'s orders are cancelled with the reason "{reason:q}"'))
def all_cancelled_for(shop: InProcessShop, placed: list[int], username: str, reason: str) -> None:
    assert reasons(shop, placed) == [("cancelled", reason)] * len(placed)


@then(step('the response\'s "{field:q}" is "{value:q}"'))
def response_field_is(exchange: Exchange, field: str, value: str) -> None:
    assert exchange.last.json[field] == value, exchange.last.json


@then(step('the response\'s "{field:q}" is null'))
def response_field_is_null(exchange: Exchange, field: str) -> None:
    assert field in exchange.last.json and exchange.last.json[field] is None, exchange.last.json


# -- As an operator runs it ------------------------------------------------------


@given(step("an operator whose shop expires unpaid orders after {seconds:d} seconds"))
def expiring_operator(operator: Operator, seconds: int) -> None:
    operator.env.update(UNPAID_ORDER_TTL_SECONDS=str(seconds), LOG_LEVEL="WARNING")


@given(step('the operator has started "{command:q}"'))
def operator_started(operator: Operator, command: str) -> None:
    operator.start(command)


@given(parsers.re(r"an order of that shop placed (?P<age>just now|\d+ minutes ago)$"))
def order_placed_ago(exchange: Exchange, shop: InProcessShop, clock: FakeClock, placed: list[int], age: str) -> None:
    """Placed through the in-process shop on the same database, at the real time less `age`."""
    minutes = 0 if age == "just now" else int(age.split()[0])
    clock.now = datetime.now(UTC) - timedelta(minutes=minutes)
    response = place(exchange, shop, placed, "ada", order_body(shop, '1 "Teapot"'))
    assert response.status_code == 201, response.text


@then(step("within {seconds:d} seconds that shop's order is cancelled as expired"))
def expired_within(shop: InProcessShop, placed: list[int], seconds: int) -> None:
    deadline = time.monotonic() + seconds
    while reasons(shop, placed[-1:]) != [("cancelled", "expired")]:
        assert time.monotonic() < deadline, reasons(shop, placed[-1:])
        time.sleep(0.2)
