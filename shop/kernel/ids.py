"""Ids: rows' ids, positive integers that fit in 63 bits (a signed BIGINT on
every database), and request ids."""

from __future__ import annotations

import os
import re
from typing import Annotated, Any, ClassVar

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


# A whole number from a query string. It goes after a Field's bounds, as in
# QueryId: before them, pydantic writes the bounds into the JSON Schema as
# `ge`/`le`, words no schema tool knows, instead of `minimum`/`maximum`.
WholeNumber = BeforeValidator(_whole_number)
QueryId = Annotated[int, Field(ge=1, le=MAX_ID), WholeNumber]


class _RequestIds:
    """Random version 4 UUIDs, one per request that brought no id of its own.

    Their random digits come from the OS in batches: one `os.urandom` call and
    its hex digits for 256 ids. uuid.uuid4() and its formatting cost a few
    microseconds, which every request would pay. A forked child starts a
    batch of its own, or it would hand out its parent's ids.
    """

    BATCH = 256
    # The variant digit: its first two bits are RFC 9562's 10, the other two random.
    VARIANT: ClassVar[dict[str, str]] = {digit: "89ab"[int(digit, 16) % 4] for digit in "0123456789abcdef"}

    def __init__(self) -> None:
        self._digits = ""
        self._next = 0
        os.register_at_fork(after_in_child=self.forget)

    def forget(self) -> None:
        self._digits, self._next = "", 0

    def new(self) -> str:
        start = self._next
        if start >= len(self._digits):
            self._digits, start = os.urandom(16 * self.BATCH).hex(), 0
        self._next = start + 32
        d = self._digits[start : start + 32]
        # xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx: the version digit is 4, V the variant.
        return f"{d[:8]}-{d[8:12]}-4{d[13:16]}-{self.VARIANT[d[16]]}{d[17:20]}-{d[20:]}"


new_request_id = _RequestIds().new
