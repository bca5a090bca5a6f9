"""The SQL of `Idempotency-Key` claims: the one place that reads or writes `idempotency_keys`."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from shop.storage.models import IdempotencyKey
from shop.storage.reads import row_type


class ClaimRow(NamedTuple):
    id: int
    request_hash: str
    status_code: int | None  # None while the first request is still running
    response_body: str | None
    created_at: datetime


CLAIM = row_type(ClaimRow)
_COLUMNS = [IdempotencyKey.__table__.c[name] for name in CLAIM.columns]


def locked(connection: Connection, user_id: int, key: str) -> ClaimRow | None:
    statement = select(*_COLUMNS).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key).with_for_update()
    row = connection.execute(statement).first()
    return CLAIM.make(row) if row is not None else None


def add(connection: Connection, user_id: int, key: str, request_hash: str, now: datetime) -> int | None:
    """A new claim's id; None when another request has just claimed the key."""
    values = {"user_id": user_id, "key": key, "request_hash": request_hash, "created_at": now}
    try:
        return int(connection.execute(insert(IdempotencyKey).values(values).returning(IdempotencyKey.id)).scalar_one())
    except IntegrityError:
        return None


def answer(connection: Connection, claim_id: int, status: int, body: bytes) -> None:
    connection.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.id == claim_id)
        .values(status_code=status, response_body=body.decode())
    )


def remove(connection: Connection, claim_id: int) -> None:
    connection.execute(delete(IdempotencyKey).where(IdempotencyKey.id == claim_id))
