"""Pages of a list, by offset or by keyset cursor: the part of paging below HTTP.

A list is ordered by a `Sort`: columns of the store's row type, the last one
unique (the id), all one direction. A page reads one row more than it shows:
that row, not the total, says whether there is a next page, so a client
walking by cursor sees every row that existed for the whole walk, whatever is
inserted or deleted meanwhile. The total is counted apart (and remembered
briefly, `Totals`).

A cursor is opaque to clients: base64url of the sort key of the last row shown,
the page number it leads to, and a fingerprint of the filters and sort it was
made for, so that it cannot be replayed against another query. Over HTTP it
travels sealed (`shop.web.paging.CursorSeal`), so no client can forge one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import typing
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, TypedDict

from pydantic import BaseModel, ConfigDict, Field, with_config

from shop.kernel import codec
from shop.kernel.errors import Invalid
from shop.kernel.ids import MAX_ID, WholeNumber
from shop.storage.reads import where
from shop.storage.recent import Recent, Writes

# Past this offset no table has rows: answer an empty page without asking the database.
MAX_OFFSET = 2**53
_INT64 = range(-(2**63), 2**63)
MAX_PER_PAGE = 100


# A query value left empty (`?q=`) counts as not given (shop.web.paging.parse_query):
# forms send their empty fields. So a text parameter's schema takes "".
EMPTY_IS_ABSENT = "Empty is the same as not given."


def _no_default(schema: dict[str, Any]) -> None:
    del schema["default"]


class ListQuery(BaseModel):
    """The paging parameters every list takes; each list adds its filters."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # The text parameters left empty that count as not given (forms send their
    # empty fields); their schemas take "". Each list adds its own.
    EMPTY_MEANS_ABSENT: ClassVar[frozenset[str]] = frozenset({"cursor"})

    # No default in the schema: a generated client would send `page=1` next
    # to every `cursor`, and the two together are refused.
    page: Annotated[int, Field(ge=1, le=MAX_ID), WholeNumber] = Field(
        1, description="The page to show, from 1 (1 when absent). Not with `cursor`.", json_schema_extra=_no_default
    )
    per_page: Annotated[int, Field(ge=1, le=MAX_PER_PAGE), WholeNumber] = Field(20, description="Items per page.")
    cursor: str | None = Field(
        default=None,
        max_length=1024,
        description="An earlier page's `next_cursor`, for the page after it, with the same filters and sort. "
        + EMPTY_IS_ABSENT,
    )

    def filters(self) -> dict[str, Any]:
        """The filter and sort values as given, for links and cursor fingerprints."""
        return {
            name: value
            for name, value in self.model_dump(exclude={"page", "per_page", "cursor"}).items()
            if value is not None and name in self.model_fields_set
        }


@with_config(ConfigDict(extra="forbid"))
class Listing[T](TypedDict):
    """A list's body: one page of items and where it stands."""

    items: list[T]
    page: Annotated[int, Field(ge=1)]
    per_page: Annotated[int, Field(ge=1, le=MAX_PER_PAGE)]
    total: Annotated[int, Field(ge=0)]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class Sort[R]:
    """A list's order over row type `R`: its columns (the last one unique), one direction."""

    row_type: type[R]
    columns: tuple[str, ...]
    descending: bool = False

    def key_of(self, row: R) -> list[Any]:
        return [getattr(row, column) for column in self.columns]

    def key_types(self) -> list[type]:
        hints = typing.get_type_hints(self.row_type)
        return [hints[column] for column in self.columns]


