"""List totals: counted once per second at most, and once however many ask at that moment."""

from __future__ import annotations

import asyncio

from shop.storage.keyset import Totals
from shop.storage.recent import Writes


class Counter:
    """Stands in for a store's count: answers 42, slowly, and counts the calls."""

    def __init__(self, fail_first: bool = False) -> None:
        self.calls = 0
        self.fail_first = fail_first

    async def __call__(self) -> int:
        self.calls += 1
        await asyncio.sleep(0.05)
        if self.fail_first and self.calls == 1:
            raise ConnectionError("the database went away")
        return 42


def test_requests_that_want_a_total_at_the_same_moment_share_one_count() -> None:
    async def scenario() -> None:
        writes, count = Writes(), Counter()
        totals = Totals(writes)
        answers = await asyncio.gather(*(totals.count("all", count) for _ in range(50)))
        assert answers == [42] * 50
        assert count.calls == 1
        assert await totals.count("all", count) == 42 and count.calls == 1  # remembered
        writes.happened()  # a write through this app: counted afresh
        assert await totals.count("all", count) == 42 and count.calls == 2

    asyncio.run(scenario())


def test_when_the_shared_count_fails_the_others_count_for_themselves() -> None:
    async def scenario() -> None:
        totals, count = Totals(Writes()), Counter(fail_first=True)
        answers = await asyncio.gather(*(totals.count("all", count) for _ in range(5)), return_exceptions=True)
        assert isinstance(answers[0], ConnectionError)  # the first one's own failure
        assert answers[1:] == [42] * 4
        assert count.calls == 2  # one of the others counted again; the rest shared it

    asyncio.run(scenario())
