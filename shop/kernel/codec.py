"""The JSON codec: orjson, the fastest well-kept one, for bodies in and out."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

import orjson
from pydantic import BeforeValidator, Field, WithJsonSchema


class DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return document


def _integer(digits: str) -> int | Decimal:
    # Longer than any field allows: a Decimal, which the field's validation
    # refuses with a 422, instead of Python's 4300-digit int conversion limit.
    # "-0" too stays a (signed) Decimal: no field takes a minus sign for zero.
    return int(digits) if len(digits) <= 20 and digits != "-0" else Decimal(digits)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def loads_exact(data: bytes) -> Any:
    """A request body: numbers with a fraction or exponent become exact Decimals
    (money is never a float), NaN and Infinity are refused, and so is an object
    that repeats a key. Raises ValueError (or RecursionError when absurdly deep)."""
    document = json.loads(
        data.decode("utf-8"),
        parse_float=Decimal,
        parse_int=_integer,
        parse_constant=_no_constant,
        object_pairs_hook=_no_duplicates,
    )
    if _SURROGATE_ESCAPE.search(data) and strings_where(document, _has_lone_surrogate):
        raise ValueError("a string holds half of a UTF-16 surrogate pair")
    return document


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


Loc = tuple[str | int, ...]


def strings_where(document: Any, test: Callable[[str], bool]) -> list[Loc]:
    """Where in a JSON document a string (or an object's key) passes `test`.
    Iterative, so no nesting depth the parser accepted can exhaust the stack."""
    found: list[Loc] = []
    pending: list[tuple[Any, Loc]] = [(document, ())]
    while pending:
        value, loc = pending.pop()
        if isinstance(value, str):
            if test(value):
                found.append(loc)
        elif isinstance(value, list):
            pending.extend((item, (*loc, index)) for index, item in enumerate(value))
        elif isinstance(value, dict):
            for key, item in value.items():
                if test(key):
                    found.append((*loc, key))
                else:
                    pending.append((item, (*loc, key)))
    return sorted(found, key=repr)


def dumps(value: Any, *, sort_keys: bool = False) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS if sort_keys else None)


def stored(text: str) -> Any:
    """JSON as the database keeps it (a product's options, images), put into an
    answer as it is: `dumps` writes it without parsing and writing it again."""
    return orjson.Fragment(text)


def loads(data: bytes | str) -> Any:
    return orjson.loads(data)


# A timestamp in an answer, as `timestamp()` writes it.
Timestamp = Annotated[
    str, Field(json_schema_extra={"format": "date-time"}, pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")
]


@functools.lru_cache(maxsize=4096)  # pages repeat their timestamps; a hit costs a hash
def timestamp(value: datetime) -> str:
    """RFC 3339 in UTC, to the second: "2026-11-24T10:15:00Z"."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    # isoformat is several times faster than strftime.
    return value.isoformat(timespec="seconds")[:19] + "Z"


# A timestamp in a request: RFC 3339 with its offset ("2026-12-01T00:00:00Z",
# "2026-12-01T01:00:00+01:00"), kept in UTC to the second (as answers show it).
_RFC_3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
)
_NAIVE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?")
_STAMP_SHAPE = 'must be an RFC 3339 timestamp with its offset, such as "2026-12-01T00:00:00Z"'


def parse_timestamp(value: Any) -> datetime:
    """An aware UTC datetime, to the second, from an RFC 3339 timestamp; ValueError says what is wrong."""
    if not isinstance(value, str):
        raise ValueError(_STAMP_SHAPE)
    if not _RFC_3339.fullmatch(value):
        if _NAIVE.fullmatch(value):
            raise ValueError('must say its offset from UTC ("Z" or "+01:00")')
        raise ValueError(_STAMP_SHAPE)
    whole = value.upper().replace("Z", "+00:00")
    if "." in whole:  # to the second: the fraction goes (fromisoformat takes at most six digits)
        whole = whole[: whole.index(".")] + whole[whole.index(".") :].lstrip(".0123456789")
    try:
        return datetime.fromisoformat(whole).astimezone(UTC).replace(microsecond=0)
    except (ValueError, OverflowError):
        raise ValueError("names a date or time that does not exist") from None


Instant = Annotated[
    datetime,
    BeforeValidator(parse_timestamp),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": "RFC 3339, with its offset from UTC; kept in UTC, to the second.",
            "examples": ["2026-12-01T00:00:00Z"],
        },
        mode="validation",
    ),
]
