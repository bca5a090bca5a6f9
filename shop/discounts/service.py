"""The rules of discount codes, over the store's rows: the admins' side, and the
codes at checkout (below: looked up, checked, their uses taken and given back).

A code is unique ignoring case: checked first, and kept by the schema's unique
`code_key`, whose refusal in a race is the same 409. What `value` is depends on
the kind: a percentage from 0.01 to 100, or an amount of money above 0; a
free-shipping code has none (0 is stored). A discount never ends before it
starts. Its products and categories exist when they are named. A discount
that orders have used is never removed: deleting it deactivates it (the
schema refuses its removal, RESTRICT, and the refusal is the sign).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.engine import Connection

from shop.categories import service as categories
from shop.discounts import store
from shop.discounts.schemas import DiscountCreate, DiscountList, DiscountUpdate
from shop.discounts.store import DiscountRow
from shop.kernel import codec
from shop.kernel.errors import Conflict, Invalid, NotFound
from shop.kernel.money import PositiveMoney, format_cents
from shop.kernel.percent import Percent
from shop.products import service as products
from shop.storage.database import Database
from shop.storage.keyset import Page, Sort, Totals, Window, fetch_page

BY_ID = Sort(DiscountRow, ("id",))
NO_DISCOUNT = "No such discount."
VALUE: list[str | int] = ["body", "value"]

_PERCENT: TypeAdapter[int] = TypeAdapter(Percent)
_AMOUNT: TypeAdapter[int] = TypeAdapter(PositiveMoney)


# -- Pure rules ------------------------------------------------------------------------


def value_of(kind: str, value: Any, given: bool) -> int:
    """The stored value of a discount of this kind from the `value` sent (`given`:
    whether the body has it): hundredths of a percent, cents, or 0 (422 at body.value)."""
    if kind == "free_shipping":
        if given:
            raise Invalid.at(VALUE, "must be left out for a free_shipping discount")
        return 0
    if value is None:
        said = "is required" if not given else "must not be null"
        raise Invalid.at(VALUE, f"{said} for a {kind} discount")
    try:
        if kind == "percentage":
            hundredths = _PERCENT.validate_python(value)
            if hundredths == 0:
                raise Invalid.at(VALUE, "must be a percentage from 0.01 to 100")
            return hundredths
        return _AMOUNT.validate_python(value)
    except ValidationError as error:
        raise Invalid.at(VALUE, error.errors()[0]["msg"].removeprefix("Value error, ")) from None


def period_errors(starts_at: datetime | None, ends_at: datetime | None) -> None:
    """A discount ends after it starts (422 at body.ends_at)."""
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        shown = f"must be after starts_at ({codec.timestamp(ends_at)} is not after {codec.timestamp(starts_at)})"
        raise Invalid.at(["body", "ends_at"], shown)


def ids_json(ids: Sequence[int]) -> str:
    """Products' or categories' ids as stored: a JSON array, smallest first."""
    return codec.dumps(sorted(ids)).decode()


def ids_of(stored: str) -> tuple[int, ...]:
    """The ids of a discount's `product_ids` or `category_ids`, smallest first."""
    return tuple(codec.loads(stored))


def _named(connection: Connection, product_ids: Sequence[int] | None, category_ids: Sequence[int] | None) -> None:
    """Every id names a product / a category (422 at body.product_ids.<index> / body.category_ids.<index>)."""
    errors: list[dict[str, Any]] = []
    for field, ids, known, missing in (
        ("product_ids", product_ids, products.existing_products, "No such product."),
        ("category_ids", category_ids, categories.existing, "No such category."),
    ):
        if ids:
            found = known(connection, ids)
            errors += [{"loc": ["body", field, at], "msg": missing} for at, each in enumerate(ids) if each not in found]
    if errors:
        raise Invalid(errors[0]["msg"], errors=errors)


# -- Writes ------------------------------------------------------------------------------


