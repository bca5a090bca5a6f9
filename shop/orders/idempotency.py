"""Idempotency-Key for POST /orders: claimed first, answered once, replayed after.

A key is a row, unique per (user, key), inserted in its own transaction before
the order is attempted. A second request with the key finds the row: still
without an answer means the first is running (409); with an answer, it is
replayed. The order's answer is written in the order's own transaction, so an
order never exists without the answer that a retry will get.
"""

from __future__ import annotations

import contextlib
import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from shop import codec
from shop.database import Database
from shop.errors import Conflict, Invalid
from shop.models import IdempotencyKey

KEEP_FOR = timedelta(hours=24)
# A claim with no answer after this long belongs to a request that died: take it over.
ABANDONED_AFTER = timedelta(minutes=2)
HEADER = "Idempotency-Key"
MAX_LENGTH = 255


class Replay(Exception):
    """The key was answered before: send that answer again."""

    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def checked_key(value: str | None) -> str | None:
    """The key as the client wrote it, counted in characters (API.md 9)."""
    if value is None:
        return None
    # ASGI hands header bytes over as Latin-1; clients send UTF-8. (Not UTF-8: the bytes as they came.)
    with contextlib.suppress(UnicodeError):
        value = value.encode("latin-1").decode("utf-8")
    if not 1 <= len(value) <= MAX_LENGTH:
        raise Invalid.at(["header", HEADER], f"must be 1 to {MAX_LENGTH} characters")
    return value


def fingerprint(document: object) -> str:
    return hashlib.sha256(codec.dumps(document, sort_keys=True)).hexdigest()


async def claim(database: Database, user_id: int, key: str, request_hash: str, now: datetime) -> int:
    """Claim `key` for a new request and return the claim's id; or raise Replay,
    409 (still running) or 422 (the key was used with another body)."""
    async with database.write() as session:
        found = (
            await session.execute(
                select(IdempotencyKey)
                .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
                .with_for_update()
            )
        ).scalar_one_or_none()
        if found is not None:
            expired = found.created_at <= now - KEEP_FOR
            abandoned = found.status_code is None and found.created_at <= now - ABANDONED_AFTER
            if not (expired or abandoned):
                if found.request_hash != request_hash:
                    raise Invalid.at(["header", HEADER], "This key was already used with a different body.")
                if found.status_code is None or found.response_body is None:
                    raise Conflict("A request with this Idempotency-Key is still running; retry in a moment.")
                raise Replay(found.status_code, found.response_body.encode())
            await session.delete(found)
            await session.flush()
        row = IdempotencyKey(user_id=user_id, key=key, request_hash=request_hash, created_at=now)
        session.add(row)
        try:
            await session.flush()
        except IntegrityError:  # another request claimed it a moment ago
            raise Conflict("A request with this Idempotency-Key is still running; retry in a moment.") from None
        return row.id


def answer(connection: Connection, claim_id: int, status: int, body: bytes) -> None:
    """Keep the answer for replays (in the caller's transaction, `Database.run`)."""
    connection.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.id == claim_id)
        .values(status_code=status, response_body=body.decode())
    )


async def release(database: Database, claim_id: int) -> None:
    """Forget a claim whose request failed without an answer worth replaying."""
    async with database.write() as session:
        await session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == claim_id))
