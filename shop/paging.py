"""Lists over HTTP: the query string in, the paging body and its headers out.

Every list takes `page` (default 1) and `per_page` (1-100, default 20), or a
`cursor` from an earlier page's `next_cursor`; it answers
`{"items", "page", "per_page", "total", "next_cursor"}` with `X-Total-Count`
and an RFC 8288 `Link` header (first and last always, prev and next where
there are such pages). The pages themselves come from `shop.keyset`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import falcon.asgi
from pydantic import ValidationError

from shop import codec
from shop.keyset import Listing, ListQuery, Page
from shop.problems import validation_error
from shop.validation import nul_errors, pydantic_errors


def parse_query[Q: ListQuery](req: falcon.asgi.Request, model: type[Q]) -> Q:
    """The list's query; an empty value (`?q=`) counts as not given."""
    params = {name: value for name, value in req.params.items() if value != ""}
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
    return query


def render_page(req: falcon.asgi.Request, resp: falcon.asgi.Response, query: ListQuery, page: Page[Any]) -> None:
    """The paging body, X-Total-Count and the Link header."""
    base = f"{req.prefix}{req.path}?"
    kept = {name: str(value).lower() if isinstance(value, bool) else value for name, value in query.filters().items()}

    def link(rel: str, **paging: Any) -> str:
        return f'<{base}{urlencode({**kept, "per_page": query.per_page, **paging})}>; rel="{rel}"'

    links = [link("first", page=1)]
    if page.page > 1:
        links.append(link("prev", page=min(page.page - 1, page.last_page)))
    if page.next_cursor is not None:
        links.append(link("next", cursor=page.next_cursor))
    links.append(link("last", page=page.last_page))
    resp.set_header("X-Total-Count", str(page.total))
    resp.set_header("Link", ", ".join(links))
    body: Listing[Any] = {
        "items": page.items,
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "next_cursor": page.next_cursor,
    }
    resp.data = codec.dumps(body)
