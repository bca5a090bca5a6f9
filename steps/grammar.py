"""Step patterns: `parse` formats where a quoted value never runs past its quote."""

from __future__ import annotations

from typing import Any

from parse import with_pattern
from pytest_bdd import parsers


@with_pattern(r'[^"]*')
def _quoted(text: str) -> str:
    return text


@with_pattern(r"[A-Z]+")
def _method(text: str) -> str:
    return text


TYPES = {"q": _quoted, "method": _method}


def step(pattern: str) -> Any:
    """`{name:q}` is text inside quotes, `{name:method}` an HTTP method."""
    return parsers.parse(pattern, extra_types=TYPES)
