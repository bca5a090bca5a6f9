"""What a client may send about orders, and what it sees."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shop import codec
from shop.errors import Invalid
from shop.models import Order, OrderLine
from shop.money import Money, format_cents
from shop.paging import ListQuery, QueryId
from shop.validation import NOT_NULL, Changes

Status = Literal["pending", "paid", "shipped", "delivered", "cancelled"]
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
MAX_LINES = 100


class LineIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    product_id: Id
    quantity: Annotated[int, Field(ge=1, le=10_000)]


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
    status: Annotated[Status | None, NOT_NULL] = None
    total_price: Annotated[Money | None, NOT_NULL] = None


class OrderList(ListQuery):
    user_id: QueryId | None = None
    status: Status | None = None


def public(order: Order, lines: Sequence[OrderLine], currency: str) -> dict[str, Any]:
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
        "created_at": codec.timestamp(order.created_at),
        "updated_at": codec.timestamp(order.updated_at),
    }
