"""What a client may send about orders, and what it sees."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Literal, Self, TypedDict

from pydantic import BaseModel, ConfigDict, Field, model_validator, with_config

from shop.kernel import codec
from shop.kernel.codec import Timestamp
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
    """A variant, or a product that has one active variant, and how many."""

    model_config = ConfigDict(extra="forbid", strict=True)

    variant_id: Annotated[Id | None, Field(examples=[3], description="What to buy. Or give product_id.")] = None
    product_id: Annotated[
        Id | None, Field(examples=[1], description="A product with one active variant: that variant.")
    ] = None
    quantity: Annotated[int, Field(ge=1, le=10_000, examples=[2])]

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.variant_id is None) == (self.product_id is None):
            raise ValueError("Give variant_id, or product_id for a product with one variant: one of them.")
        return self


class OrderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    items: Annotated[list[LineIn], Field(min_length=1, max_length=MAX_LINES)]
    user_id: Id | None = None


class OrderUpdate(Changes):
    status: Annotated[Status | None, NOT_NULL, Field(examples=["paid"])] = None
    total_price: Annotated[Money | None, NOT_NULL] = None


class OrderList(ListQuery):
    user_id: QueryId | None = None
    status: Status | None = None


@with_config(ConfigDict(extra="forbid"))
class OrderItem(TypedDict):
    """A line as sold: the variant's SKU, options and price, its product's name,
    when the order was placed."""

    product_id: Id | None  # null once the product has left the catalogue
    variant_id: Id | None  # null once the product has left the catalogue
    sku: str | None  # null only on lines sold before variants, of products since deleted
    name: str
    options: dict[str, str]
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
                "variant_id": line.variant_id,
                "sku": line.sku,
                "name": line.name,
                "options": codec.stored(line.options),
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
