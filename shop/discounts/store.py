"""The discounts' SQL: the one place that reads or writes `discounts` and the
uses customers hold of them (`discount_uses`).

A code is unique ignoring case: its lower-cased `code_key` is the table's
unique key, so two admins making the same code at once cannot both have it.
A discount that orders name is kept (`orders.discount_id` is RESTRICT): its
removal is refused, and the refusal leaves the transaction going on.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from shop.kernel.errors import Conflict
from shop.storage.keyset import Window
from shop.storage.models import Discount, DiscountKind, DiscountUse
from shop.storage.reads import Reads, RowType, utc, where


class DiscountRow(NamedTuple):
    id: int
    code: str  # as the admin gave it
    code_key: str  # lower-cased: what makes two codes the same code
    kind: DiscountKind
    value: int  # hundredths of a percent (12.50% is 1250), or cents; 0 for free shipping
    starts_at: datetime | None
    ends_at: datetime | None
    usage_limit: int | None  # uses in all; no limit when None
    per_customer_limit: int | None  # uses by one customer; no limit when None
    min_subtotal_cents: int | None
    product_ids: str  # JSON: the eligible products, smallest id first
    category_ids: str  # JSON: the eligible categories (and those below them), smallest id first
    active: bool
    times_used: int  # the live orders that hold a use of it
    created_at: datetime
    updated_at: datetime


_TIMES = frozenset({"starts_at", "ends_at", "created_at", "updated_at"})


def _discount(row: Sequence[Any]) -> DiscountRow:
    # Timestamps aware in UTC (the nullable ones too), and SQLite's 0 and 1 as booleans.
    return DiscountRow._make(
        (utc(value) if value is not None and name in _TIMES else bool(value) if name == "active" else value)
        for name, value in zip(DiscountRow._fields, row, strict=True)
    )


DISCOUNT = RowType(DiscountRow._fields, _discount)
_COLUMNS = [Discount.__table__.c[name] for name in DISCOUNT.columns]
TAKEN = "Another discount has this code (ignoring case): the code is taken."


def code_key(code: str) -> str:
    return code.lower()


# -- Writes, on the unit of work's connection ---------------------------------


def locked(connection: Connection, discount_id: int) -> DiscountRow | None:
    row = connection.execute(select(*_COLUMNS).where(Discount.id == discount_id).with_for_update()).first()
    return DISCOUNT.make(row) if row is not None else None


def taken(connection: Connection, key: str, but: int | None = None) -> bool:
    """Whether a discount other than `but` has this code key."""
    found = select(Discount.id).where(Discount.code_key == key)
    if but is not None:
        found = found.where(Discount.id != but)
    return connection.execute(found.limit(1)).first() is not None


def add(connection: Connection, values: Mapping[str, Any], now: datetime) -> DiscountRow:
    statement = insert(Discount).values(**values, created_at=now, updated_at=now).returning(*_COLUMNS)
    try:
        with connection.begin_nested():
            return DISCOUNT.make(connection.execute(statement).one())
    except IntegrityError:  # the unique code key: checked before, so only in a race
        raise Conflict(TAKEN) from None


def change(connection: Connection, discount_id: int, values: Mapping[str, Any], now: datetime) -> DiscountRow:
    statement = update(Discount).where(Discount.id == discount_id).values(**values, updated_at=now).returning(*_COLUMNS)
    try:
        with connection.begin_nested():
            return DISCOUNT.make(connection.execute(statement).one())
    except IntegrityError:
        raise Conflict(TAKEN) from None


def remove(connection: Connection, discount_id: int) -> bool:
    """Delete the discount; False when the schema refuses (RESTRICT: an order names
    it), and then nothing is deleted."""
    try:
        with connection.begin_nested():  # the refusal rolls back to here, the transaction goes on
            connection.execute(delete(Discount).where(Discount.id == discount_id))
    except IntegrityError:
        return False
    return True


# -- Fast reads (shop.storage.reads) ---------------------------------------------------

_SELECT = f"SELECT {', '.join(DISCOUNT.columns)} FROM discounts"


async def by_id(reads: Reads, discount_id: int) -> DiscountRow | None:
    return await reads.one(DISCOUNT, _SELECT + " WHERE id = :id", {"id": discount_id})


def _conditions(key: str | None, active: bool | None, params: dict[str, Any]) -> list[str]:
    conditions = []
    if key is not None:
        conditions.append("code_key = :code_key")
        params["code_key"] = key
    if active is not None:
        conditions.append("active = :active")
        params["active"] = active
    return conditions


async def window(reads: Reads, key: str | None, active: bool | None, rows: Window) -> list[DiscountRow]:
    """A page of the discounts (with `key`: the one of that code; with `active`: those that are, or are not)."""
    params: dict[str, Any] = {}
    return await reads.all(DISCOUNT, _SELECT + rows.sql(_conditions(key, active, params), params), params)


async def count(reads: Reads, key: str | None, active: bool | None) -> int:
    params: dict[str, Any] = {}
    sql = "SELECT count(*) FROM discounts" + where(_conditions(key, active, params))
    return int(await reads.scalar(sql, params))


# -- Codes at checkout: uses taken and given back in an order's transaction ------------

# Built once (POST /orders): a use taken only while the code is active, valid now and
# not used up. One conditional UPDATE: concurrent orders in any number of workers
# cannot take more uses than the limit.
_TAKE = (
    update(Discount)
    .where(
        Discount.id == bindparam("discount_id"),
        Discount.active.is_(True),
        or_(Discount.starts_at.is_(None), Discount.starts_at <= bindparam("now")),
        or_(Discount.ends_at.is_(None), Discount.ends_at > bindparam("now")),
        or_(Discount.usage_limit.is_(None), Discount.times_used < Discount.usage_limit),
    )
    .values(times_used=Discount.times_used + 1)
    .returning(Discount.id)
)


def take(connection: Connection, discount_id: int, now: datetime) -> bool:
    """A use of the discount taken; False when it is not to be had (and nothing changed)."""
    return connection.execute(_TAKE, {"discount_id": discount_id, "now": now}).first() is not None


# No limit, as a number the conditional upsert can compare with.
_NO_LIMIT = 2**31 - 1


@functools.cache
def _count_use(dialect: str) -> Any:
    """The customer's count, one more unless it has reached :limit: built once per
    dialect (building statements costs more than running them)."""
    insert_of = postgresql_insert if dialect == "postgresql" else sqlite_insert
    upsert = (
        insert_of(DiscountUse)
        .values(discount_id=bindparam("discount_id"), user_id=bindparam("user_id"), uses=1)
        .on_conflict_do_update(
            index_elements=[DiscountUse.discount_id, DiscountUse.user_id],
            set_={"uses": DiscountUse.uses + 1},
            where=DiscountUse.uses < bindparam("limit"),
        )
    )
    return upsert.returning(DiscountUse.uses)


def take_for_customer(connection: Connection, discount_id: int, user_id: int, limit: int | None) -> bool:
    """One more use by the customer, unless they hold `limit` already (None: no limit,
    and the count is kept all the same): one conditional upsert, so a customer racing
    themself cannot pass it either."""
    values = {"discount_id": discount_id, "user_id": user_id, "limit": _NO_LIMIT if limit is None else limit}
    return connection.execute(_count_use(connection.dialect.name), values).first() is not None


def give_back(connection: Connection, discount_id: int, user_id: int) -> None:
    """The use an order held, given back to the code and to its customer's count."""
    connection.execute(
        update(Discount)
        .where(Discount.id == discount_id, Discount.times_used > 0)
        .values(times_used=Discount.times_used - 1)
    )
    connection.execute(
        update(DiscountUse)
        .where(DiscountUse.discount_id == discount_id, DiscountUse.user_id == user_id, DiscountUse.uses > 0)
        .values(uses=DiscountUse.uses - 1)
    )


def now_as_stored(connection: Connection, discount_id: int) -> DiscountRow | None:
    """The discount as it is in this transaction (why a use was refused)."""
    row = connection.execute(select(*_COLUMNS).where(Discount.id == discount_id)).first()
    return DISCOUNT.make(row) if row is not None else None


def customer_uses_now(connection: Connection, discount_id: int, user_id: int) -> int:
    statement = select(DiscountUse.uses).where(DiscountUse.discount_id == discount_id, DiscountUse.user_id == user_id)
    return int(connection.execute(statement).scalar() or 0)


async def by_code(reads: Reads, code_key: str) -> DiscountRow | None:
    sql = f"SELECT {DISCOUNT.select_list()} FROM discounts WHERE code_key = :code_key"
    return await reads.one(DISCOUNT, sql, {"code_key": code_key})


async def customer_uses(reads: Reads, discount_id: int, user_id: int) -> int:
    sql = "SELECT uses FROM discount_uses WHERE discount_id = :discount_id AND user_id = :user_id"
    return int(await reads.scalar(sql, {"discount_id": discount_id, "user_id": user_id}) or 0)
