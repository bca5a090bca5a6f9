"""What a client may send about products and their variants, and what it sees."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self, TypedDict
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator, with_config

from shop.categories.schemas import CategoryIds, CategoryRef
from shop.kernel import codec
from shop.kernel.codec import Timestamp
from shop.kernel.errors import Invalid
from shop.kernel.fields import NOT_NULL, Changes, document_not_null, one_line, plain_text
from shop.kernel.ids import Id
from shop.kernel.money import Amount, Currency, Money, QueryMoney, format_cents
from shop.kernel.names import name_key, not_blank
from shop.kernel.slugs import PATTERN as SLUG_PATTERN
from shop.storage.keyset import EMPTY_IS_ABSENT, ListQuery
from shop.storage.models import MovementReason
from shop.taxes.schemas import STANDARD, TaxClass

if TYPE_CHECKING:
    from shop.products.store import MovementRow, ProductRow, VariantRow

MAX_STOCK = 1_000_000_000
MAX_OPTIONS, MAX_VALUES, MAX_VARIANTS, MAX_IMAGES = 3, 50, 100, 20


# Room for a name's key: case folding and NFKC can make a name longer ("ß" ->
# "ss", "ﬃ" -> "ffi"); past this the name is refused rather than truncated.
MAX_NAME_KEY = 600


def _key_fits(value: str) -> str:
    if len(name_key(value)) > MAX_NAME_KEY:
        raise ValueError(f"must stay within {MAX_NAME_KEY} characters once case-folded and normalized (NFKC)")
    return value


def _distinct(values: Sequence[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if name_key(value) in seen:
            raise ValueError(f"{what} {value!r} is given twice (ignoring case)")
        seen.add(name_key(value))


def _https(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or any(char.isspace() for char in url):
        raise ValueError("must be an https:// URL")
    return url


Name = Annotated[
    str,
    Field(min_length=1, max_length=200, examples=["Teapot"]),
    AfterValidator(not_blank),
    AfterValidator(one_line),
    AfterValidator(_key_fits),
]
Description = Annotated[str, Field(max_length=5000, examples=["Cast iron, 1.2 litres."]), AfterValidator(plain_text)]
Stock = Annotated[int, Field(ge=0, le=MAX_STOCK, examples=[12])]
Slug = Annotated[str, Field(min_length=1, max_length=200, pattern=SLUG_PATTERN, examples=["cast-iron-teapot"])]
Sku = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$", examples=["TEAPOT-BLACK"])]
Label = Annotated[
    str, Field(min_length=1, max_length=50, examples=["size"]), AfterValidator(not_blank), AfterValidator(one_line)
]
Position = Annotated[int, Field(ge=0, le=1_000_000, examples=[0])]


class Option(BaseModel):
    """An option a product comes in, and its values: `{"name": "size", "values": ["S", "M", "L"]}`."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: Label
    values: Annotated[list[Label], Field(min_length=1, max_length=MAX_VALUES, examples=[["S", "M", "L"]])]

    @field_validator("values")
    @classmethod
    def _values_distinct(cls, values: list[str]) -> list[str]:
        _distinct(values, "The value")
        return values


def _options_distinct(options: list[Option]) -> list[Option]:
    _distinct([option.name for option in options], "The option")
    return options


Options = Annotated[list[Option], Field(max_length=MAX_OPTIONS), AfterValidator(_options_distinct)]


class Image(BaseModel):
    """A picture, by its https address, with the words that describe it to who cannot see it."""

    model_config = ConfigDict(extra="forbid", strict=True)

    url: Annotated[str, Field(max_length=2048, examples=["https://images.example/teapot.jpg"]), AfterValidator(_https)]
    alt: Annotated[str, Field(max_length=500, examples=["A black teapot"]), AfterValidator(one_line)] = ""


Images = Annotated[list[Image], Field(max_length=MAX_IMAGES)]
# A variant's values: one of each of its product's options, by the option's name.
Values = Annotated[dict[Label, Label], Field(max_length=MAX_OPTIONS, examples=[{"size": "M", "colour": "red"}])]


