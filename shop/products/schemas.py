"""What a client may send about products, and what it sees."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypedDict

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, with_config

from shop.categories.schemas import CategoryIds, CategoryRef
from shop.kernel import codec
from shop.kernel.codec import Timestamp
from shop.kernel.fields import NOT_NULL, Changes, one_line, plain_text
from shop.kernel.ids import Id
from shop.kernel.money import Amount, Currency, Money, QueryMoney, format_cents
from shop.storage.keyset import EMPTY_IS_ABSENT, ListQuery

if TYPE_CHECKING:
    from shop.products.store import ProductRow

MAX_STOCK = 1_000_000_000


# Room for a name's key: case folding and NFKC can make a name longer ("ß" ->
# "ss", "ﬃ" -> "ffi"); past this the name is refused rather than truncated.
MAX_NAME_KEY = 600


def name_key(name: str) -> str:
    """What makes two names the same name (uniqueness, `q`, sorting by name):
    Unicode compatibility form (NFKC: full-width letters, ligatures), case
    folded. Migration 0004 wrote it for the products stored before."""
    if name.isascii():
        return name.lower()
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def _key_fits(value: str) -> str:
    if len(name_key(value)) > MAX_NAME_KEY:
        raise ValueError(f"must stay within {MAX_NAME_KEY} characters once case-folded and normalized (NFKC)")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Name = Annotated[
    str,
    Field(min_length=1, max_length=200, examples=["Teapot"]),
    AfterValidator(_not_blank),
    AfterValidator(one_line),
    AfterValidator(_key_fits),
]
Description = Annotated[str, Field(max_length=5000, examples=["Cast iron, 1.2 litres."]), AfterValidator(plain_text)]
Stock = Annotated[int, Field(ge=0, le=MAX_STOCK, examples=[12])]


class ProductCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: Name
    description: Description = ""
    price: Money
    stock: Stock
    category_ids: CategoryIds = []


class ProductUpdate(Changes):
    name: Annotated[Name | None, NOT_NULL] = None
    description: Annotated[Description | None, NOT_NULL] = None
    price: Annotated[Money | None, NOT_NULL] = None
    stock: Annotated[Stock | None, NOT_NULL] = None
    category_ids: Annotated[CategoryIds | None, NOT_NULL] = None  # replaces the product's categories


SortKey = Literal["id", "-id", "name", "-name", "price", "-price", "created_at", "-created_at"]


class ProductList(ListQuery):
    EMPTY_MEANS_ABSENT = frozenset({"cursor", "q", "min_price", "max_price", "category"})

    q: Annotated[str, Field(max_length=200, description=EMPTY_IS_ABSENT)] | None = None
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


@with_config(ConfigDict(extra="forbid"))
class Product(TypedDict):
    id: Id
    name: str
    description: str
    price: Amount
    currency: Currency
    stock: Annotated[int, Field(ge=0)]
    category_ids: list[Id]  # smallest first
    created_at: Timestamp
    updated_at: Timestamp


def public(product: ProductRow, currency: str) -> Product:
    return {
        "id": product.id,
        "name": product.name,
        "description": product.description,
        "price": format_cents(product.price_cents),
        "currency": currency,
        "stock": product.stock,
        "category_ids": codec.loads(product.category_ids.encode()),
        "created_at": codec.timestamp(product.created_at),
        "updated_at": codec.timestamp(product.updated_at),
    }
