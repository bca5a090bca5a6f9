"""Schemathesis hooks for the fuzz run (test_fuzz.py loads them through SCHEMATHESIS_HOOKS)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import os
import time
from typing import Any

import httpx
import schemathesis
from requests.compat import json as requests_json  # type: ignore[attr-defined]  # what requests serializes with

_orders = itertools.count()
_deliveries = itertools.count()


@schemathesis.hook
def before_call(context: schemathesis.HookContext, case: schemathesis.Case[Any], kwargs: dict[str, Any]) -> None:
    """Every order, payment and refund the fuzzer makes gets an Idempotency-Key
    of its own, and half its Stripe deliveries are signed (sign_as_stripe).

    Hypothesis draws the same few keys ("0" above all) again and again. The shop
    answers a repeated key and body with the first answer, even once that order is
    deleted (idempotency.feature), and the stateful phase would take the replay
    for a new order and report it missing. Keys of a length the shop refuses stay
    as drawn, so the 422 for them is still fuzzed.
    """
    sign_as_stripe(case)
    key = case.headers.get("Idempotency-Key")
    if isinstance(key, str) and 1 <= len(key) <= 255:
        suffix = f"~{next(_orders)}"
        case.headers["Idempotency-Key"] = key[: 255 - len(suffix)] + suffix


def sign_as_stripe(case: schemathesis.Case[Any]) -> None:
    """Every other valid event sent to Stripe's webhook is signed as Stripe signs,
    with the server's secret: the fuzzer's events then reach the code that reads
    and records them, not only the signature check."""
    if case.path != "/payments/stripe/webhook" or not isinstance(case.body, dict) or next(_deliveries) % 2:
        return
    meta = case.meta
    if meta is not None and (
        meta.generation.mode.is_negative or any(part.mode.is_negative for part in meta.components.values())
    ):
        return  # a request meant to break the document stays as drawn, and refused
    # Hypothesis draws the document's example id again and again: a fresh id
    # makes each signed event a new one, acted on rather than a repeat.
    event_id = case.body.get("id")
    if isinstance(event_id, str) and 1 <= len(event_id) <= 240:
        case.body["id"] = f"{event_id}~{next(_deliveries)}"
    # The bytes requests will send for this body (schemathesis hands it over as `json=`):
    # the body stays an object, so schemathesis still judges it by the document.
    body = requests_json.dumps(case.body, allow_nan=False).encode()
    at = int(time.time())
    secret = os.environ["SHOP_FUZZ_STRIPE_SECRET"].encode()
    signature = hmac.new(secret, f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    case.headers["Stripe-Signature"] = f"t={at},v1={signature}"


@schemathesis.auth()
class LoginFromElsewhere:
    """Logs in through POST /login as the test's user, as a client at another
    address (X-Forwarded-For, which the shop believes from this machine).

    The fuzzer guesses `current_password` on PATCH /users/{id}, and wrong
    guesses count as failed logins: five lock the user for the fuzzer's own
    address, as they should. The right password from elsewhere still gets in,
    which is the rule this relies on. A token the fuzzer ended (POST /logout)
    is fetched again on its first 401.
    """

    def get(self, case: schemathesis.Case[Any], context: schemathesis.AuthContext) -> str:
        credentials = {"username": os.environ["SHOP_FUZZ_USERNAME"], "password": os.environ["SHOP_FUZZ_PASSWORD"]}
        response = httpx.post(
            os.environ["SHOP_FUZZ_URL"] + "/login",
            json=credentials,
            headers={"X-Forwarded-For": "192.0.2.10"},
            timeout=30,
        )
        response.raise_for_status()
        token: str = response.json()["access_token"]
        return token

    def set(self, case: schemathesis.Case[Any], data: str, context: schemathesis.AuthContext) -> None:
        case.headers["Authorization"] = f"Bearer {data}"
