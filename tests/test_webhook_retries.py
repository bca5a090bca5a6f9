"""The retry schedule: base * 2^(k-1) after the k-th failure, jittered by
0.8-1.2, and failed after MAX_ATTEMPTS attempts, about a day at the default base."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.webhooks.retries import MAX_ATTEMPTS, delay_after, gives_up, schedule


def test_the_waits_double_from_the_base() -> None:
    exact = lambda low, high: 1.0  # noqa: E731 (no jitter)
    assert [delay_after(k, 10, exact) for k in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert schedule(10)[:4] == [10, 20, 40, 80]


def test_fourteen_attempts_span_most_of_a_day_at_the_default_base() -> None:
    assert MAX_ATTEMPTS == 14
    assert len(schedule(10)) == MAX_ATTEMPTS - 1  # a wait between each two attempts
    assert sum(schedule(10)) == pytest.approx(22.75 * 3600, rel=0.001)
    assert sum(schedule(10)) * 1.2 < 28 * 3600  # the most jitter can stretch it


def test_the_shop_gives_up_after_the_last_attempt() -> None:
    assert not any(gives_up(k) for k in range(1, MAX_ATTEMPTS))
    assert gives_up(MAX_ATTEMPTS) and gives_up(MAX_ATTEMPTS + 1)  # a manual retry that fails is failed again


@given(st.integers(1, MAX_ATTEMPTS - 1), st.floats(0.001, 3600), st.integers(0, 2**32))
def test_jitter_stays_within_a_fifth_either_way(attempts: int, base: float, seed: int) -> None:
    delay = delay_after(attempts, base, random.Random(seed).uniform)
    exact = base * 2 ** (attempts - 1)
    assert 0.8 * exact <= delay <= 1.2 * exact
