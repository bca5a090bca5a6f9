"""Money: integer cents inside, two-decimal strings outside.

One type for the whole shop. Input is a decimal string or a JSON number (read
as an exact Decimal, never a float) with at most two fraction digits, from 0
to 99999999.99; output is always a string with exactly two.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, WithJsonSchema

MAX_CENTS = 99_999_999_99
_DECIMAL_STRING = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?|[0-9]+\.[0-9]+")
RANGE = "must be from 0 to 99999999.99"


def parse_cents(value: Any) -> int:
    """Cents from a contract money input; ValueError says what is wrong."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str | float):
        raise ValueError('must be a decimal string such as "19.99" or a JSON number')
    if isinstance(value, str):
        if not _DECIMAL_STRING.fullmatch(value):
            if value.startswith("-") and _DECIMAL_STRING.fullmatch(value[1:]):
                raise ValueError(RANGE)
            raise ValueError('must be a decimal string such as "19.99" or a JSON number')
        value = Decimal(value)
    elif isinstance(value, float):  # only from Python callers; JSON numbers arrive as Decimal
        value = Decimal(repr(value))
    elif isinstance(value, int):
        value = Decimal(value)
    try:
        if not value.is_finite():
            raise ValueError(RANGE)
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -2:
            raise ValueError("must have at most two decimal places")
        if value.is_signed() or value > Decimal(MAX_CENTS) / 100:  # -0 and -0.00 too
            raise ValueError(RANGE)
        return int(value * 100)
    except InvalidOperation:
        raise ValueError(RANGE) from None


def format_cents(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


# What parse_cents takes, as JSON Schema: leading zeros are harmless, so the
# string pattern is "at most 8 significant integer digits". The number's "at
# most two fraction digits" is said in words only: `multipleOf: 0.01` would be
# checked in binary floating point, where 19.99 is not a multiple of 0.01.
_STRING_SCHEMA = {"type": "string", "pattern": r"^0*[0-9]{1,8}(\.[0-9]{1,2})?$"}
INPUT_SCHEMA = {
    "anyOf": [_STRING_SCHEMA, {"type": "number", "minimum": 0, "maximum": 99999999.99}],
    "description": 'A decimal string ("19.99", "5") or a JSON number (19.99), with at most two fraction digits.',
    "examples": ["19.99"],
}
# In a query an empty value counts as not given (shop.web.paging.parse_query).
QUERY_SCHEMA = {
    "type": "string",
    "pattern": r"^(0*[0-9]{1,8}(\.[0-9]{1,2})?)?$",
    "description": 'A decimal number with at most two fraction digits ("19.99", "5"). Empty is the same as not given.',
}

# Money that must be more than nothing: a payment, a refund.
POSITIVE_SCHEMA = {
    "anyOf": [
        {"type": "string", "pattern": r"^(?=.*[1-9])0*[0-9]{1,8}(\.[0-9]{1,2})?$"},
        {"type": "number", "exclusiveMinimum": 0, "maximum": 99999999.99},
    ],
    "description": 'More than zero: a decimal string ("19.99") or a JSON number (19.99), at most two fraction digits.',
    "examples": ["19.99"],
}


def _positive(cents: int) -> int:
    if cents <= 0:
        raise ValueError("must be more than 0")
    return cents


# A field of money in a request: validated into cents.
Money = Annotated[
    int,
    BeforeValidator(parse_cents),
    PlainSerializer(format_cents, return_type=str),
    WithJsonSchema(INPUT_SCHEMA, mode="validation"),
]
PositiveMoney = Annotated[Money, AfterValidator(_positive), WithJsonSchema(POSITIVE_SCHEMA, mode="validation")]
# Money in a query string, where every value is text.
QueryMoney = Annotated[Money, WithJsonSchema(QUERY_SCHEMA, mode="validation")]
# Money in an answer: always a string with exactly two fraction digits.
Amount = Annotated[str, Field(pattern=r"^[0-9]+\.[0-9]{2}$", examples=["19.99"])]
Currency = Annotated[str, Field(pattern="^[A-Z]{3}$", examples=["USD"])]
