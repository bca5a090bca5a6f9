"""Schemathesis hooks for the fuzz run (test_fuzz.py loads them through SCHEMATHESIS_HOOKS)."""

from __future__ import annotations

import itertools
from typing import Any

import schemathesis

_orders = itertools.count()


@schemathesis.hook
def before_call(context: schemathesis.HookContext, case: schemathesis.Case[Any], kwargs: dict[str, Any]) -> None:
    """Every order the fuzzer places gets an Idempotency-Key of its own.

    Hypothesis draws the same few keys ("0" above all) again and again. The shop
    answers a repeated key and body with the first answer, even once that order is
    deleted (idempotency.feature), and the stateful phase would take the replay
    for a new order and report it missing. Keys of a length the shop refuses stay
    as drawn, so the 422 for them is still fuzzed.
    """
    key = case.headers.get("Idempotency-Key")
    if isinstance(key, str) and 1 <= len(key) <= 255:
        suffix = f"~{next(_orders)}"
        case.headers["Idempotency-Key"] = key[: 255 - len(suffix)] + suffix