class VariantIn(BaseModel):
    """One variant of a product being created with options."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=document_not_null)

    sku: Annotated[
        Sku | None,
        NOT_NULL,
        Field(description="Unique ignoring case. Left out, it is made from the product's slug and the values."),
    ] = None
    options: Values
    price: Money
    stock: Stock
    images: Images = []
    tax_class: Annotated[TaxClass | None, Field(description="Its own tax class; left out or null: its product's.")] = (
        None
    )


class VariantCreate(VariantIn):
    position: Annotated[
        Position | None, NOT_NULL, Field(description="Where it is listed among the variants. Left out, it comes last.")
    ] = None


class VariantUpdate(Changes):
    sku: Annotated[Sku | None, NOT_NULL] = None
    options: Annotated[Values | None, NOT_NULL] = None
    price: Annotated[Money | None, NOT_NULL] = None
    stock: Annotated[Stock | None, NOT_NULL] = None
    position: Annotated[Position | None, NOT_NULL] = None
    images: Annotated[Images | None, NOT_NULL] = None
    tax_class: Annotated[TaxClass | None, Field(description="null: its product's tax class again.")] = None


class ProductCreate(BaseModel):
    """A product without options has one variant, made of `price` and `stock`; a
    product with `options` is created with its `variants` instead."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=document_not_null)

    name: Name
    description: Description = ""
    slug: Annotated[
        Slug | None, NOT_NULL, Field(description="Left out, it is made from the name (with -2, -3... when taken).")
    ] = None
    price: Annotated[
        Money | None, NOT_NULL, Field(description="Without options: the price of the product's one variant.")
    ] = None
    stock: Annotated[
        Stock | None, NOT_NULL, Field(description="Without options: the stock of the product's one variant.")
    ] = None
    options: Options = []
    variants: Annotated[
        list[VariantIn] | None,
        NOT_NULL,
        Field(min_length=1, max_length=MAX_VARIANTS, description="With options: every variant, at least one."),
    ] = None
    category_ids: CategoryIds = []
    images: Images = []
    tax_class: Annotated[TaxClass, Field(description="Which tax rate of the shipping country applies.")] = STANDARD

    @model_validator(mode="after")
    def _shape(self) -> Self:
        """Price and stock, or options and variants: 422 at what is missing or too much."""
        errors: list[dict[str, Any]] = []
        if self.options:
            if self.variants is None:
                errors.append({"loc": ["body", "variants"], "msg": "A product with options needs its variants."})
            errors += [
                {"loc": ["body", name], "msg": "A product with options has a price and stock per variant."}
                for name in ("price", "stock")
                if getattr(self, name) is not None
            ]
        else:
            errors += [
                {"loc": ["body", name], "msg": "Field required (or give options and variants)."}
                for name in ("price", "stock")
                if getattr(self, name) is None
            ]
            if self.variants is not None:
                msg = "Variants come with options; without options, give price and stock."
                errors.append({"loc": ["body", "variants"], "msg": msg})
        if errors:
            raise Invalid("The product needs a price and stock, or options and variants.", errors=errors)
        return self


class ProductUpdate(Changes):
    name: Annotated[Name | None, NOT_NULL] = None
    description: Annotated[Description | None, NOT_NULL] = None
    slug: Annotated[Slug | None, NOT_NULL] = None
    price: Annotated[Money | None, NOT_NULL, Field(description="Only of a product without options.")] = None
    stock: Annotated[Stock | None, NOT_NULL, Field(description="Only of a product without options.")] = None
    options: Annotated[
        Options | None,
        NOT_NULL,
        Field(description="The same options, in the same order: renamed, or with values added."),
    ] = None
    category_ids: Annotated[CategoryIds | None, NOT_NULL, Field(description="Replaces the product's categories.")] = (
        None
    )
    images: Annotated[Images | None, NOT_NULL] = None
    tax_class: Annotated[TaxClass | None, NOT_NULL] = None


