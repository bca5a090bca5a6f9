"""Conditional requests (RFC 9110, section 13): a request that carries the
ETags a client holds, answered by comparing them with the resource's own."""

from __future__ import annotations

import falcon.asgi


def if_match(req: falcon.asgi.Request) -> list[str] | None:
    """If-Match as "*" or quoted strong tags, for comparison with `etag`; None when not sent."""
    if not req.if_match:
        return None
    return [tag if tag == "*" else tag.dumps() for tag in req.if_match]


def unchanged(req: falcon.asgi.Request, etag: str) -> bool:
    """Whether If-None-Match holds `etag` (a quoted tag) or "*": then a GET or
    HEAD answers 304. The comparison is weak: `W/"x"` matches `"x"`."""
    tags = req.if_none_match
    if not tags:
        return False
    return any(tag == "*" or f'"{tag}"' == etag for tag in tags)
