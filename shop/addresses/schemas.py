"""What a client may send about its address book, and what it sees; and an
address as an order keeps it (`AddressFields`, `copy_of`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypedDict

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, with_config

from shop.kernel.countries import Country
from shop.kernel.fields import NOT_NULL, Changes, one_line
from shop.kernel.ids import Id
from shop.kernel.names import not_blank
from shop.storage.keyset import ListQuery

if TYPE_CHECKING:
    from shop.addresses.store import AddressRow

MAX_ENTRIES = 20  # in one user's address book


# One line of text kept as sent: not blank, nothing in it that hides or reorders what it shows.
_NOT_BLANK = AfterValidator(not_blank)
_ONE_LINE = AfterValidator(one_line)

Name = Annotated[str, Field(min_length=1, max_length=100, examples=["Ada Lovelace"]), _NOT_BLANK, _ONE_LINE]
Line1 = Annotated[str, Field(min_length=1, max_length=100, examples=["12 St James's Square"]), _NOT_BLANK, _ONE_LINE]
Line2 = Annotated[str, Field(min_length=1, max_length=100, examples=["Flat 3"]), _NOT_BLANK, _ONE_LINE]
City = Annotated[str, Field(min_length=1, max_length=100, examples=["London"]), _NOT_BLANK, _ONE_LINE]
PostalCode = Annotated[str, Field(min_length=1, max_length=20, examples=["SW1Y 4JH"]), _NOT_BLANK, _ONE_LINE]
Region = Annotated[str, Field(min_length=1, max_length=100, examples=["Greater London"]), _NOT_BLANK, _ONE_LINE]
Phone = Annotated[str, Field(min_length=1, max_length=30, examples=["+44 20 7946 0018"]), _NOT_BLANK, _ONE_LINE]


class AddressFields(BaseModel):
    """An address: who receives it and where. `line2`, `region` and `phone` may
    be null or left out."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: Name
    line1: Line1
    line2: Line2 | None = None
    city: City
    postal_code: PostalCode
    region: Region | None = None
    country: Country
    phone: Phone | None = None


FIELDS: tuple[str, ...] = tuple(AddressFields.model_fields)


class AddressCreate(AddressFields):
    is_default: bool = Field(False, description="Make it the default address (the one before it stops being one).")


class AddressUpdate(Changes):
    """A PATCH: at least one field. null clears `line2`, `region` and `phone`; the others cannot be null."""

    name: Annotated[Name | None, NOT_NULL] = None
    line1: Annotated[Line1 | None, NOT_NULL] = None
    line2: Line2 | None = None
    city: Annotated[City | None, NOT_NULL] = None
    postal_code: Annotated[PostalCode | None, NOT_NULL] = None
    region: Region | None = None
    country: Annotated[Country | None, NOT_NULL] = None
    phone: Phone | None = None
    is_default: Annotated[bool | None, NOT_NULL] = None


class AddressList(ListQuery):
    """The address book a page at a time, by id: paging alone, no filter."""


@with_config(ConfigDict(extra="forbid"))
class Address(TypedDict):
    """An entry of the caller's address book."""

    id: Id
    name: str
    line1: str
    line2: str | None
    city: str
    postal_code: str
    region: str | None
    country: str
    phone: str | None
    is_default: bool  # at most one entry of a book is its default


def copy_of(fields: AddressFields | AddressRow) -> dict[str, str | None]:
    """The address as an order keeps it: the fields of `AddressFields`, in its
    order, None for an optional one left out."""
    return {name: getattr(fields, name) for name in FIELDS}


def public(address: AddressRow) -> Address:
    return {
        "id": address.id,
        "name": address.name,
        "line1": address.line1,
        "line2": address.line2,
        "city": address.city,
        "postal_code": address.postal_code,
        "region": address.region,
        "country": address.country,
        "phone": address.phone,
        "is_default": bool(address.is_default),  # 1 or 0 from SQLite's fast reads
    }
