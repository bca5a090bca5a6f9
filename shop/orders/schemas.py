"""What a client may send about orders, and what it sees."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field, with_config

from shop.kernel import codec
from shop.kernel.codec import Timestamp
from shop.kernel.errors import Invalid
from shop.kernel.fields import NOT_NULL, Changes
from shop.kernel.ids import Id, QueryId
from shop.kernel.money import Amount, Currency, Money, format_cents
from shop.storage import models
from shop.storage.keyset import ListQuery

if TYPE_CHECKING:
    from shop.orders.store import LineRow, OrderRow

Status = models.OrderStatus
MAX_LINES = 100


class LineIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    product_id: Annotated[Id, Field(examples=[1])]
    quantity: Annotated[int, Field(ge=1, le=10_000, examples=[2])]


class OrderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    items: Annotated[list[LineIn], Field(min_length=1, max_length=MAX_LINES)]
    user_id: Id | None = None

    def check_distinct_products(self) -> None:
        """No product twice: 422 at the line that repeats one."""
        seen: set[int] = set()
        errors = []
        for index, line in enumerate(self.items):
            if line.product_id in seen:
                errors.append(
                    {
                        "loc": ["body", "items", index, "product_id"],
                        "msg": "This product is in the order more than once.",
                    }
                )
            seen.add(line.product_id)
        if errors:
            raise Invalid("The same product is in the order more than once.", errors=errors)


class OrderUpdate(Changes):
    status: Annotated[Status | None, NOT_NULL, Field(examples=["paid"])] = None
    total_price: Annotated[Money | None, NOT_NULL] = None


class OrderList(ListQuery):
    user_id: QueryId | None = None
    status: Status | None = None


@with_config(ConfigDict(extra="forbid"))
class OrderItem(TypedDict):
    """A line as sold: the product's name and price when the order was placed."""

    product_id: Id | None  # null once the product has left the catalogue
    name: str
    unit_price: Amount
    quantity: Annotated[int, Field(ge=1, le=10_000)]
    line_total: Amount


@with_config(ConfigDict(extra="forbid"))
class Order(TypedDict):
    id: Id
    user_id: Id
    status: Status
    items: list[OrderItem]
    total_price: Amount
    currency: Currency
    # Why a cancelled order was cancelled: by its customer, by an admin, or
    # expired unpaid (UNPAID_ORDER_TTL_SECONDS); null on every other order.
    cancel_reason: Literal["customer", "admin", "expired"] | None
    created_at: Timestamp
    updated_at: Timestamp


def public(order: OrderRow, lines: Sequence[LineRow], currency: str) -> Order:
    return {
        "id": order.id,
        "user_id": order.user_id,
        "status": order.status,
        "items": [
            {
                "product_id": line.product_id,
                "name": line.name,
                "unit_price": format_cents(line.unit_price_cents),
                "quantity": line.quantity,
                "line_total": format_cents(line.unit_price_cents * line.quantity),
            }
            for line in lines
        ],
        "total_price": format_cents(order.total_cents),
        "currency": currency,
        "cancel_reason": order.cancel_reason,
        "created_at": codec.timestamp(order.created_at),
        "updated_at": codec.timestamp(order.updated_at),
    }