@dataclass(frozen=True, slots=True)
class Window:
    """The rows a page reads: `limit` of them, after a cursor's key or from an offset."""

    sort: Sort[Any]
    limit: int
    offset: int = 0
    after: tuple[Any, ...] | None = None

    def sql(self, conditions: list[str], params: dict[str, Any]) -> str:
        """WHERE (the list's `conditions` and the keyset's), ORDER BY and LIMIT,
        adding the values they name to `params`."""
        conditions = list(conditions)
        if self.after is not None:
            names = [f"after_{index}" for index in range(len(self.after))]
            params.update(zip(names, self.after, strict=True))
            columns, values = ", ".join(self.sort.columns), ", ".join(f":{name}" for name in names)
            conditions.append(f"({columns}) {'<' if self.sort.descending else '>'} ({values})")
        direction = " DESC" if self.sort.descending else ""
        params.update(limit=self.limit, offset=self.offset)
        order = ", ".join(column + direction for column in self.sort.columns)
        return f"{where(conditions)} ORDER BY {order} LIMIT :limit OFFSET :offset"


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


BAD_CURSOR = "This cursor is not valid for this list; start again from page 1."


def _fingerprint(query: ListQuery) -> str:
    return hashlib.sha256(codec.dumps(sorted(query.filters().items()))).hexdigest()[:16]


def encode_cursor(query: ListQuery, page: int, key: list[Any]) -> str:
    raw = codec.dumps({"p": page, "k": key, "f": _fingerprint(query)})
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(query: ListQuery, key_types: list[type]) -> tuple[int, tuple[Any, ...]]:
    """The page number and sort key in the query's cursor; 422 for anything this list did not make."""
    bad = Invalid.at(["query", "cursor"], BAD_CURSOR)
    assert query.cursor is not None
    try:
        data = codec.loads(base64.urlsafe_b64decode(query.cursor + "=" * (-len(query.cursor) % 4)))
        page, key, fingerprint = data["p"], data["k"], data["f"]
    except (binascii.Error, ValueError, TypeError, KeyError):
        raise bad from None
    if (
        fingerprint != _fingerprint(query)
        or type(page) is not int
        or not 2 <= page <= MAX_ID
        or not isinstance(key, list)
        or len(key) != len(key_types)
    ):
        raise bad
    try:
        return page, tuple(_key_value(value, kind) for value, kind in zip(key, key_types, strict=True))
    except (TypeError, ValueError, OverflowError):
        raise bad from None


def _key_value(value: Any, kind: type) -> Any:
    """A sort key value read back from a cursor, checked to be one its column can hold."""
    if kind is datetime and type(value) is str:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("naive datetime")
        return parsed.astimezone(UTC)  # OverflowError at the ends of time
    if type(value) is not kind:
        raise TypeError(kind)
    if (isinstance(value, int) and value not in _INT64) or (isinstance(value, str) and "\x00" in value):
        raise ValueError("not a value the column holds")
    return value


class Totals:
    """Recent list totals, so a big table is not counted again for every page
    (see `Recent`: at most a second old, never older than this app's last
    write, one count for all who want it at once). Rows are always read fresh."""

    def __init__(self, writes: Writes) -> None:
        self._recent: Recent[int] = Recent(writes)

    async def count(self, key: Hashable, counted: Callable[[], Awaitable[int]]) -> int:
        return await self._recent.get(key, counted)


async def fetch_page[R](
    query: ListQuery,
    sort: Sort[R],
    rows: Callable[[Window], Awaitable[list[R]]],
    total: Callable[[], Awaitable[int]],
) -> Page[R]:
    """One page of a list: `rows` reads a window of it, `total` counts it."""
    if query.cursor is not None:
        page_number, after = decode_cursor(query, sort.key_types())
        window = Window(sort, query.per_page + 1, after=after)
    else:
        page_number = query.page
        window = Window(sort, query.per_page + 1, offset=(query.page - 1) * query.per_page)
    found = [] if window.offset > MAX_OFFSET else await rows(window)
    shown = found[: query.per_page]
    next_cursor = None
    if len(found) > query.per_page:
        next_cursor = encode_cursor(query, page_number + 1, [_json_key(value) for value in sort.key_of(shown[-1])])
    return Page(shown, page_number, query.per_page, await total(), next_cursor)


def _json_key(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
