"""Password checks are bounded: past a few per hashing thread waiting, a check
is refused at once (503, Retry-After) instead of queueing for seconds."""

from __future__ import annotations

import asyncio

import pytest

from shop.errors import ServiceUnavailable
from shop.passwords import Passwords, hash_password_sync

HASH = hash_password_sync("correct horse battery")


def test_checks_past_the_bound_are_refused_at_once_and_the_rest_complete() -> None:
    passwords = Passwords(workers=1, waiting_per_worker=2)

    async def many() -> list[bool | BaseException]:
        checks = [passwords.verify(HASH, "correct horse battery") for _ in range(8)]
        return await asyncio.gather(*checks, return_exceptions=True)

    try:
        answers = asyncio.run(many())
        refused = [answer for answer in answers if isinstance(answer, ServiceUnavailable)]
        assert answers[:3] == [True, True, True]  # one hashing, two waiting
        assert len(refused) == 5 and all(error.retry_after >= 1 for error in refused)
        assert asyncio.run(passwords.verify(HASH, "correct horse battery")) is True  # room again
    finally:
        passwords.close()


def test_a_check_that_fails_still_frees_its_place() -> None:
    passwords = Passwords(workers=1, waiting_per_worker=0)
    try:
        with pytest.raises(Exception):  # noqa: B017, PT011 - hashing refuses a non-string
            asyncio.run(passwords.hash(None))  # type: ignore[arg-type]
        assert asyncio.run(passwords.verify(HASH, "wrong")) is False
    finally:
        passwords.close()
