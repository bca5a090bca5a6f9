"""The sender's claims on a real database (SQLite, and PostgreSQL with
TEST_DATABASE_URL): senders side by side send each delivery once, a claim
held by a sender that died runs out and the delivery is sent again, and an
attempt recorded after its claim was taken over changes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import URL, Connection

from shop.events import store as events
from shop.storage.database import Database
from shop.storage.models import Delivery
from shop.webhooks import store
from shop.webhooks.sender import CONCURRENCY, LEASE, Sender
from shop.webhooks.store import Outcome
from steps.http import FakeClock

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


class Receiver:
    """An in-process receiver (httpx's mock transport): what it got, by event id."""

    def __init__(self, status: int = 204) -> None:
        self.status = status
        self.got: list[int] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)  # long enough for another sender to try its luck meanwhile
        self.got.append(int(request.headers["Shop-Event-Id"]))
        return httpx.Response(self.status)


@pytest.fixture
def database(database_url: URL) -> Database:
    """Disposed by each test on its own event loop (PostgreSQL's pool belongs to the loop)."""
    return Database(database_url)


def run_with(database: Database, work: Coroutine[Any, Any, None]) -> None:
    async def main() -> None:
        try:
            await work
        finally:
            await database.dispose()

    asyncio.run(main())


def sender(database: Database, clock: FakeClock, receiver: Receiver, *, allow_private: bool = True) -> Sender:
    transport = httpx.MockTransport(receiver)
    return Sender(database, clock, retry_base_seconds=10, allow_private_networks=allow_private, transport=transport)


def events_for_a_webhook(connection: Connection, count: int, url: str = "http://127.0.0.1:9/hook") -> int:
    webhook = store.add(connection, url, "", "whsec_test", ["*"], NOW)
    for number in range(count):
        events.record(connection, "order.created", f"order:{number}", {"id": number}, NOW)
    return webhook.id


def statuses(connection: Connection) -> list[tuple[str, int]]:
    rows = connection.execute(select(Delivery.status, Delivery.attempts).order_by(Delivery.id))
    return [(str(status), int(attempts)) for status, attempts in rows]


def test_senders_side_by_side_send_each_delivery_once(database: Database) -> None:
    receiver = Receiver()
    clock = FakeClock()
    clock.now = NOW

    async def run() -> None:
        await database.transaction(lambda connection: events_for_a_webhook(connection, 40))
        others = [Database(database.url) for _ in range(2)]
        try:
            senders = [sender(other, clock, receiver) for other in [database, *others]]
            await asyncio.gather(*(one.send_due() for one in senders))
            for one in senders:
                await one.stop()
        finally:
            for other in others:
                await other.dispose()
        assert await database.transaction(statuses) == [("delivered", 1)] * 40

    run_with(database, run())
    assert sorted(receiver.got) == sorted(set(receiver.got)) and len(receiver.got) == 40


def test_a_claim_that_ran_out_is_sent_again_and_the_late_outcome_is_not_recorded(database: Database) -> None:
    receiver = Receiver()
    clock = FakeClock()
    clock.now = NOW

    async def run() -> None:
        await database.transaction(lambda connection: events_for_a_webhook(connection, 1))
        # A sender claims the delivery, then dies before it records anything.
        dead = await database.transaction(lambda connection: store.claim(connection, NOW, NOW + LEASE, 16))
        assert len(dead) == 1
        alive = sender(database, clock, receiver)
        assert await alive.send_due() == 0  # still claimed
        clock.now = NOW + LEASE + timedelta(seconds=1)
        assert await alive.send_due() == 1  # the claim ran out: sent again
        late = Outcome("pending", 500, "answered HTTP 500", NOW, NOW)
        assert not await database.transaction(lambda connection: store.settle(connection, dead[0], late))
        assert await database.transaction(statuses) == [("delivered", 1)]
        await alive.stop()

    run_with(database, run())
    assert len(receiver.got) == 1


def test_the_outcomes_of_sends_that_finish_together_are_recorded_in_one_transaction(database: Database) -> None:
    """Under load each write transaction queues behind the shop's requests, so a
    round of sends is claimed in one and recorded in one (a group commit), never
    one transaction per send. A loaded machine may split a round's outcomes once."""
    clock = FakeClock()
    clock.now = NOW
    together = asyncio.Barrier(CONCURRENCY)  # every receiver answers at the same moment
    got: list[int] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        got.append(int(request.headers["Shop-Event-Id"]))
        await together.wait()
        return httpx.Response(204)

    async def run() -> None:
        await database.transaction(lambda connection: events_for_a_webhook(connection, CONCURRENCY))
        transactions = 0
        unit_of_work = database.transaction

        async def counted(work: Callable[[Connection], Any]) -> Any:
            nonlocal transactions
            transactions += 1
            return await unit_of_work(work)

        database.transaction = counted  # type: ignore[method-assign]  # counts, and runs the real thing
        one = Sender(
            database, clock, retry_base_seconds=10, allow_private_networks=True, transport=httpx.MockTransport(answer)
        )
        assert await one.send_due() == CONCURRENCY
        await one.stop()
        assert transactions <= 3, f"{transactions} write transactions for one round of {CONCURRENCY} sends"
        assert await unit_of_work(statuses) == [("delivered", 1)] * CONCURRENCY

    run_with(database, run())
    assert sorted(got) == sorted(set(got)) and len(got) == CONCURRENCY


