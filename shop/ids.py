"""Ids: rows' ids, positive integers that fit in 63 bits (a signed BIGINT on
every database), and request ids."""

from __future__ import annotations

import random
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

MAX_ID = 2**63 - 1
_PLAIN_ID = re.compile(r"[1-9][0-9]{0,18}")
# A version 4 UUID's fixed bits: the version (4) and the RFC 4122 variant (10).
_UUID4_CLEAR = ~((0xF << 76) | (0x3 << 62))
_UUID4_SET = (0x4 << 76) | (0x2 << 62)


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


def new_request_id() -> str:
    """A random version 4 UUID for a request that brought no id of its own.

    It names a request in the logs and is no secret, so it comes from
    `random` (reseeded in a forked child), not from the OS: uuid.uuid4() and
    its formatting cost a few microseconds, which every request would pay.
    """
    digits = f"{(random.getrandbits(128) & _UUID4_CLEAR) | _UUID4_SET:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"
