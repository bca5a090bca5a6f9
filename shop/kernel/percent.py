"""Percentages (tax rates, discounts): exact, in hundredths of a percent inside
(7.70% is 770), two-decimal strings outside ("7.70"), never a float.

Input is a decimal string or a JSON number (read as an exact Decimal) with at
most two fraction digits, from 0 to 100.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema

HUNDRED = 100_00  # 100%, in hundredths of a percent
RANGE = "must be a percentage from 0 to 100"
_SHAPE = 'must be a decimal string such as "7.70" or a JSON number'
_DECIMAL_STRING = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def parse_hundredths(value: Any) -> int:
    """Hundredths of a percent from a percentage input; ValueError says what is wrong."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str | float):
        raise ValueError(_SHAPE)
    if isinstance(value, str):
        if not _DECIMAL_STRING.fullmatch(value):
            raise ValueError(RANGE if value.startswith("-") else _SHAPE)
        value = Decimal(value)
    elif isinstance(value, float):  # only from Python callers; JSON numbers arrive as Decimal
        value = Decimal(repr(value))
    elif isinstance(value, int):
        value = Decimal(value)
    try:
        if not value.is_finite() or value.is_signed() or value > 100:
            raise ValueError(RANGE)
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -2:
            raise ValueError("must have at most two decimal places")
        return int(value * 100)
    except InvalidOperation:
        raise ValueError(RANGE) from None


def format_hundredths(hundredths: int) -> str:
    return f"{hundredths // 100}.{hundredths % 100:02d}"


_INPUT_SCHEMA = {
    "anyOf": [
        {"type": "string", "pattern": r"^0*(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)$"},
        {"type": "number", "minimum": 0, "maximum": 100},
    ],
    "description": 'A percentage from 0 to 100: a decimal string ("7.70", "19") or a JSON number, '
    "with at most two fraction digits.",
    "examples": ["19.00"],
}

# A percentage in a request: validated into hundredths of a percent.
Percent = Annotated[
    int,
    BeforeValidator(parse_hundredths),
    PlainSerializer(format_hundredths, return_type=str),
    WithJsonSchema(_INPUT_SCHEMA, mode="validation"),
]
# A percentage in an answer: always two fraction digits.
Rate = Annotated[str, Field(pattern=r"^[0-9]{1,3}\.[0-9]{2}$", examples=["19.00"])]