async def create_discount(database: Database, new: DiscountCreate, now: datetime) -> DiscountRow:
    value = value_of(new.kind, new.value, "value" in new.model_fields_set)
    period_errors(new.starts_at, new.ends_at)

    def work(connection: Connection) -> DiscountRow:
        _named(connection, new.product_ids, new.category_ids)
        key = store.code_key(new.code)
        if store.taken(connection, key):
            raise Conflict(store.TAKEN)
        values = {
            "code": new.code,
            "code_key": key,
            "kind": new.kind,
            "value": value,
            "starts_at": new.starts_at,
            "ends_at": new.ends_at,
            "usage_limit": new.usage_limit,
            "per_customer_limit": new.per_customer_limit,
            "min_subtotal_cents": new.min_subtotal,
            "product_ids": ids_json(new.product_ids),
            "category_ids": ids_json(new.category_ids),
            "active": new.active,
        }
        return store.add(connection, values, now)

    return await database.transaction(work)


_NULLABLE = {
    "starts_at": "starts_at",
    "ends_at": "ends_at",
    "usage_limit": "usage_limit",
    "per_customer_limit": "per_customer_limit",
    "min_subtotal": "min_subtotal_cents",
}


async def update_discount(database: Database, discount_id: int, changes: DiscountUpdate, now: datetime) -> DiscountRow:
    """Any field but the kind; a nullable one given as null is removed. Checked as on
    creation, against the discount as it would become."""
    given = changes.model_fields_set

    def work(connection: Connection) -> DiscountRow:
        discount = store.locked(connection, discount_id)  # held: its uses are not taken meanwhile
        if discount is None:
            raise NotFound(NO_DISCOUNT)
        values: dict[str, Any] = {}
        if "value" in given:
            values["value"] = value_of(discount.kind, changes.value, True)
        for field, column in _NULLABLE.items():
            if field in given:
                values[column] = getattr(changes, field)
        if changes.active is not None:
            values["active"] = changes.active
        period_errors(values.get("starts_at", discount.starts_at), values.get("ends_at", discount.ends_at))
        limit = values.get("usage_limit", discount.usage_limit)
        if limit is not None and limit < discount.times_used:
            shown = f"must not be below the uses orders hold now ({discount.times_used})"
            raise Invalid.at(["body", "usage_limit"], shown)
        _named(connection, changes.product_ids, changes.category_ids)
        if changes.product_ids is not None:
            values["product_ids"] = ids_json(changes.product_ids)
        if changes.category_ids is not None:
            values["category_ids"] = ids_json(changes.category_ids)
        if changes.code is not None and changes.code != discount.code:
            key = store.code_key(changes.code)
            if key != discount.code_key and store.taken(connection, key, but=discount_id):
                raise Conflict(store.TAKEN)
            values.update(code=changes.code, code_key=key)
        if all(getattr(discount, column) == value for column, value in values.items()):
            return discount  # nothing changes: updated_at stays
        return store.change(connection, discount_id, values, now)

    return await database.transaction(work)


async def delete_discount(database: Database, discount_id: int, now: datetime) -> None:
    """Remove a discount no order has used; deactivate one that orders have used
    (an order names it), which stays readable."""

    def work(connection: Connection) -> None:
        discount = store.locked(connection, discount_id)
        if discount is None:
            raise NotFound(NO_DISCOUNT)
        if not store.remove(connection, discount_id) and discount.active:
            store.change(connection, discount_id, {"active": False}, now)

    await database.transaction(work)


# -- Reads ---------------------------------------------------------------------------------


async def read_discount(database: Database, discount_id: int) -> DiscountRow:
    discount = await store.by_id(database.reads, discount_id)
    if discount is None:
        raise NotFound(NO_DISCOUNT)
    return discount


async def list_discounts(database: Database, query: DiscountList, totals: Totals) -> Page[DiscountRow]:
    key = None if query.code is None else store.code_key(query.code)

    async def rows(window: Window) -> list[DiscountRow]:
        return await store.window(database.reads, key, query.active, window)

    async def total() -> int:
        counted = ("discounts", key, query.active)
        return await totals.count(counted, lambda: store.count(database.reads, key, query.active))

    return await fetch_page(query, BY_ID, rows, total)


# -- Codes at checkout ---------------------------------------------------------------
# A code is looked up, and its window checked, before the order's transaction; its use
# is taken in that transaction by one conditional UPDATE (store.take), never past the
# limits, and given back when the order stops holding it (cancelled, expired, deleted).


