"""Lists over HTTP: the query string in, the paging body and its headers out.

Every list takes `page` (default 1) and `per_page` (1-100, default 20), or a
`cursor` from an earlier page's `next_cursor`; it answers
`{"items", "page", "per_page", "total", "next_cursor"}` with `X-Total-Count`
and an RFC 8288 `Link` header (first and last always, prev and next where
there are such pages). The pages themselves come from `shop.storage.keyset`.

A cursor handed out is sealed (`CursorSeal`): a client can hand it back, not
make one or change one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any
from urllib.parse import urlencode

import falcon.asgi
from pydantic import ValidationError

from shop.kernel import codec
from shop.storage.keyset import BAD_CURSOR, Listing, ListQuery, Page
from shop.web.problems import validation_error
from shop.web.urls import absolute
from shop.web.validation import nul_errors, pydantic_errors


class CursorSeal:
    """Signs the cursors the shop hands out, with HMAC-SHA256 under a key
    derived from SECRET_KEY, and opens only those: the sort key inside a
    cursor goes into SQL, so it must be one the shop wrote."""

    def __init__(self, secret_key: str) -> None:
        self._key = hmac.digest(secret_key.encode(), b"shop: list cursors", hashlib.sha256)

    def seal(self, cursor: str) -> str:
        return f"{cursor}.{self._mac(cursor)}"  # base64url never holds a "."

    def open(self, sealed: str) -> str | None:
        """The cursor inside; None when the seal is not this shop's."""
        cursor, dot, mac = sealed.rpartition(".")
        if not dot or not hmac.compare_digest(mac.encode(), self._mac(cursor).encode()):
            return None
        return cursor

    def _mac(self, cursor: str) -> str:
        digest = hmac.digest(self._key, cursor.encode(), hashlib.sha256)[:16]
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def parse_query[Q: ListQuery](req: falcon.asgi.Request, model: type[Q], cursors: CursorSeal) -> Q:
    """The list's query, its cursor opened. An empty text value (`?q=`) counts as
    not given; any other empty value (`?page=`) is a bad value, 422."""
    empty_is_absent = model.EMPTY_MEANS_ABSENT
    params = {name: value for name, value in req.params.items() if value != "" or name not in empty_is_absent}
    nul = nul_errors(params, "query")
    if nul:
        raise validation_error(nul)
    try:
        query = model.model_validate(params)
    except ValidationError as error:
        raise validation_error(pydantic_errors(error, "query")) from None
    if query.cursor is not None and "page" in query.model_fields_set:
        both = "Give either a cursor or a page, not both."
        raise validation_error([{"loc": ["query", "cursor"], "msg": both}], detail=both)
    if query.cursor is not None:
        opened = cursors.open(query.cursor)
        if opened is None:
            raise validation_error([{"loc": ["query", "cursor"], "msg": BAD_CURSOR}], detail=BAD_CURSOR)
        query = query.model_copy(update={"cursor": opened})
    return query


def render_page(
    req: falcon.asgi.Request, resp: falcon.asgi.Response, query: ListQuery, page: Page[Any], cursors: CursorSeal
) -> None:
    """The paging body, X-Total-Count and the Link header, the next cursor sealed."""
    next_cursor = None if page.next_cursor is None else cursors.seal(page.next_cursor)
    base = absolute(req, req.path) + "?"
    kept = {name: str(value).lower() if isinstance(value, bool) else value for name, value in query.filters().items()}

    def link(rel: str, **paging: Any) -> str:
        return f'<{base}{urlencode({**kept, "per_page": query.per_page, **paging})}>; rel="{rel}"'

    links = [link("first", page=1)]
    if page.page > 1:
        links.append(link("prev", page=min(page.page - 1, page.last_page)))
    if next_cursor is not None:
        links.append(link("next", cursor=next_cursor))
    links.append(link("last", page=page.last_page))
    resp.set_header("X-Total-Count", str(page.total))
    resp.set_header("Link", ", ".join(links))
    body: Listing[Any] = {
        "items": page.items,
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "next_cursor": next_cursor,
    }
    resp.data = codec.dumps(body)
