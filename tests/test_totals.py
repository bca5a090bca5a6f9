"""List totals: counted once per second at most, and once however many ask at that moment."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select

from shop.models import Product
from shop.paging import Totals
from shop.recent import Writes


class CountingRows:
    """Stands in for the database: answers every count with 42, slowly, and counts the calls."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, statement: Select[Any]) -> Sequence[Any]:
        self.calls += 1
        await asyncio.sleep(0.05)
        return [(42,)]


def test_requests_that_want_a_total_at_the_same_moment_share_one_count() -> None:
    async def scenario() -> None:
        writes, rows = Writes(), CountingRows()
        totals = Totals(writes)
        statement = select(Product.id)
        answers = await asyncio.gather(*(totals.count(rows, statement, "all") for _ in range(50)))
        assert answers == [42] * 50
        assert rows.calls == 1
        assert await totals.count(rows, statement, "all") == 42 and rows.calls == 1  # remembered
        writes.happened()  # a write through this app: counted afresh
        assert await totals.count(rows, statement, "all") == 42 and rows.calls == 2

    asyncio.run(scenario())


class FailingOnceRows(CountingRows):
    async def __call__(self, statement: Select[Any]) -> Sequence[Any]:
        answer = await super().__call__(statement)
        if self.calls == 1:
            raise ConnectionError("the database went away")
        return answer


def test_when_the_shared_count_fails_the_others_count_for_themselves() -> None:
    async def scenario() -> None:
        totals, rows = Totals(Writes()), FailingOnceRows()
        answers = await asyncio.gather(
            *(totals.count(rows, select(Product.id), "all") for _ in range(5)), return_exceptions=True
        )
        assert isinstance(answers[0], ConnectionError)  # the first one's own failure
        assert answers[1:] == [42] * 4
        assert rows.calls == 2  # one of the others counted again; the rest shared it

    asyncio.run(scenario())
