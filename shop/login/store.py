"""The SQL of failed logins: the one place that reads or writes `login_attempts`."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, distinct, func, insert, select
from sqlalchemy.engine import Connection

from shop.storage.models import LoginAttempt


class Recent(NamedTuple):
    """A new attempt's id; how many attempts its username has from its client in
    the window, and the oldest one's time; how many usernames its client tried."""

    attempt_id: int
    attempts: int
    oldest: datetime
    usernames: int
    client_oldest: datetime


def add(connection: Connection, username_key: str, client: str, at: datetime, since: datetime) -> Recent:
    """Record an attempt at `at`, forgetting every attempt from before `since`
    (of any name: names that never come back leave nothing behind)."""
    connection.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at <= since))
    values = {"username_key": username_key, "client": client, "attempted_at": at}
    attempt_id = connection.execute(insert(LoginAttempt).values(values).returning(LoginAttempt.id)).scalar_one()
    mine = (LoginAttempt.username_key == username_key, LoginAttempt.client == client)
    count, oldest = connection.execute(select(func.count(), func.min(LoginAttempt.attempted_at)).where(*mine)).one()
    usernames, client_oldest = connection.execute(
        select(func.count(distinct(LoginAttempt.username_key)), func.min(LoginAttempt.attempted_at)).where(
            LoginAttempt.client == client
        )
    ).one()
    return Recent(attempt_id, int(count), oldest, int(usernames), client_oldest)


def forget(connection: Connection, attempt_id: int) -> None:
    connection.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt_id))


def clear(connection: Connection, username_key: str, client: str) -> None:
    connection.execute(
        delete(LoginAttempt).where(LoginAttempt.username_key == username_key, LoginAttempt.client == client)
    )
