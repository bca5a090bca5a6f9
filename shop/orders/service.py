"""The rules about orders, over `OrderRow`s and `LineRow`s from the store.

Stock is only ever changed by conditional UPDATEs inside the order's own
transaction (`products.service.take_lines`), never read, computed and written back, so
concurrent orders from any number of workers cannot oversell.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from shop.discounts import service as discounts
from shop.events import service as events
from shop.events.schemas import EventType
from shop.idempotency import service as idempotency
from shop.kernel import codec
from shop.kernel.callers import Caller
from shop.kernel.errors import Conflict, Forbidden, Invalid, NotFound, ShopError
from shop.kernel.money import format_cents
from shop.orders import checkout, store
from shop.orders.checkout import Selling, Terms
from shop.orders.pricing import Line
from shop.orders.schemas import OrderCreate, OrderList, OrderUpdate, Quote, public, quoted
from shop.orders.store import LineRow as LineRow
from shop.orders.store import OrderRow as OrderRow
from shop.orders.store import Placed as Placed
from shop.products import service as products
from shop.storage.database import Database
from shop.storage.keyset import Page, Sort, Totals, Window, fetch_page
from shop.storage.models import CancelReason, MovementReason
from shop.users import service as users

# How much of an order its payments cover (shop.payments.service.applied_cents): the
# ledger is the payments' to keep, and an app hands this to the rules that need it.
PaidCents = Callable[[Connection, int], int]

# Where each status may move next.
MOVES: Mapping[str, frozenset[str]] = {
    "pending": frozenset({"paid", "cancelled"}),
    "paid": frozenset({"shipped", "cancelled"}),
    "shipped": frozenset({"delivered"}),
    "delivered": frozenset(),
    "cancelled": frozenset(),
}
# An order in these statuses still holds the stock it took, and its discount code's use.
HOLDS_STOCK = frozenset({"pending", "paid"})
NEWEST_FIRST = Sort(OrderRow, ("id",), descending=True)
# The event a status move tells of.
MOVED: Mapping[str, EventType] = {
    "paid": "order.paid",
    "shipped": "order.shipped",
    "delivered": "order.delivered",
    "cancelled": "order.cancelled",
}


def tell(connection: Connection, kind: EventType, order: Placed, currency: str, now: datetime) -> None:
    """Record the event `kind` of the order, as the API shows it now, in this transaction."""
    events.record(connection, kind, f"order:{order.order.id}", public(order.order, order.lines, currency), now)


def place(
    connection: Connection, caller: Caller, new: OrderCreate, terms: Terms, now: datetime, currency: str
) -> Placed:
    """One transaction (the caller's unit of work): every line's stock is taken,
    or nothing changes; the lines are priced as they are sold, on `terms`. When
    all is well: one statement per line to take its stock, one for the order, one
    for its lines, one for their stock movements, and the order.created event."""
    owner = new.user_id if new.user_id is not None else caller.id
    if owner != caller.id:
        if not caller.is_admin:
            raise Forbidden("A customer can only order for themself.")
        if not users.exists(connection, owner):
            raise Invalid.at(["body", "user_id"], "No such user.")
    wanted = [products.Wanted(line.product_id, line.variant_id, line.quantity) for line in new.items]
    taken = products.take_lines(connection, wanted)
    quantities = [line.quantity for line in new.items]
    lines, figures = _priced(taken, quantities, terms)
    if figures.discount_id is not None:
        assert terms.offer is not None
        discounts.take_use(connection, terms.offer, owner, now)  # 409 when used up, by all or by this customer
    placed = store.add(connection, owner, lines, now, figures)
    products.record_taken(
        connection, placed.order.id, dict(zip([got.variant_id for got in taken], quantities, strict=True)), now
    )
    tell(connection, "order.created", placed, currency, now)
    if placed.order.total_cents == 0:  # nothing to pay: paid as placed, and never expires
        placed = mark_paid(connection, placed.order.id, now, currency)
    return placed


async def place_order(
    database: Database,
    caller: Caller,
    new: OrderCreate,
    now: datetime,
    *,
    selling: Selling,
    key: str | None,
    refusal: Callable[[ShopError], bytes],
) -> idempotency.Answer:
    """Place an order; with an Idempotency-Key, at most once (shop.idempotency.service.once)."""
    # Settled before the transaction, which holds SQLite's one writer; a refusal is
    # given inside it, so that a retry of an order once placed still gets its answer.
    refused: ShopError | None = None
    try:
        await _buyer(database, caller, new)
        terms = await checkout.settle(database, caller, new, selling, now)
    except ShopError as error:
        refused = error

    def placed(connection: Connection) -> bytes:
        if refused is not None:
            raise refused
        order = place(connection, caller, new, terms, now, selling.currency)
        return codec.dumps(public(order.order, order.lines, selling.currency))

    return await idempotency.once(database, caller.id, key, new.fingerprinted(), now, placed, refusal)


async def _buyer(database: Database, caller: Caller, new: OrderCreate) -> int:
    """Who the order is for may be refused before anything else is asked: a customer
    orders for themself; an admin for a user that exists (checked again in the order's
    transaction, where it counts)."""
    owner = new.user_id if new.user_id is not None else caller.id
    if owner != caller.id:
        if not caller.is_admin:
            raise Forbidden("A customer can only order for themself.")
        if await users.standing_of(database, owner) is None:
            raise Invalid.at(["body", "user_id"], "No such user.")
    return owner


async def quote(database: Database, caller: Caller, new: OrderCreate, selling: Selling, now: datetime) -> Quote:
    """What `new` would cost if it were placed now, as an order would price it; no
    stock is taken, nothing is written, nothing is told."""
    owner = await _buyer(database, caller, new)
    terms = await checkout.settle(database, caller, new, selling, now)
    wanted = [products.Wanted(line.product_id, line.variant_id, line.quantity) for line in new.items]
    sold = await products.lines_as_sold(database, wanted)
    lines, figures = _priced(sold, [line.quantity for line in new.items], terms)
    if figures.discount_id is not None:
        assert terms.offer is not None
        await discounts.check_uses(database, terms.offer, owner)  # as the order would take them
    serving = checkout.serving(terms.rates, figures.subtotal_cents - figures.discount_cents)
    return quoted(figures, lines, [checkout.shown_rate(rate) for rate in serving], selling.currency)


def _priced(
    sold: Sequence[products.Taken], quantities: Sequence[int], terms: Terms
) -> tuple[list[LineRow], store.Figures]:
    """The lines as sold and the order's figures, priced on `terms` (shop.orders.pricing):
    an order and its quote, alike."""
    offer = terms.offer
    lines = [
        Line(got.price_cents, n, got.tax_class, offer is None or offer.eligible(got.product_id, got.category_ids))
        for got, n in zip(sold, quantities, strict=True)
    ]
    bill = checkout.priced(lines, terms)
    rows = [
        LineRow(
            got.product_id,
            got.variant_id,
            got.sku,
            got.options,
            got.name,
            got.price_cents,
            n,
            figures.discount,
            figures.tax,
            got.tax_class,
            figures.tax_rate,
        )
        for got, n, figures in zip(sold, quantities, bill.lines, strict=True)
    ]
    address = codec.dumps(terms.address).decode() if terms.address is not None else None
    figures = store.Figures(
        bill.subtotal,
        bill.discount,
        bill.shipping,
        bill.shipping_tax,
        bill.tax,
        bill.total,
        terms.setting.prices_include_tax,
        offer.discount.code if offer is not None else None,
        address,
        terms.rate_json(),
        # A code worth nothing to this order takes no use of it.
        offer.discount.id if offer is not None and bill.benefit > 0 else None,
    )
    return rows, figures


def _visible(order: OrderRow | None, caller: Caller) -> OrderRow:
    """Someone else's order is "not found" to a customer: its existence is not revealed."""
    if order is None or (not caller.is_admin and order.user_id != caller.id):
        raise NotFound("No such order.")
    return order


async def read_order(database: Database, caller: Caller, order_id: int) -> Placed:
    found = await store.with_lines(database.reads, order_id)
    if found is None:
        raise NotFound("No such order.")
    _visible(found.order, caller)
    return found


async def list_orders(
    database: Database, caller: Caller, query: OrderList, totals: Totals
) -> tuple[Page[OrderRow], store.Lines]:
    """Newest first; a customer sees only their own."""
    if not caller.is_admin and query.user_id not in (None, caller.id):
        raise Forbidden("A customer can only list their own orders.")
    owner = query.user_id if caller.is_admin else caller.id

    async def rows(window: Window) -> list[OrderRow]:
        return await store.window(database.reads, owner, query.status, window)

    async def total() -> int:
        return await totals.count(
            ("orders", owner, query.status), lambda: store.count(database.reads, owner, query.status)
        )

    page = await fetch_page(query, NEWEST_FIRST, rows, total)
    return page, await store.lines_by_order(database.reads, [order.id for order in page.items])


async def expire_unpaid(database: Database, now: datetime, ttl_seconds: int, *, currency: str, batch: int = 100) -> int:
    """Cancel, as expired, every order still pending `ttl_seconds` after it was
    placed, and put its stock back: how many expired. One transaction a batch;
    safe beside other sweeps, in this process or another (shop.orders.store.expire)."""
    deadline = now - timedelta(seconds=ttl_seconds)
    expired = 0
    while True:

        def work(connection: Connection) -> tuple[int, int]:
            found = store.overdue(connection, deadline, batch)
            done = 0
            for order_id in found:
                expired = store.expire(connection, order_id, now)
                if expired is not None:
                    _give_back(connection, expired, "expiry", now)
                    tell(
                        connection,
                        "order.cancelled",
                        Placed(expired, store.lines_of(connection, order_id)),
                        currency,
                        now,
                    )
                    done += 1
            return len(found), done

        found, done = await database.transaction(work)
        expired += done
        if found < batch:
            return expired


def _give_back(connection: Connection, order: OrderRow, reason: MovementReason, now: datetime) -> None:
    """What the order held goes back: the stock to its variants (those still in the
    catalogue), each a movement; the use of its discount code to the code, once."""
    held = {line.variant_id: line.quantity for line in store.lines_of(connection, order.id) if line.variant_id}
    products.put_back_stock(connection, held, reason, order.id, now)
    if order.discount_id is not None:
        discounts.give_back(connection, order.discount_id, order.user_id)


# The order, locked for the rest of the caller's transaction (None: no such order):
# the payments, cancels, expiry and refunds of one order take their turns.
locked = store.locked


def mark_paid(connection: Connection, order_id: int, now: datetime, currency: str) -> Placed:
    """pending -> paid, in the transaction that records the payment that covers the
    order (its row locked first), and the order.paid event."""
    paid = Placed(
        store.change(connection, order_id, now, status="paid", total_cents=None), store.lines_of(connection, order_id)
    )
    tell(connection, "order.paid", paid, currency, now)
    return paid


async def update_order(
    database: Database,
    caller: Caller,
    order_id: int,
    changes: OrderUpdate,
    now: datetime,
    currency: str,
    *,
    paid_cents: PaidCents,
) -> Placed:
    """Status moves along MOVES; cancelling gives the stock back. A customer may
    only cancel their own pending order; only admins set the total."""

    def work(connection: Connection) -> Placed:
        order = _visible(store.locked(connection, order_id), caller)
        if changes.status is not None and changes.status not in MOVES[order.status]:
            raise Conflict(f"An order cannot move from {order.status} to {changes.status}.")
        if not caller.is_admin and (
            changes.total_price is not None or changes.status != "cancelled" or order.status != "pending"
        ):
            raise Forbidden("A customer can only cancel their own pending order.")
        reason: CancelReason | None = None
        if changes.status == "cancelled":
            _give_back(connection, order, "cancel", now)
            reason = "admin" if caller.is_admin else "customer"
        status = changes.status
        if status is None and order.status == "pending" and changes.total_price is not None:
            # A total brought down to what was paid already settles the order, as that payment would have.
            applied = paid_cents(connection, order_id)
            if applied > 0 and applied >= changes.total_price:
                status = "paid"
        changed = store.change(
            connection, order_id, now, status=status, total_cents=changes.total_price, cancel_reason=reason
        )
        placed = Placed(changed, store.lines_of(connection, order_id))
        if changes.total_price is not None and changes.total_price != order.total_cents:
            before = {"previous_total_price": format_cents(order.total_cents)}
            data = {**public(placed.order, placed.lines, currency), **before}
            events.record(connection, "order.updated", f"order:{order_id}", data, now)
        if status is not None:
            tell(connection, MOVED[status], placed, currency, now)
        return placed

    return await database.transaction(work)


async def delete_order(database: Database, caller: Caller, order_id: int, currency: str, now: datetime) -> None:
    """Not once shipped or delivered; a customer only their own pending or
    cancelled one. The stock of an order that still held it goes back."""

    def work(connection: Connection) -> None:
        order = _visible(store.locked(connection, order_id), caller)
        if order.status in ("shipped", "delivered"):
            raise Conflict(f"A {order.status} order cannot be deleted.")
        if not caller.is_admin and order.status not in ("pending", "cancelled"):
            raise Forbidden("A customer can only delete their own pending or cancelled order.")
        lines = store.lines_of(connection, order_id)
        if order.status in HOLDS_STOCK:
            _give_back(connection, order, "delete", now)
        try:
            store.remove(connection, order_id)
        except IntegrityError:  # the schema keeps every payment's order (payments.order_id, ON DELETE RESTRICT)
            raise Conflict("This order has payments on record: it stays, with its money. Cancel it instead.") from None
        tell(connection, "order.deleted", Placed(order, lines), currency, now)

    await database.transaction(work)
