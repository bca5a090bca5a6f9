"""What an admin may send about discount codes, and what they see."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, TypedDict

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema, with_config

from shop.kernel import codec
from shop.kernel.codec import Instant, Timestamp
from shop.kernel.fields import NOT_NULL, Changes
from shop.kernel.ids import Id
from shop.kernel.money import Amount, Money, format_cents
from shop.kernel.percent import format_hundredths
from shop.storage.keyset import EMPTY_IS_ABSENT, ListQuery

if TYPE_CHECKING:
    from shop.discounts.store import DiscountRow

MAX_CODE = 40
MAX_LIMIT = 1_000_000_000
MAX_IDS = 100

Kind = Literal["percentage", "fixed", "free_shipping"]
Code = Annotated[
    str,
    Field(
        min_length=3,
        max_length=MAX_CODE,
        pattern="^[A-Za-z0-9_-]+$",
        examples=["SUMMER25"],
        description='3 to 40 of A-Z, a-z, 0-9, "-" and "_". Kept as given; unique ignoring case.',
    ),
]


def _each_once(ids: list[int]) -> list[int]:
    seen: set[int] = set()
    for each in ids:
        if each in seen:
            raise ValueError(f"names {each} more than once")
        seen.add(each)
    return ids


# What `value` is depends on the kind, so the service reads it (`service.value_of`).
Value = Annotated[
    Any,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^[0-9]+(\.[0-9]{1,2})?$"},
                {"type": "number", "exclusiveMinimum": 0},
            ],
            "description": 'For "percentage", a percentage from 0.01 to 100 ("12.5"); for "fixed", an amount of '
            'money more than 0 ("5.00"); with at most two decimals. Left out for "free_shipping".',
            "examples": ["12.50"],
        },
        mode="validation",
    ),
]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]
Ids = Annotated[list[Id], Field(max_length=MAX_IDS), AfterValidator(_each_once)]

_VALUE = "Required for percentage and fixed; left out for free_shipping."
_ENDS = "When it stops: after starts_at. May lie in the past (an expired code). None when null."
_USAGE = "How many orders may use it in all; no limit when null."
_PER_CUSTOMER = "How many orders of one customer may use it; no limit when null."
_MIN = "Only for subtotals of at least this; none when null."
_PRODUCTS = "Only these products' lines are discounted (and those of category_ids); every line when both are empty."
_CATEGORIES = "Only lines of products in these categories (or below them), and of product_ids."


class DiscountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    code: Code
    kind: Kind
    value: Value = Field(None, description=_VALUE)
    starts_at: Instant | None = Field(None, description="When it starts; at once when null.")
    ends_at: Instant | None = Field(None, description=_ENDS)
    usage_limit: Limit | None = Field(None, description=_USAGE)
    per_customer_limit: Limit | None = Field(None, description=_PER_CUSTOMER)
    min_subtotal: Money | None = Field(None, description=_MIN)
    product_ids: Ids = Field(default_factory=list, description=_PRODUCTS)
    category_ids: Ids = Field(default_factory=list, description=_CATEGORIES)
    active: bool = Field(True, description="An inactive code is refused at checkout.")


class DiscountUpdate(Changes):
    """Any field but `kind`; a nullable one set to null is removed."""

    code: Annotated[Code | None, NOT_NULL] = None
    value: Value = Field(None, description="Must fit the discount's kind. " + _VALUE)
    starts_at: Instant | None = Field(None, description="When it starts; at once when null.")
    ends_at: Instant | None = Field(None, description=_ENDS)
    usage_limit: Limit | None = Field(None, description=_USAGE + " Not below times_used.")
    per_customer_limit: Limit | None = Field(None, description=_PER_CUSTOMER)
    min_subtotal: Money | None = Field(None, description=_MIN)
    product_ids: Annotated[Ids | None, NOT_NULL] = Field(None, description="Replaces them. " + _PRODUCTS)
    category_ids: Annotated[Ids | None, NOT_NULL] = Field(None, description="Replaces them. " + _CATEGORIES)
    active: Annotated[bool | None, NOT_NULL] = None


_CODE_FILTER = "The discount of this code, ignoring case. " + EMPTY_IS_ABSENT


class DiscountList(ListQuery):
    EMPTY_MEANS_ABSENT: ClassVar[frozenset[str]] = frozenset({"cursor", "code"})

    code: Annotated[str, Field(max_length=MAX_CODE, description=_CODE_FILTER)] | None = None
    active: bool | None = Field(None, description="Only the active ones (true), or the inactive ones (false).")


@with_config(ConfigDict(extra="forbid"))
class Discount(TypedDict):
    id: Id
    code: str
    kind: Kind
    value: str | None  # a percentage ("12.50") or an amount ("5.00"); null for free_shipping
    starts_at: Timestamp | None
    ends_at: Timestamp | None
    usage_limit: int | None
    per_customer_limit: int | None
    min_subtotal: Amount | None
    product_ids: list[Id]  # smallest first
    category_ids: list[Id]
    active: bool
    times_used: Annotated[int, Field(ge=0)]  # the live orders that hold a use of it
    created_at: Timestamp
    updated_at: Timestamp


def _shown_value(discount: DiscountRow) -> str | None:
    if discount.kind == "percentage":
        return format_hundredths(discount.value)
    return format_cents(discount.value) if discount.kind == "fixed" else None


def public(discount: DiscountRow) -> Discount:
    return {
        "id": discount.id,
        "code": discount.code,
        "kind": discount.kind,
        "value": _shown_value(discount),
        "starts_at": None if discount.starts_at is None else codec.timestamp(discount.starts_at),
        "ends_at": None if discount.ends_at is None else codec.timestamp(discount.ends_at),
        "usage_limit": discount.usage_limit,
        "per_customer_limit": discount.per_customer_limit,
        "min_subtotal": None if discount.min_subtotal_cents is None else format_cents(discount.min_subtotal_cents),
        "product_ids": codec.loads(discount.product_ids),
        "category_ids": codec.loads(discount.category_ids),
        "active": discount.active,
        "times_used": discount.times_used,
        "created_at": codec.timestamp(discount.created_at),
        "updated_at": codec.timestamp(discount.updated_at),
    }