SortKey = Literal["id", "-id", "name", "-name", "price", "-price", "created_at", "-created_at"]


class ProductList(ListQuery):
    EMPTY_MEANS_ABSENT = frozenset({"cursor", "q", "min_price", "max_price", "slug", "category"})

    q: Annotated[str, Field(max_length=200, description=EMPTY_IS_ABSENT)] | None = None
    slug: Annotated[str, Field(max_length=200, description="The product with this slug. " + EMPTY_IS_ABSENT)] | None = (
        None
    )
    min_price: QueryMoney | None = None
    max_price: QueryMoney | None = None
    in_stock: bool | None = None
    category: CategoryRef | None = None
    sort: SortKey = "id"

    @field_validator("in_stock", mode="before")
    @classmethod
    def _true_or_false(cls, value: Any) -> Any:
        # Only "true" and "false": pydantic alone would also take yes/no/on/off/1/0.
        if value not in ("true", "false"):
            raise ValueError("must be true or false")
        return value == "true"


class VariantList(ListQuery):
    """The active variants of a product, by position."""


class MovementList(ListQuery):
    """A variant's stock movements, newest first."""


class ImageBody(TypedDict):
    url: str
    alt: str


class OptionBody(TypedDict):
    name: str
    values: list[str]


@with_config(ConfigDict(extra="forbid"))
class Variant(TypedDict):
    id: Id
    product_id: Id
    sku: str
    options: dict[str, str]
    price: Amount
    stock: Annotated[int, Field(ge=0)]
    position: Annotated[int, Field(ge=0)]
    images: list[ImageBody]
    tax_class: str | None  # its own; null: its product's


@with_config(ConfigDict(extra="forbid"))
class Product(TypedDict):
    id: Id
    name: str
    slug: str
    description: str
    # The lowest price of its variants.
    price: Amount
    currency: Currency
    # What its variants have in stock together.
    stock: Annotated[int, Field(ge=0)]
    options: list[OptionBody]
    variants: list[Variant]
    category_ids: list[Id]  # smallest first
    images: list[ImageBody]
    tax_class: str  # which tax rate of the shipping country applies (a variant may name its own)
    created_at: Timestamp
    updated_at: Timestamp


@with_config(ConfigDict(extra="forbid"))
class StockMovement(TypedDict):
    """One change of a variant's stock; a variant's movements add up to its stock."""

    id: Id
    delta: int
    reason: MovementReason
    order_id: Id | None  # the order that took or gave back the stock
    created_at: Timestamp


def public_variant(variant: VariantRow) -> Variant:
    return {
        "id": variant.id,
        "product_id": variant.product_id,
        "sku": variant.sku,
        "options": codec.stored(variant.options),
        "price": format_cents(variant.price_cents),
        "stock": variant.stock,
        "position": variant.position,
        "images": codec.stored(variant.images),
        "tax_class": variant.tax_class,
    }


def public(product: ProductRow, variants: Sequence[VariantRow], currency: str) -> Product:
    """The product with its active variants (`variants`, by position)."""
    shown = [public_variant(variant) for variant in variants]
    return {
        "id": product.id,
        "name": product.name,
        "slug": product.slug,
        "description": product.description,
        "price": format_cents(product.price_cents),
        "currency": currency,
        "stock": sum(variant.stock for variant in variants),
        "options": codec.stored(product.options),
        "variants": shown,
        "category_ids": codec.stored(product.category_ids),
        "images": codec.stored(product.images),
        "tax_class": product.tax_class,
        "created_at": codec.timestamp(product.created_at),
        "updated_at": codec.timestamp(product.updated_at),
    }


def public_movement(movement: MovementRow) -> StockMovement:
    return {
        "id": movement.id,
        "delta": movement.delta,
        "reason": movement.reason,
        "order_id": movement.order_id,
        "created_at": codec.timestamp(movement.created_at),
    }
