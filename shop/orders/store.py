"""The orders' SQL: the one place that reads or writes `orders` and their `order_lines`.

Writes are Core statements on the unit of work's connection; reads are plain
SQL on the fast reads (`shop.storage.reads`). Both give `OrderRow`s and `LineRow`s.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, exists, insert, select, update
from sqlalchemy.engine import Connection

from shop.storage.keyset import Window
from shop.storage.models import CancelReason, Order, OrderLine, OrderStatus
from shop.storage.reads import Reads, in_list, row_type, where


class OrderRow(NamedTuple):
    id: int
    user_id: int
    status: OrderStatus
    total_cents: int  # what is due: the priced total, unless an admin set it by hand
    created_at: datetime
    updated_at: datetime
    cancel_reason: CancelReason | None  # why a cancelled order was cancelled
    # Every other figure as priced when the order was placed (shop.orders.pricing).
    subtotal_cents: int
    discount_cents: int
    shipping_cents: int
    shipping_tax_cents: int
    tax_cents: int  # the lines' and the shipping's
    prices_include_tax: bool
    discount_code: str | None
    shipping_address: str | None  # JSON: the address as given
    shipping_rate: str | None  # JSON: {"id", "name", "price"} as chosen
    discount_id: int | None  # the discount code whose use it holds (None: it took none)


class LineRow(NamedTuple):
    """A line as sold: the variant's SKU, options and price, and its product's name,
    when the order was placed; and its figures as priced then."""

    product_id: int | None  # None once the product has left the catalogue
    variant_id: int | None  # None once the product has left the catalogue
    sku: str | None
    options: str  # JSON
    name: str
    unit_price_cents: int
    quantity: int
    discount_cents: int = 0
    tax_cents: int = 0
    tax_class: str = "standard"
    tax_rate_bp: int = 0  # hundredths of a percent


class Placed(NamedTuple):
    order: OrderRow
    lines: list[LineRow]


class Figures(NamedTuple):
    """What a new order keeps of its pricing, besides its lines."""

    subtotal_cents: int
    discount_cents: int
    shipping_cents: int
    shipping_tax_cents: int
    tax_cents: int
    total_cents: int
    prices_include_tax: bool
    discount_code: str | None
    shipping_address: str | None
    shipping_rate: str | None
    discount_id: int | None = None  # the code it takes a use of


ORDER = row_type(OrderRow)
LINE = row_type(LineRow)
_COLUMNS = [Order.__table__.c[name] for name in ORDER.columns]
_LINE_COLUMNS = [OrderLine.__table__.c[name] for name in LINE.columns]
Lines = dict[int, list[LineRow]]


# -- Writes, on the unit of work's connection ---------------------------------

# Built once: building statements costs more than SQLite running them (POST /orders).
_ADD_ORDER = insert(Order).returning(Order.id)
_ADD_LINES = insert(OrderLine)


def add(
    connection: Connection, user_id: int, lines: list[LineRow], now: datetime, figures: Figures | None = None
) -> Placed:
    """A new pending order of `lines`, priced as `figures` say (None: the lines' sum, nothing
    shipped, discounted or taxed)."""
    if figures is None:
        subtotal = sum(line.unit_price_cents * line.quantity for line in lines)
        figures = Figures(subtotal, 0, 0, 0, 0, subtotal, False, None, None, None, None)
    values = {"user_id": user_id, "status": "pending", "total_set_by_admin": False, **figures._asdict()}
    order_id = connection.execute(_ADD_ORDER, {**values, "created_at": now, "updated_at": now}).scalar_one()
    connection.execute(_ADD_LINES, [dict(zip(LINE.columns, line, strict=True), order_id=order_id) for line in lines])
    order = OrderRow(
        order_id,
        user_id,
        "pending",
        figures.total_cents,
        now,
        now,
        None,
        *figures[:5],
        figures.prices_include_tax,
        figures.discount_code,
        figures.shipping_address,
        figures.shipping_rate,
        figures.discount_id,
    )
    return Placed(order, lines)


_LOCKED = select(*_COLUMNS).where(Order.id == bindparam("order_id")).with_for_update()


def locked(connection: Connection, order_id: int) -> OrderRow | None:
    """The order, locked until the transaction ends (PostgreSQL; SQLite's writer holds the whole database)."""
    row = connection.execute(_LOCKED, {"order_id": order_id}).first()
    return ORDER.make(row) if row is not None else None


def lines_of(connection: Connection, order_id: int) -> list[LineRow]:
    statement = select(*_LINE_COLUMNS).where(OrderLine.order_id == order_id).order_by(OrderLine.id)
    return [LINE.make(row) for row in connection.execute(statement)]


def change(
    connection: Connection,
    order_id: int,
    now: datetime,
    *,
    status: str | None,
    total_cents: int | None,
    cancel_reason: CancelReason | None = None,
) -> OrderRow:
    values: dict[str, Any] = {"updated_at": now}
    if status is not None:
        values.update(status=status, cancel_reason=cancel_reason)
    if total_cents is not None:
        values.update(total_cents=total_cents, total_set_by_admin=True)
    return ORDER.make(
        connection.execute(update(Order).where(Order.id == order_id).values(values).returning(*_COLUMNS)).one()
    )


def overdue(connection: Connection, deadline: datetime, limit: int) -> list[int]:
    """Up to `limit` pending orders placed before `deadline`, oldest first."""
    statement = (
        select(Order.id)
        .where(Order.status == "pending", Order.created_at < deadline)
        .order_by(Order.created_at, Order.id)
        .limit(limit)
    )
    return [int(order_id) for order_id in connection.execute(statement).scalars()]


def expire(connection: Connection, order_id: int, now: datetime) -> OrderRow | None:
    """Cancel the order as expired if it is still pending: one conditional write,
    so of racing sweeps (or a sweep racing a payment) exactly one wins. The
    order as expired; None when it was no longer pending."""
    statement = (
        update(Order)
        .where(Order.id == order_id, Order.status == "pending")
        .values(status="cancelled", cancel_reason="expired", updated_at=now)
        .returning(*_COLUMNS)
    )
    row = connection.execute(statement).first()
    return ORDER.make(row) if row is not None else None


def remove(connection: Connection, order_id: int) -> None:
    """The order and its lines (ON DELETE CASCADE)."""
    connection.execute(delete(Order).where(Order.id == order_id))


def any_of_user(connection: Connection, user_id: int) -> bool:
    """Whether the user has orders, cancelled ones included."""
    return bool(connection.execute(select(exists().where(Order.user_id == user_id))).scalar())


# -- Fast reads (shop.storage.reads) ---------------------------------------------------

# The order and its lines in one query: one row per line (none: one row of NULLs).
_WITH_LINES = (
    f"SELECT {ORDER.select_list('o')}, {LINE.select_list('l')}, l.id"
    " FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id WHERE o.id = :id ORDER BY l.id"
)
_SPLIT = len(ORDER.columns)


async def with_lines(reads: Reads, order_id: int) -> Placed | None:
    rows = await reads.rows(_WITH_LINES, {"id": order_id})
    if not rows:
        return None
    lines = [LINE.make(row[_SPLIT:-1]) for row in rows if row[-1] is not None]
    return Placed(ORDER.make(rows[0][:_SPLIT]), lines)


def _conditions(user_id: int | None, status: str | None, params: dict[str, Any]) -> list[str]:
    conditions = []
    if user_id is not None:
        conditions.append("user_id = :user_id")
        params["user_id"] = user_id
    if status is not None:
        conditions.append("status = :status")
        params["status"] = status
    return conditions


async def window(reads: Reads, user_id: int | None, status: str | None, rows: Window) -> list[OrderRow]:
    params: dict[str, Any] = {}
    sql = f"SELECT {ORDER.select_list()} FROM orders" + rows.sql(_conditions(user_id, status, params), params)
    return await reads.all(ORDER, sql, params)


async def count(reads: Reads, user_id: int | None, status: str | None) -> int:
    params: dict[str, Any] = {}
    return int(await reads.scalar("SELECT count(*) FROM orders" + where(_conditions(user_id, status, params)), params))


async def lines_by_order(reads: Reads, order_ids: Sequence[int]) -> Lines:
    """The lines of several orders in one query (no N+1)."""
    found: Lines = defaultdict(list)
    if order_ids:
        params: dict[str, Any] = {}
        among = in_list("id", order_ids, params)
        sql = f"SELECT order_id, {LINE.select_list()} FROM order_lines WHERE order_id IN {among} ORDER BY id"
        for row in await reads.rows(sql, params):
            found[row[0]].append(LINE.make(row[1:]))
    return found
