"""The rules about orders, as plain async functions over a session.

Stock is only ever changed by conditional UPDATEs inside the order's own
transaction (`stock = stock - q WHERE stock >= q`), never read, computed and
written back, so concurrent orders from any number of workers cannot oversell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from sqlalchemy import bindparam, case, delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from shop.auth import Caller
from shop.direct import DirectReads, utc
from shop.errors import Conflict, Forbidden, Invalid, NotFound
from shop.models import Order, OrderLine, Product, User, utcnow
from shop.orders.schemas import OrderCreate, OrderList, OrderUpdate, Status
from shop.paging import Ordering, Page, Totals, fetch_page, session_rows

# Where each status may move next.
MOVES: Mapping[str, frozenset[str]] = {
    "pending": frozenset({"paid", "cancelled"}),
    "paid": frozenset({"shipped", "cancelled"}),
    "shipped": frozenset({"delivered"}),
    "delivered": frozenset(),
    "cancelled": frozenset(),
}
# An order in these statuses still holds the stock it took.
HOLDS_STOCK = frozenset({"pending", "paid"})

Lines = dict[int, list[OrderLine]]


# Built once: building statements cost more than SQLite running them.
# One line's stock taken, never below zero, with its name and price as they are now.
_TAKE = (
    update(Product)
    .where(Product.id == bindparam("product_id"), Product.stock >= bindparam("quantity"))
    .values(stock=Product.stock - bindparam("quantity"))
    .returning(Product.id, Product.name, Product.price_cents)
)
_ADD_ORDER = insert(Order).returning(Order.id)
_ADD_LINES = insert(OrderLine)


def place_order(connection: Connection, caller: Caller, new: OrderCreate) -> tuple[OrderRow, list[LineRow]]:
    """One transaction (the caller's, `Database.run`): every line's stock is
    taken, or nothing changes. Plain Core: when all is well, one statement
    per line to take its stock, one for the order, one for its lines."""
    new.check_distinct_products()
    owner = new.user_id if new.user_id is not None else caller.id
    if owner != caller.id:
        if not caller.is_admin:
            raise Forbidden("A customer can only order for themself.")
        if connection.execute(select(User.id).where(User.id == owner)).first() is None:
            raise Invalid.at(["body", "user_id"], "No such user.")

    # In product order, so concurrent orders lock rows in the same order (no deadlocks).
    taken = {}
    for line in sorted(new.items, key=lambda line: line.product_id):
        row = connection.execute(_TAKE, {"product_id": line.product_id, "quantity": line.quantity}).first()
        if row is not None:
            taken[row.id] = row
    if len(taken) < len(new.items):
        _refuse(connection, new, taken.keys())  # raises: the transaction rolls back

    now = utcnow()
    lines = [
        LineRow(line.product_id, taken[line.product_id].name, taken[line.product_id].price_cents, line.quantity)
        for line in new.items
    ]
    total = sum(line.unit_price_cents * line.quantity for line in lines)
    order = {"user_id": owner, "status": "pending", "total_cents": total, "total_set_by_admin": False}
    order_id = connection.execute(_ADD_ORDER, {**order, "created_at": now, "updated_at": now}).scalar_one()
    connection.execute(
        _ADD_LINES,
        [
            {
                "order_id": order_id,
                "product_id": line.product_id,
                "name": line.name,
                "unit_price_cents": line.unit_price_cents,
                "quantity": line.quantity,
            }
            for line in lines
        ],
    )
    return OrderRow(order_id, owner, "pending", total, now, now), lines


def _refuse(connection: Connection, new: OrderCreate, taken: Collection[int]) -> NoReturn:
    """Why some lines could not take their stock: unknown products (422) first, else 409."""
    wanted = [line.product_id for line in new.items]
    names: dict[int, str] = dict(
        connection.execute(select(Product.id, Product.name).where(Product.id.in_(wanted))).all()
    )
    unknown = [
        {"loc": ["body", "items", index, "product_id"], "msg": "No such product."}
        for index, product_id in enumerate(wanted)
        if product_id not in names
    ]
    if unknown:
        raise Invalid("The order names products that do not exist.", errors=unknown)
    short = ", ".join(f"{names[product_id]} (id {product_id})" for product_id in wanted if product_id not in taken)
    raise Conflict(f"Not enough stock for: {short}. Nothing was ordered.")


async def lines_of(session: AsyncSession, order_ids: Sequence[int]) -> Lines:
    """The lines of several orders in one query (no N+1)."""
    found: Lines = defaultdict(list)
    if order_ids:
        statement = select(OrderLine).where(OrderLine.order_id.in_(order_ids)).order_by(OrderLine.id)
        for line in (await session.execute(statement)).scalars():
            found[line.order_id].append(line)
    return found


async def visible_order(session: AsyncSession, caller: Caller, order_id: int, *, lock: bool = False) -> Order:
    """The order if the caller may see it; someone else's is "not found"."""
    statement = select(Order).where(Order.id == order_id)
    if lock:
        statement = statement.with_for_update()
    order = (await session.execute(statement)).scalar_one_or_none()
    if order is None or (not caller.is_admin and order.user_id != caller.id):
        raise NotFound("No such order.")
    return order


@dataclass(frozen=True, slots=True)
class OrderRow:
    id: int
    user_id: int
    status: Status
    total_cents: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class LineRow:
    product_id: int | None
    name: str
    unit_price_cents: int
    quantity: int


# The order and its lines in one query: one row per line (or one with no line).
_WITH_LINES = (
    "SELECT o.id, o.user_id, o.status, o.total_cents, o.created_at, o.updated_at,"
    " l.id, l.product_id, l.name, l.unit_price_cents, l.quantity"
    " FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id WHERE o.id = ? ORDER BY l.id"
)


async def read_order(reads: DirectReads, caller: Caller, order_id: int) -> tuple[OrderRow, list[LineRow]]:
    """An order for showing, read in one trip to the driver (GET /orders/{id})."""
    rows = await reads.rows(_WITH_LINES, order_id)
    if not rows or (not caller.is_admin and rows[0][1] != caller.id):
        raise NotFound("No such order.")
    first = rows[0]
    order = OrderRow(first[0], first[1], first[2], first[3], utc(first[4]), utc(first[5]))
    return order, [LineRow(row[7], row[8], row[9], row[10]) for row in rows if row[6] is not None]


async def list_orders(
    session: AsyncSession, caller: Caller, query: OrderList, *, totals: Totals
) -> tuple[Page[Order], Lines]:
    """Newest first; a customer sees only their own."""
    if not caller.is_admin and query.user_id not in (None, caller.id):
        raise Forbidden("A customer can only list their own orders.")
    statement = select(Order)
    owner = query.user_id if caller.is_admin else caller.id
    if owner is not None:
        statement = statement.where(Order.user_id == owner)
    if query.status is not None:
        statement = statement.where(Order.status == query.status)
    page = await fetch_page(
        session_rows(session),
        statement,
        query=query,
        ordering=Ordering((Order.id,), descending=True),
        key_types=(int,),
        key_of=lambda row: [row[0].id],
        convert=lambda row: row[0],
        totals=totals,
        count_key=("orders", owner, query.status),
    )
    return page, await lines_of(session, [order.id for order in page.items])


async def _return_stock(session: AsyncSession, order_id: int) -> None:
    """Put an order's stock back, in one statement."""
    lines = (await lines_of(session, [order_id]))[order_id]
    held = {line.product_id: line.quantity for line in lines if line.product_id is not None}
    if held:
        amount = case(held, value=Product.id)
        statement = update(Product).where(Product.id.in_(held)).values(stock=Product.stock + amount)
        await session.execute(statement, execution_options={"synchronize_session": False})


async def update_order(
    session: AsyncSession, caller: Caller, order_id: int, changes: OrderUpdate
) -> tuple[Order, list[OrderLine]]:
    order = await visible_order(session, caller, order_id, lock=True)
    if changes.status is not None and changes.status not in MOVES[order.status]:
        raise Conflict(f"An order cannot move from {order.status} to {changes.status}.")
    if not caller.is_admin and (
        changes.total_price is not None or changes.status != "cancelled" or order.status != "pending"
    ):
        raise Forbidden("A customer can only cancel their own pending order.")
    if changes.status == "cancelled":
        await _return_stock(session, order.id)
    if changes.status is not None:
        order.status = changes.status
    if changes.total_price is not None:
        order.total_cents, order.total_set_by_admin = changes.total_price, True
    order.updated_at = utcnow()
    await session.flush()
    return order, (await lines_of(session, [order.id]))[order.id]


async def delete_order(session: AsyncSession, caller: Caller, order_id: int) -> None:
    order = await visible_order(session, caller, order_id, lock=True)
    if order.status in ("shipped", "delivered"):
        raise Conflict(f"A {order.status} order cannot be deleted.")
    if not caller.is_admin and order.status not in ("pending", "cancelled"):
        raise Forbidden("A customer can only delete their own pending or cancelled order.")
    if order.status in HOLDS_STOCK:
        await _return_stock(session, order.id)
    await session.execute(delete(Order).where(Order.id == order.id), execution_options={"synchronize_session": False})
