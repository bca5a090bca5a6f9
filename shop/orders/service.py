"""The rules about orders, as plain async functions over a session.

Stock is only ever changed by conditional UPDATEs inside the order's own
transaction (`stock = stock - q WHERE stock >= q`), never read, computed and
written back, so concurrent orders from any number of workers cannot oversell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shop.auth import Caller
from shop.direct import DirectReads, utc
from shop.errors import Conflict, Forbidden, Invalid, NotFound
from shop.models import Order, OrderLine, Product, User, utcnow
from shop.orders.schemas import OrderCreate, OrderList, OrderUpdate, Status
from shop.paging import Ordering, Page, Totals, fetch_page

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


async def _change_stock(session: AsyncSession, quantities: Mapping[int, int], sign: int) -> set[int]:
    """Add (sign=1) or take (sign=-1) stock in one statement; taking never goes
    below zero. Returns the ids whose stock changed."""
    if not quantities:
        return set()
    amount = case(dict(quantities), value=Product.id)
    statement = update(Product).where(Product.id.in_(quantities)).values(stock=Product.stock + sign * amount)
    if sign < 0:
        statement = statement.where(Product.stock >= amount)
    result = await session.execute(statement.returning(Product.id), execution_options={"synchronize_session": False})
    return set(result.scalars())


async def place_order(session: AsyncSession, caller: Caller, new: OrderCreate) -> tuple[Order, list[OrderLine]]:
    """One transaction: every line's stock is taken, or nothing changes."""
    new.check_distinct_products()
    owner = new.user_id if new.user_id is not None else caller.id
    if owner != caller.id:
        if not caller.is_admin:
            raise Forbidden("A customer can only order for themself.")
        if (await session.execute(select(User.id).where(User.id == owner))).scalar_one_or_none() is None:
            raise Invalid.at(["body", "user_id"], "No such user.")

    wanted = {line.product_id: line.quantity for line in new.items}
    found = {
        row.id: row for row in await session.execute(select(Product.id, Product.name).where(Product.id.in_(wanted)))
    }
    unknown = [
        {"loc": ["body", "items", index, "product_id"], "msg": "No such product."}
        for index, line in enumerate(new.items)
        if line.product_id not in found
    ]
    if unknown:
        raise Invalid("The order names products that do not exist.", errors=unknown)

    taken = await _change_stock(session, wanted, -1)
    short = [product_id for product_id in wanted if product_id not in taken]
    if short:
        names = ", ".join(f"{found[pid].name} (id {pid})" for pid in short)
        raise Conflict(f"Not enough stock for: {names}. Nothing was ordered.")

    # Prices as they are now, read after the stock rows were locked by the update.
    prices = dict((await session.execute(select(Product.id, Product.price_cents).where(Product.id.in_(wanted)))).all())
    now = utcnow()
    order = Order(
        user_id=owner,
        status="pending",
        total_cents=sum(prices[pid] * quantity for pid, quantity in wanted.items()),
        total_set_by_admin=False,
        created_at=now,
        updated_at=now,
    )
    session.add(order)
    await session.flush()
    lines = [
        OrderLine(
            order_id=order.id,
            product_id=line.product_id,
            name=found[line.product_id].name,
            unit_price_cents=prices[line.product_id],
            quantity=line.quantity,
        )
        for line in new.items
    ]
    session.add_all(lines)
    await session.flush()
    return order, lines


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
        session,
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
    lines = (await lines_of(session, [order_id]))[order_id]
    held = {line.product_id: line.quantity for line in lines if line.product_id is not None}
    await _change_stock(session, held, +1)


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
