"""Shop-Signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "{t}.{body}">`
under the webhook's secret (its UTF-8 bytes), checked here as a receiver
would, with the standard library only."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from shop.webhooks.signing import SECRET_PREFIX, new_secret, sign, verify

SECRET = "whsec_Zm9vYmFyYmF6cXV4cXV1eA"
NOW = 1_790_000_000


def receivers_check(secret: str, header: str, body: bytes) -> bool:
    """What a receiver writes, from docs/webhooks.md."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


@given(st.binary(max_size=2000), st.text(min_size=1, max_size=80))
def test_a_signature_checks_out_with_the_secret_and_no_other(body: bytes, other: str) -> None:
    header = sign(SECRET, NOW, body)
    assert header.startswith(f"t={NOW},v1=")
    assert receivers_check(SECRET, header, body)
    assert verify(header, body, SECRET, now=NOW)
    if other != SECRET:
        assert not receivers_check(other, header, body)


@given(st.binary(min_size=1, max_size=200))
def test_a_changed_body_does_not_check_out(body: bytes) -> None:
    header = sign(SECRET, NOW, body)
    assert not verify(header, body + b" ", SECRET, now=NOW)
    assert not verify(header, body[:-1], SECRET, now=NOW)


def test_a_secret_with_any_characters_is_its_utf8_bytes() -> None:
    body = b'{"id": 1}'
    expected = hmac.new("whsec_ünïcode".encode(), b"7." + body, hashlib.sha256).hexdigest()
    assert sign("whsec_ünïcode", 7, body) == f"t=7,v1={expected}"


def test_an_old_or_malformed_signature_is_refused() -> None:
    body = b"{}"
    assert not verify(sign(SECRET, NOW - 301, body), body, SECRET, now=NOW)
    assert verify(sign(SECRET, NOW - 300, body), body, SECRET, now=NOW)
    assert not verify("t=²,v1=00", body, SECRET, now=NOW)
    assert not verify("v1=00", body, SECRET, now=NOW)
    assert not verify("", body, SECRET, now=NOW)


def test_secrets_are_fresh_and_long() -> None:
    made = {new_secret() for _ in range(100)}
    assert len(made) == 100
    assert all(secret.startswith(SECRET_PREFIX) and len(secret) >= 48 for secret in made)
