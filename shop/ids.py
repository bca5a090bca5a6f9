"""Ids: positive integers that fit in 63 bits (a signed BIGINT on every database)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

MAX_ID = 2**63 - 1
_PLAIN_ID = re.compile(r"[1-9][0-9]{0,18}")


def plain_id(text: str) -> int | None:
    """An id written plainly ("7", not "07", " 7", "+7" or other scripts'
    digits) that fits in 63 bits; else None."""
    if not _PLAIN_ID.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def _whole_number(value: Any) -> Any:
    # Digits only: int() would also take "1_0", " 2" and "+3".
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{1,19}", value):
        raise ValueError("must be a whole number")
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
QueryInt = Annotated[int, BeforeValidator(_whole_number)]
QueryId = Annotated[int, BeforeValidator(_whole_number), Field(ge=1, le=MAX_ID)]
