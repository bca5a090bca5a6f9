"""`Idempotency-Key`: claimed first, answered once, replayed after.

A key is a row, unique per (user, key), inserted in its own transaction before
the request's work is attempted. A second request with the key finds the row:
still without an answer means the first is running (409); with an answer, it
is replayed. The work's answer is written in the work's own transaction
(`answer`), so, say, an order never exists without the answer a retry will get.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Connection

from shop.idempotency import store
from shop.kernel import codec
from shop.kernel.errors import Conflict, Invalid, ShopError
from shop.storage.database import Database

KEEP_FOR = timedelta(hours=24)
# A claim with no answer after this long belongs to a request that died: take it over.
ABANDONED_AFTER = timedelta(minutes=2)
HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"  # on an answer given again
MAX_LENGTH = 255
RUNNING = "A request with this Idempotency-Key is still running; retry in a moment."


class Replay(Exception):
    """The key was answered before: send that answer again."""

    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def checked_key(value: str | None) -> str | None:
    """The key as the client wrote it, counted in characters, not bytes."""
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

    def work(connection: Connection) -> int:
        found = store.locked(connection, user_id, key)
        if found is not None:
            expired = found.created_at <= now - KEEP_FOR
            abandoned = found.status_code is None and found.created_at <= now - ABANDONED_AFTER
            if not (expired or abandoned):
                if found.request_hash != request_hash:
                    raise Invalid.at(["header", HEADER], "This key was already used with a different body.")
                if found.status_code is None or found.response_body is None:
                    raise Conflict(RUNNING)
                raise Replay(found.status_code, found.response_body.encode())
            store.remove(connection, found.id)
        claim_id = store.add(connection, user_id, key, request_hash, now)
        if claim_id is None:  # another request claimed it a moment ago
            raise Conflict(RUNNING)
        return claim_id

    return await database.transaction(work)


def answer(connection: Connection, claim_id: int, status: int, body: bytes) -> None:
    """Keep the answer for replays, in the transaction of the work it answers."""
    store.answer(connection, claim_id, status, body)


async def keep_answer(database: Database, claim_id: int, status: int, body: bytes) -> None:
    """Keep a refusal as the answer (its own transaction: the work's rolled back)."""
    await database.transaction(lambda connection: store.answer(connection, claim_id, status, body))


async def release(database: Database, claim_id: int) -> None:
    """Forget a claim whose request failed without an answer worth replaying."""
    await database.transaction(lambda connection: store.remove(connection, claim_id))


@dataclass(frozen=True, slots=True)
class Answer:
    """What a creating request answers: a status and body, first made or replayed."""

    status: int
    body: bytes
    replayed: bool = False


async def once(
    database: Database,
    user_id: int,
    key: str | None,
    request: object,
    now: datetime,
    work: Callable[[Connection], bytes],
    refusal: Callable[[ShopError], bytes],
) -> Answer:
    """Run `work` in one transaction and answer 201 with the body it returns.

    With a key, at most once: a retry with the same key and `request` (what
    the request asked for, fingerprinted) gets the first answer again, a
    refusal (`refusal` renders a broken rule) included; another request with
    the key is a 422."""
    if key is None:
        return Answer(201, await database.transaction(work))
    try:
        claim_id = await claim(database, user_id, key, fingerprint(request), now)
    except Replay as replay:
        return Answer(replay.status, replay.body, replayed=True)

    def answered(connection: Connection) -> bytes:
        body = work(connection)
        answer(connection, claim_id, 201, body)
        return body

    try:
        return Answer(201, await database.transaction(answered))
    except ShopError as error:
        # A refusal is an answer too: a retry gets the same one.
        try:
            await keep_answer(database, claim_id, error.status, refusal(error))
        except Exception:
            await release(database, claim_id)
            raise
        raise
    except Exception:
        # Failed without an answer worth keeping: a retry may try again. (Not when
        # cancelled: the work may have committed with its answer, and an
        # unanswered claim is taken over after a while anyway.)
        await release(database, claim_id)
        raise
