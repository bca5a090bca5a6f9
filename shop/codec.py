"""The JSON codec: orjson, the fastest well-kept one, for bodies in and out."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson

JSONDecodeError = orjson.JSONDecodeError


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


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def loads_exact(data: bytes) -> Any:
    """A request body: numbers with a fraction or exponent become exact Decimals
    (money is never a float), NaN and Infinity are refused, and so is an object
    that repeats a key. Raises ValueError (or RecursionError when absurdly deep)."""
    document = json.loads(
        data.decode("utf-8"), parse_float=Decimal, parse_constant=_no_constant, object_pairs_hook=_no_duplicates
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


def strings_where(
    value: Any, test: Callable[[str], bool], loc: tuple[str | int, ...] = ()
) -> list[tuple[str | int, ...]]:
    """Where in a JSON document a string (or an object's key) passes `test`."""
    if isinstance(value, str):
        return [loc] if test(value) else []
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in strings_where(item, test, (*loc, index))]
    if isinstance(value, dict):
        return [
            found
            for key, item in value.items()
            for found in ([(*loc, key)] if test(key) else strings_where(item, test, (*loc, key)))
        ]
    return []


def dumps(value: Any, *, sort_keys: bool = False) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS if sort_keys else None)


def loads(data: bytes) -> Any:
    return orjson.loads(data)


def timestamp(value: datetime) -> str:
    """RFC 3339 in UTC, to the second: "2026-11-24T10:15:00Z"."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