class Inactive(Conflict):
    slug = "discount-inactive"


class NotStarted(Conflict):
    slug = "discount-not-started"


class Expired(Conflict):
    slug = "discount-expired"


class UsedUp(Conflict):
    slug = "discount-used-up"


class UsedUpByCustomer(Conflict):
    slug = "discount-used-up-by-customer"


class MinimumNotMet(Conflict):
    slug = "discount-minimum-not-met"


class Offer(NamedTuple):
    """A discount code as an order may use it: which lines it is for."""

    discount: DiscountRow
    product_ids: frozenset[int]
    categories: frozenset[int]  # its categories and every one below them

    @property
    def for_every_line(self) -> bool:
        return not self.product_ids and not self.categories

    def eligible(self, product_id: int, category_ids: str) -> bool:
        """Whether a line of this product (in these categories, as JSON) takes the discount."""
        if self.for_every_line or product_id in self.product_ids:
            return True
        return bool(self.categories) and not self.categories.isdisjoint(codec.loads(category_ids))


def _valid_now(discount: DiscountRow, now: datetime) -> None:
    """409 with the reason the code cannot be used now, if it cannot."""
    code = discount.code
    if not discount.active:
        raise Inactive(f"The discount code {code} is not active.")
    if discount.starts_at is not None and now < discount.starts_at:
        raise NotStarted(f"The discount code {code} is valid from {codec.timestamp(discount.starts_at)}.")
    if discount.ends_at is not None and now >= discount.ends_at:
        raise Expired(f"The discount code {code} was valid until {codec.timestamp(discount.ends_at)}.")


async def offer(database: Database, code: str, now: datetime) -> Offer:
    """The code as an order may use it now; 422 at body.discount_code when there is no
    such code; 409 when it is inactive, not yet valid or no longer valid."""
    discount = await store.by_code(database.reads, code.lower())
    if discount is None:
        raise Invalid.at(["body", "discount_code"], "No such discount code.")
    _valid_now(discount, now)
    covered = await categories.at_and_below_all(database, codec.loads(discount.category_ids))
    return Offer(discount, frozenset(codec.loads(discount.product_ids)), frozenset(covered))


def check_minimum(offer: Offer, eligible_subtotal: int) -> None:
    """409 when the lines the code is for come to less than its minimum."""
    least = offer.discount.min_subtotal_cents
    if least is not None and eligible_subtotal < least:
        raise MinimumNotMet(
            f"The discount code {offer.discount.code} needs {format_cents(least)} of the goods it is for; "
            f"this order has {format_cents(eligible_subtotal)}."
        )


def _used_up(offer: Offer) -> UsedUp:
    return UsedUp(f"The discount code {offer.discount.code} has been used as often as it may be.")


def _used_up_by(offer: Offer) -> UsedUpByCustomer:
    limit = offer.discount.per_customer_limit
    return UsedUpByCustomer(f"This customer has used the discount code {offer.discount.code} {limit} times, its limit.")


async def check_uses(database: Database, offer: Offer, user_id: int) -> None:
    """What take_use would refuse now, without taking anything (a quote)."""
    discount = offer.discount
    if discount.usage_limit is not None and discount.times_used >= discount.usage_limit:
        raise _used_up(offer)
    limit = discount.per_customer_limit
    if limit is not None and await store.customer_uses(database.reads, discount.id, user_id) >= limit:
        raise _used_up_by(offer)


def take_use(connection: Connection, offer: Offer, user_id: int, now: datetime) -> None:
    """A use of the code for the customer's order, in its transaction; 409 saying why
    when none is to be had (the code changed since it was looked up, or is used up)."""
    discount = offer.discount
    if not store.take(connection, discount.id, now):
        found = store.now_as_stored(connection, discount.id)
        if found is None:
            raise Inactive(f"The discount code {discount.code} is not active.")
        _valid_now(found, now)
        raise _used_up(offer)
    if not store.take_for_customer(connection, discount.id, user_id, discount.per_customer_limit):
        raise _used_up_by(offer)


def give_back(connection: Connection, discount_id: int, user_id: int) -> None:
    """The use an order held, back to the code (its order cancelled, expired or deleted)."""
    store.give_back(connection, discount_id, user_id)
