"""What a client may send about orders, and what it sees."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Literal, Self, TypedDict

from pydantic import BaseModel, ConfigDict, Field, model_validator, with_config

from shop.addresses.schemas import AddressFields
from shop.kernel import codec
from shop.kernel.codec import Timestamp
from shop.kernel.fields import NOT_NULL, Changes
from shop.kernel.ids import Id, QueryId
from shop.kernel.money import Amount, Currency, Money, format_cents
from shop.kernel.percent import Rate, format_hundredths
from shop.storage import models
from shop.storage.keyset import ListQuery

if TYPE_CHECKING:
    from shop.orders import store
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
    """An order, or a quote of one: what to buy, and where it goes (nowhere: no address)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    items: Annotated[list[LineIn], Field(min_length=1, max_length=MAX_LINES)]
    user_id: Id | None = None
    shipping_address: Annotated[
        AddressFields | None, Field(description="Where to ship. Or give shipping_address_id; neither: nothing ships.")
    ] = None
    shipping_address_id: Annotated[Id | None, Field(description="An address of the caller's address book.")] = None
    shipping_rate_id: Annotated[
        Id | None, Field(description="A rate of the zone of the address's country; needed with an address.")
    ] = None
    discount_code: Annotated[
        str | None, Field(min_length=1, max_length=40, description="A discount code (ignoring case).")
    ] = None

    def fingerprinted(self) -> dict[str, object]:
        """What an Idempotency-Key's request is recognised by: the body as the shop read
        it, without the fields of checkout when they are not given, so that a retry of a
        body sent before orders shipped is still recognised as the same request."""
        later = ("shipping_address", "shipping_address_id", "shipping_rate_id", "discount_code")
        return self.model_dump(mode="json", exclude={name for name in later if getattr(self, name) is None})

    @model_validator(mode="after")
    def _one_address(self) -> Self:
        if self.shipping_address is not None and self.shipping_address_id is not None:
            raise ValueError("Give shipping_address or shipping_address_id, not both.")
        return self


class OrderUpdate(Changes):
    status: Annotated[Status | None, NOT_NULL, Field(examples=["paid"])] = None
    total_price: Annotated[Money | None, NOT_NULL] = None


class OrderList(ListQuery):
    user_id: QueryId | None = None
    status: Status | None = None


@with_config(ConfigDict(extra="forbid"))
class OrderItem(TypedDict):
    """A line as sold: the variant's SKU, options and price, its product's name,
    when the order was placed; and its figures as priced then."""

    product_id: Id | None  # null once the product has left the catalogue
    variant_id: Id | None  # null once the product has left the catalogue
    sku: str | None  # null only on lines sold before variants, of products since deleted
    name: str
    options: dict[str, str]
    unit_price: Amount
    quantity: Annotated[int, Field(ge=1, le=10_000)]
    subtotal: Annotated[Amount, Field(description="unit_price x quantity.")]
    discount: Annotated[Amount, Field(description="This line's share of the order's discount.")]
    tax_class: str
    tax_rate: Annotated[Rate, Field(description="The percentage its tax was charged at.")]
    tax: Annotated[Amount, Field(description="On subtotal - discount; included in it when prices include tax.")]
    line_total: Annotated[Amount, Field(description="subtotal - discount, plus tax when prices exclude tax.")]


@with_config(ConfigDict(extra="forbid"))
class AddressCopy(TypedDict):
    """An address as the order keeps it: what was given when it was placed."""

    name: str
    line1: str
    line2: str | None
    city: str
    postal_code: str
    region: str | None
    country: str
    phone: str | None


@with_config(ConfigDict(extra="forbid"))
class ChosenRate(TypedDict):
    """A shipping rate as chosen: its price then, which is not always what shipping cost
    (free over an amount)."""

    id: Id
    name: str
    price: Amount


@with_config(ConfigDict(extra="forbid"))
class Bill(TypedDict):
    """What an order costs and why: every figure of its pricing."""

    items: list[OrderItem]
    subtotal: Annotated[Amount, Field(description="The lines' subtotals.")]
    discount_total: Amount
    shipping_total: Annotated[Amount, Field(description="What shipping costs, tax excluded when prices exclude it.")]
    tax_total: Annotated[Amount, Field(description="The lines' tax and the shipping's.")]
    total_price: Annotated[Amount, Field(description="The lines' totals and shipping (and its tax, when added).")]
    currency: Currency
    prices_include_tax: bool
    discount_code: str | None
    shipping_address: AddressCopy | None  # null: nothing ships
    shipping_rate: ChosenRate | None


class Order(Bill):
    id: Id
    user_id: Id
    status: Status
    # Why a cancelled order was cancelled: by its customer, by an admin, or
    # expired unpaid (UNPAID_ORDER_TTL_SECONDS); null on every other order.
    cancel_reason: Literal["customer", "admin", "expired"] | None
    created_at: Timestamp
    updated_at: Timestamp


class Quote(Bill):
    shipping_rates: Annotated[
        list[ChosenRate], Field(description="The rates that ship this order to its address (none without one).")
    ]


def _bill(figures: OrderRow | store.Figures, lines: Sequence[LineRow], currency: str) -> Bill:
    included = figures.prices_include_tax
    items: list[OrderItem] = []
    for line in lines:
        subtotal = line.unit_price_cents * line.quantity
        total = subtotal - line.discount_cents + (0 if included else line.tax_cents)
        items.append(
            {
                "product_id": line.product_id,
                "variant_id": line.variant_id,
                "sku": line.sku,
                "name": line.name,
                "options": codec.stored(line.options),
                "unit_price": format_cents(line.unit_price_cents),
                "quantity": line.quantity,
                "subtotal": format_cents(subtotal),
                "discount": format_cents(line.discount_cents),
                "tax_class": line.tax_class,
                "tax_rate": format_hundredths(line.tax_rate_bp),
                "tax": format_cents(line.tax_cents),
                "line_total": format_cents(total),
            }
        )
    return {
        "items": items,
        "subtotal": format_cents(figures.subtotal_cents),
        "discount_total": format_cents(figures.discount_cents),
        "shipping_total": format_cents(figures.shipping_cents),
        "tax_total": format_cents(figures.tax_cents),
        "total_price": format_cents(figures.total_cents),
        "currency": currency,
        "prices_include_tax": included,
        "discount_code": figures.discount_code,
        "shipping_address": codec.stored(figures.shipping_address) if figures.shipping_address else None,
        "shipping_rate": codec.stored(figures.shipping_rate) if figures.shipping_rate else None,
    }


def public(order: OrderRow, lines: Sequence[LineRow], currency: str) -> Order:
    return {
        "id": order.id,
        "user_id": order.user_id,
        "status": order.status,
        **_bill(order, lines, currency),
        "cancel_reason": order.cancel_reason,
        "created_at": codec.timestamp(order.created_at),
        "updated_at": codec.timestamp(order.updated_at),
    }


def quoted(figures: store.Figures, lines: Sequence[LineRow], rates: list[ChosenRate], currency: str) -> Quote:
    return {**_bill(figures, lines, currency), "shipping_rates": rates}
