"""Lists: page/per_page, keyset cursors, the paging body and its headers (API.md 1).

A cursor is opaque to clients: base64url of the sort key of the last item
shown, the page number it leads to, and a fingerprint of the filters and sort
it was made for, so a cursor cannot be replayed against another query.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import re
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypedDict
from urllib.parse import urlencode

import falcon.asgi
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, with_config
from sqlalchemy import ColumnElement, Select, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from shop import codec
from shop.errors import Invalid, validation_error
from shop.recent import Recent, Writes
from shop.validation import pydantic_errors

MAX_ID = 2**63 - 1
_PLAIN_ID = re.compile(r"[1-9][0-9]{0,18}")


def plain_id(text: str) -> int | None:
    """An id written plainly ("7", not "07", " 7", "+7" or other scripts'
    digits) that fits in 63 bits; else None."""
    if not _PLAIN_ID.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


# Past this offset no table has rows: answer an empty page without asking the database.
MAX_OFFSET = 2**53


def _whole_number(value: Any) -> Any:
    # Digits only: int() would also take "1_0", " 2" and "+3".
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{1,19}", value):
        raise ValueError("must be a whole number")
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
QueryInt = Annotated[int, BeforeValidator(_whole_number)]
QueryId = Annotated[int, BeforeValidator(_whole_number), Field(ge=1, le=MAX_ID)]


class ListQuery(BaseModel):
    """The paging parameters every list takes; endpoints add their filters."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    page: Annotated[QueryInt, Field(ge=1, le=MAX_ID)] = 1
    per_page: Annotated[QueryInt, Field(ge=1, le=100)] = 20
    cursor: str | None = Field(default=None, min_length=1, max_length=1024)

    def filters(self) -> dict[str, Any]:
        """The filter and sort values as given, for links and cursor fingerprints."""
        return {
            name: value
            for name, value in self.model_dump(exclude={"page", "per_page", "cursor"}).items()
            if value is not None and name in self.model_fields_set
        }


def parse_query[Q: ListQuery](req: falcon.asgi.Request, model: type[Q]) -> Q:
    """The list's query; an empty value (`?q=`) counts as not given."""
    params = {name: value for name, value in req.params.items() if value != ""}
    with_nul = [name for name, value in params.items() if "\x00" in str(value)]
    if with_nul:
        raise validation_error(
            [{"loc": ["query", name], "msg": "must not contain NUL characters"} for name in with_nul]
        )
    try:
        query = model.model_validate(params)
    except ValidationError as error:
        raise validation_error(pydantic_errors(error, "query")) from None
    if query.cursor is not None and "page" in query.model_fields_set:
        raise Invalid.at(["query", "cursor"], "Give either a cursor or a page, not both.")
    return query


def like_fragment(text: str) -> str:
    """`text` matched literally inside a LIKE pattern (ESCAPE '\\'): for `q` searches."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True, slots=True)
class Cursor:
    page: int
    key: list[Any]


def _fingerprint(query: ListQuery) -> str:
    return hashlib.sha256(codec.dumps(sorted(query.filters().items()))).hexdigest()[:16]


def encode_cursor(query: ListQuery, cursor: Cursor) -> str:
    raw = codec.dumps({"p": cursor.page, "k": cursor.key, "f": _fingerprint(query)})
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(query: ListQuery, key_types: Sequence[type]) -> Cursor:
    bad = Invalid.at(["query", "cursor"], "This cursor is not valid for this list; start again from page 1.")
    assert query.cursor is not None
    try:
        data = codec.loads(base64.urlsafe_b64decode(query.cursor + "=" * (-len(query.cursor) % 4)))
        page, key, fingerprint = data["p"], data["k"], data["f"]
    except (binascii.Error, ValueError, TypeError, KeyError):
        raise bad from None
    if (
        fingerprint != _fingerprint(query)
        or type(page) is not int
        or page < 2
        or not isinstance(key, list)
        or len(key) != len(key_types)
    ):
        raise bad
    try:
        return Cursor(page=page, key=[_key_value(value, kind) for value, kind in zip(key, key_types, strict=True)])
    except (TypeError, ValueError):
        raise bad from None


def _key_value(value: Any, kind: type) -> Any:
    """A sort key value read back from a cursor, checked against its column's type."""
    if kind is datetime and type(value) is str:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("naive datetime")
        return parsed
    if type(value) is not kind:
        raise TypeError(kind)
    return value


