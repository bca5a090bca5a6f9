"""Absolute URLs in answers (Location, Link)."""

from __future__ import annotations

import falcon.asgi


def absolute(req: falcon.asgi.Request, path: str) -> str:
    """`path` (from the shop's root) as an absolute URL: under PUBLIC_BASE_URL
    when it is set (RequestMiddleware names it), else at the address the
    client used (its Host, already checked to be sane, and the scheme)."""
    base: str = getattr(req.context, "base_url", None) or req.prefix
    return base + path