def test_stopping_while_outcomes_are_being_recorded_leaves_nobody_waiting(database: Database) -> None:
    """A sender stopped while a batch of outcomes waits to be written gives up on
    it (the claims run out and are sent again), and whoever waited for it hears so."""
    clock = FakeClock()
    clock.now = NOW

    async def run() -> None:
        await database.transaction(lambda connection: events_for_a_webhook(connection, 4))
        one = sender(database, clock, Receiver())
        sending = asyncio.create_task(one.send_due())
        # Until the outcomes are in and their transaction is about to run (the sender's own state: no event).
        while one._settling is None:  # noqa: ASYNC110
            await asyncio.sleep(0)
        await one.stop()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(sending, timeout=5)  # not a TimeoutError: nothing hangs

    run_with(database, run())


def test_a_public_name_is_checked_at_send_time(database: Database) -> None:
    """Saved without private networks, the URL is checked again when sent:
    here it is an inside address, so the attempt fails and is retried later."""
    receiver = Receiver()
    clock = FakeClock()
    clock.now = NOW

    async def run() -> None:
        url = "https://localhost/hook"
        await database.transaction(lambda connection: events_for_a_webhook(connection, 1, url))
        guarded = sender(database, clock, receiver, allow_private=False)
        assert await guarded.send_due() == 1
        await guarded.stop()
        row = await database.transaction(
            lambda connection: connection.execute(
                select(Delivery.status, Delivery.error, Delivery.next_attempt_at)
            ).one()
        )
        assert row.status == "pending" and "not a public address" in (row.error or "")
        assert NOW + timedelta(seconds=8) <= row.next_attempt_at <= NOW + timedelta(seconds=12)

    run_with(database, run())
    assert receiver.got == []


def first_delivery(connection: Connection) -> Any:
    return connection.execute(select(Delivery.status, Delivery.status_code, Delivery.error)).one()


def test_a_redirect_is_a_failure_not_followed(database: Database) -> None:
    receiver = Receiver(status=302)
    clock = FakeClock()
    clock.now = NOW

    async def run() -> None:
        await database.transaction(lambda connection: events_for_a_webhook(connection, 1))
        one = sender(database, clock, receiver)
        await one.send_due()
        await one.stop()
        row = await database.transaction(first_delivery)
        assert (row.status, row.status_code) == ("pending", 302) and "redirects are not followed" in row.error

    run_with(database, run())
    assert len(receiver.got) == 1


def test_an_answer_slower_than_the_timeout_is_a_failure(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shop.webhooks.sender.TIMEOUT_SECONDS", 0.05)
    clock = FakeClock()
    clock.now = NOW

    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(1)
        return httpx.Response(204)

    async def run() -> None:
        await database.transaction(lambda connection: events_for_a_webhook(connection, 1))
        one = Sender(
            database, clock, retry_base_seconds=10, allow_private_networks=True, transport=httpx.MockTransport(slow)
        )
        await one.send_due()
        await one.stop()
        row = await database.transaction(first_delivery)
        assert (row.status, row.status_code) == ("pending", None) and "no answer within" in row.error

    run_with(database, run())


def test_a_url_the_client_cannot_send_to_is_a_failed_attempt_not_a_stuck_delivery(database: Database) -> None:
    """Whatever goes wrong on the way is an attempt that failed: counted, retried
    on the schedule, and in the end failed, never claimed again and again."""
    clock = FakeClock()
    clock.now = NOW

    async def run() -> None:
        # Saved directly (the save-time check would refuse it now), as a webhook saved before it was.
        await database.transaction(lambda connection: events_for_a_webhook(connection, 1, "http://xn--a.example/hook"))
        one = sender(database, clock, Receiver())
        assert await one.send_due() == 1
        await one.stop()
        row = await database.transaction(
            lambda connection: connection.execute(select(Delivery.status, Delivery.attempts, Delivery.error)).one()
        )
        assert (row.status, row.attempts) == ("pending", 1) and row.error, row

    run_with(database, run())


def test_plain_http_is_not_sent_to_unless_private_networks_are_allowed(database: Database) -> None:
    """A webhook saved as http:// while private networks were allowed is not sent
    to in the clear once they are not."""
    receiver = Receiver()
    clock = FakeClock()
    clock.now = NOW

    async def run() -> None:
        await database.transaction(lambda connection: events_for_a_webhook(connection, 1, "http://93.184.215.14/hook"))
        guarded = sender(database, clock, receiver, allow_private=False)
        assert await guarded.send_due() == 1
        await guarded.stop()
        row = await database.transaction(first_delivery)
        assert row.status == "pending" and "only https://" in row.error

    run_with(database, run())
    assert receiver.got == []
