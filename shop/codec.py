"""The JSON codec: orjson, the fastest well-kept one, for bodies in and out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

JSONDecodeError = orjson.JSONDecodeError


def dumps(value: Any) -> bytes:
    return orjson.dumps(value)


def loads(data: bytes) -> Any:
    return orjson.loads(data)


def timestamp(value: datetime) -> str:
    """RFC 3339 in UTC, to the second: "2026-11-24T10:15:00Z"."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
