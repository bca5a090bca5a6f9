"""How a delivery is signed, so its receiver knows it is the shop's and fresh.

`Shop-Signature: t=<unix seconds>,v1=<hex>`: v1 is HMAC-SHA256 of
`"{t}.{body}"` under the webhook's secret (its UTF-8 bytes), the scheme
Stripe uses, so receivers' existing code fits. A receiver checks v1 and that
t is recent; docs/webhooks.md shows the few lines it takes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "Shop-Signature"
EVENT_ID_HEADER = "Shop-Event-Id"
EVENT_TYPE_HEADER = "Shop-Event-Type"
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, as Stripe's secrets have)


def new_secret() -> str:
    """A webhook's signing secret: 256 random bits."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The Shop-Signature header's value for `body` sent at `timestamp`."""
    return f"t={timestamp},v1={_mac(secret, timestamp, body)}"


def verify(header: str, body: bytes, secret: str, *, now: float, tolerance: int = 300) -> bool:
    """Whether `header` signs `body` under `secret`, within `tolerance` seconds of `now`."""
    fields = dict(part.strip().partition("=")[::2] for part in header.split(","))
    timestamp, signature = fields.get("t", ""), fields.get("v1", "")
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    if abs(now - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(_mac(secret, int(timestamp), body).encode(), signature.encode())
