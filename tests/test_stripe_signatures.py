"""Stripe-Signature, as Stripe documents it: `t=<unix time>,v1=<hex HMAC-SHA256
of "<t>.<raw body>" under the endpoint's secret>`, maybe several v1 (while a
secret is rolled) and a v0; the time within 5 minutes of now."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.payments.stripe import BadSignature, verify

SECRET = "whsec_test_0123456789abcdef"
NOW = 1_790_000_000


def stripe_header(body: bytes, secret: str = SECRET, t: int = NOW, *, extra: str = "") -> str:
    """The header as Stripe's own libraries build it for tests (generate_test_header_string)."""
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}{extra}"


@given(st.binary(max_size=2000))
def test_a_body_signed_as_stripe_signs_it_is_taken(body: bytes) -> None:
    verify(stripe_header(body), body, SECRET, now=NOW)


@given(st.binary(min_size=1, max_size=200), st.integers(min_value=0, max_value=199))
def test_a_body_changed_after_signing_is_refused(body: bytes, at: int) -> None:
    changed = bytearray(body)
    changed[at % len(body)] ^= 0x01
    with pytest.raises(BadSignature):
        verify(stripe_header(body), bytes(changed), SECRET, now=NOW)


def test_another_secret_is_refused() -> None:
    with pytest.raises(BadSignature):
        verify(stripe_header(b"{}", secret="whsec_other"), b"{}", SECRET, now=NOW)


@pytest.mark.parametrize(("age", "taken"), [(0, True), (300, True), (-300, True), (301, False), (-301, False)])
def test_the_time_must_be_within_five_minutes(age: int, taken: bool) -> None:
    header = stripe_header(b"{}", t=NOW - age)
    if taken:
        verify(header, b"{}", SECRET, now=NOW)
    else:
        with pytest.raises(BadSignature, match="time"):
            verify(header, b"{}", SECRET, now=NOW)


def test_any_of_several_v1_signatures_may_match_while_a_secret_is_rolled() -> None:
    header = stripe_header(b"{}", extra=",v1=" + "0" * 64 + ",v0=" + "1" * 64)
    verify(header, b"{}", SECRET, now=NOW)
    rolled = f"t={NOW},v1={'0' * 64}," + stripe_header(b"{}").split(",", 1)[1]
    verify(rolled, b"{}", SECRET, now=NOW)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "garbage",
        f"v1={'0' * 64}",  # no time
        f"t=soon,v1={'0' * 64}",
        f"t={NOW}",  # no signature
        f"t={NOW},v0=" + "0" * 64,  # only the old scheme
        f"t={NOW},v1=",
        f"t={NOW},t={NOW + 1}," + "v1=" + "0" * 64,
        "t=\u00b2,v1=" + "0" * 64,  # a digit to str.isdigit(), not to int()
        "t=" + "9" * 5000 + ",v1=" + "0" * 64,  # more digits than int() converts
        f"t={NOW},v1=" + "0" * 5000,  # longer than any header Stripe sends
    ],
)
def test_a_header_without_a_time_and_a_v1_signature_is_refused(header: str | None) -> None:
    with pytest.raises(BadSignature):
        verify(header, b"{}", SECRET, now=NOW)
