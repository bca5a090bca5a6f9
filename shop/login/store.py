"""The SQL of failed logins: the one place that reads or writes `login_attempts`."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection

from shop.models import LoginAttempt


class Recent(NamedTuple):
    """A new attempt's id, with the count of attempts in the window and the oldest one's time."""

    attempt_id: int
    attempts: int
    oldest: datetime


def add(connection: Connection, username_key: str, at: datetime, since: datetime) -> Recent:
    """Record an attempt at `at`, forgetting this name's attempts from before `since`."""
    connection.execute(
        delete(LoginAttempt).where(LoginAttempt.username_key == username_key, LoginAttempt.attempted_at <= since)
    )
    attempt_id = connection.execute(
        insert(LoginAttempt).values(username_key=username_key, attempted_at=at).returning(LoginAttempt.id)
    ).scalar_one()
    count, oldest = connection.execute(
        select(func.count(), func.min(LoginAttempt.attempted_at)).where(LoginAttempt.username_key == username_key)
    ).one()
    return Recent(attempt_id, int(count), oldest)


def forget(connection: Connection, attempt_id: int) -> None:
    connection.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt_id))


def clear(connection: Connection, username_key: str) -> None:
    connection.execute(delete(LoginAttempt).where(LoginAttempt.username_key == username_key))