@dataclass(frozen=True, slots=True)
class Ordering:
    """A list's order: sort columns (the last one unique, usually the id), one direction."""

    columns: tuple[ColumnElement[Any] | InstrumentedAttribute[Any], ...]
    descending: bool = False

    def order_by(self) -> list[ColumnElement[Any]]:
        return [column.desc() if self.descending else column.asc() for column in self.columns]

    def after(self, key: Sequence[Any]) -> ColumnElement[bool]:
        row = tuple_(*self.columns)
        return row < tuple_(*key) if self.descending else row > tuple_(*key)


@dataclass(frozen=True, slots=True)
class Page[T]:
    items: list[T]
    page: int
    per_page: int
    total: int
    next_cursor: str | None

    def map[U](self, convert: Callable[[T], U]) -> Page[U]:
        return Page([convert(item) for item in self.items], self.page, self.per_page, self.total, self.next_cursor)

    @property
    def last_page(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


@with_config(ConfigDict(extra="forbid"))
class Listing[T](TypedDict):
    """A list's body: one page of items and where it stands."""

    items: list[T]
    page: Annotated[int, Field(ge=1)]
    per_page: Annotated[int, Field(ge=1, le=100)]
    total: Annotated[int, Field(ge=0)]
    next_cursor: str | None


# Runs a Core select and gives its rows: a session's, or `DirectReads.select`.
Rows = Callable[[Select[Any]], Awaitable[Sequence[Any]]]


def session_rows(session: AsyncSession) -> Rows:
    async def rows(statement: Select[Any]) -> Sequence[Any]:
        found: Sequence[Any] = (await session.execute(statement)).all()
        return found

    return rows


class Totals:
    """Recent list totals, so a big table is not counted again for every page
    (see `Recent`: at most a second old, never older than this app's last
    write, one count for all who want it at once). Items and cursors are
    always read fresh."""

    def __init__(self, writes: Writes) -> None:
        self._recent: Recent[int] = Recent(writes)

    async def count(self, rows: Rows, statement: Select[Any], key: Hashable) -> int:
        async def counted() -> int:
            return int((await rows(select(func.count()).select_from(statement.order_by(None).subquery())))[0][0])

        return await self._recent.get(key, counted)


async def fetch_page[T](
    rows_of: Rows,
    statement: Select[Any],
    *,
    query: ListQuery,
    ordering: Ordering,
    key_types: Sequence[type],
    key_of: Callable[[Any], list[Any]],
    convert: Callable[[Any], T],
    totals: Totals,
    count_key: Hashable,
) -> Page[T]:
    """One page of `statement` (already filtered), by offset or by keyset cursor.
    `count_key` names the filtered set, for the totals cache."""
    total = await totals.count(rows_of, statement, count_key)
    ordered = statement.order_by(*ordering.order_by()).limit(query.per_page)
    if query.cursor is not None:
        cursor = decode_cursor(query, key_types)
        page_number = cursor.page
        ordered = ordered.where(ordering.after(cursor.key))
    else:
        page_number = query.page
        ordered = ordered.offset((query.page - 1) * query.per_page)
    far_past_the_end = query.cursor is None and (query.page - 1) * query.per_page > MAX_OFFSET
    rows = [] if far_past_the_end else await rows_of(ordered)
    next_cursor = None
    if rows and len(rows) == query.per_page and page_number * query.per_page < total:
        next_cursor = encode_cursor(query, Cursor(page=page_number + 1, key=key_of(rows[-1])))
    return Page(
        items=[convert(row) for row in rows],
        page=page_number,
        per_page=query.per_page,
        total=total,
        next_cursor=next_cursor,
    )


def render_page(req: falcon.asgi.Request, resp: falcon.asgi.Response, query: ListQuery, page: Page[Any]) -> None:
    """The paging body, X-Total-Count and an RFC 8288 Link header."""
    base = f"{req.prefix}{req.path}?"
    kept = {name: str(value).lower() if isinstance(value, bool) else value for name, value in query.filters().items()}

    def link(rel: str, **paging: Any) -> str:
        return f'<{base}{urlencode({**kept, "per_page": query.per_page, **paging})}>; rel="{rel}"'

    links = [link("first", page=1)]
    if page.page > 1:
        links.append(link("prev", page=min(page.page - 1, page.last_page)))
    if page.page < page.last_page:
        links.append(link("next", cursor=page.next_cursor) if page.next_cursor else link("next", page=page.page + 1))
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
