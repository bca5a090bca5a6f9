"""Passwords are hashed at RFC 9106's cost wherever a shop runs, and checks are
bounded: past a few per hashing thread waiting, a check is refused at once (503,
Retry-After) instead of queueing for seconds."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

import pytest
from argon2 import extract_parameters
from argon2.profiles import RFC_9106_LOW_MEMORY

from shop.app import create_app
from shop.kernel.errors import ServiceUnavailable
from shop.kernel.passwords import Passwords, hash_password_sync, verify_password_sync
from shop.kernel.settings import load_settings

HASH = hash_password_sync("correct horse battery")


def test_a_shop_hashes_with_argon2id_at_rfc_9106_cost_unless_told_otherwise(tmp_path: Path) -> None:
    """The scenarios hash cheaply in process; every shop that is not told so does not."""
    settings = load_settings(
        _env_file=None, SECRET_KEY=secrets.token_urlsafe(48), DATABASE_URL=f"sqlite:///{tmp_path / 'unused.db'}"
    )
    app = create_app(settings)
    try:
        made = asyncio.run(app.passwords.hash("correct horse battery"))
    finally:
        app.passwords.close()
    assert made.startswith("$argon2id$v=19$m=65536,t=3,p=4$"), made
    assert extract_parameters(made) == extract_parameters(HASH) == RFC_9106_LOW_MEMORY


def test_an_unknown_user_costs_a_check_at_the_same_parameters() -> None:
    """The dummy hash an unknown username is checked against is made by the same hasher."""
    assert verify_password_sync(None, "anything") is False
    assert verify_password_sync(HASH, "correct horse battery") is True


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
