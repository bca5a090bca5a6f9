"""What a client may send about tax rates, and what it sees; and the tax class
that products name (`TaxClass`, `STANDARD`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar, TypedDict

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, with_config

from shop.kernel import codec
from shop.kernel.codec import Timestamp
from shop.kernel.countries import Country
from shop.kernel.fields import NOT_NULL, Changes
from shop.kernel.ids import Id
from shop.kernel.percent import Percent, Rate, format_hundredths
from shop.storage.keyset import EMPTY_IS_ABSENT, ListQuery

if TYPE_CHECKING:
    from shop.taxes.store import TaxRateRow

# The class every product is in unless it names another.
STANDARD = "standard"

TaxClass = Annotated[
    str,
    Field(
        min_length=1,
        max_length=50,
        pattern="^[a-z0-9_-]+$",
        examples=[STANDARD, "reduced", "zero"],
        description='A class of goods taxed alike: 1 to 50 of a-z, 0-9, "-" and "_".',
    ),
]


class TaxRateCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    country: Country
    tax_class: TaxClass = STANDARD
    rate: Percent


class TaxRateUpdate(Changes):
    country: Annotated[Country | None, NOT_NULL] = None
    tax_class: Annotated[TaxClass | None, NOT_NULL] = None
    rate: Annotated[Percent | None, NOT_NULL] = None


class TaxRateList(ListQuery):
    EMPTY_MEANS_ABSENT: ClassVar[frozenset[str]] = frozenset({"cursor", "country"})

    # In a query an empty value counts as not given: the schema says so (shop.web.paging.parse_query).
    country: (
        Annotated[
            Country,
            WithJsonSchema(
                {
                    "type": "string",
                    "pattern": "^([A-Z]{2})?$",
                    "description": "Only this country's rates (ISO 3166-1 alpha-2). " + EMPTY_IS_ABSENT,
                },
                mode="validation",
            ),
        ]
        | None
    ) = None


@with_config(ConfigDict(extra="forbid"))
class TaxRate(TypedDict):
    id: Id
    country: Country
    tax_class: TaxClass
    rate: Rate  # a percentage with two decimals: "7.70"
    created_at: Timestamp
    updated_at: Timestamp


def public(tax_rate: TaxRateRow) -> TaxRate:
    return {
        "id": tax_rate.id,
        "country": tax_rate.country,
        "tax_class": tax_rate.tax_class,
        "rate": format_hundredths(tax_rate.rate_bp),
        "created_at": codec.timestamp(tax_rate.created_at),
        "updated_at": codec.timestamp(tax_rate.updated_at),
    }
