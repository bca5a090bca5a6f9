"""What a client may send about categories, and what it sees; and what a
product says about its categories (`CategoryIds`, `CategoryRef`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypedDict

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, with_config

from shop.kernel import codec
from shop.kernel.codec import Timestamp
from shop.kernel.fields import NOT_NULL, Changes, one_line
from shop.kernel.ids import Id, QueryId
from shop.kernel.names import name_key, not_blank
from shop.kernel.slugs import PATTERN as SLUG_PATTERN
from shop.storage.keyset import EMPTY_IS_ABSENT, ListQuery
from shop.storage.models import LINEAGE_DIGITS

if TYPE_CHECKING:
    from shop.categories.store import CategoryRow

MAX_POSITION = 1_000_000
MAX_SLUG = 200
MAX_PER_PRODUCT = 20
# Room for a name's key: case folding and NFKC can make a name longer ("ß" -> "ss").
MAX_NAME_KEY = 300


def _key_fits(value: str) -> str:
    if len(name_key(value)) > MAX_NAME_KEY:
        raise ValueError(f"must stay within {MAX_NAME_KEY} characters once case-folded and normalized (NFKC)")
    return value


def _not_digits_only(slug: str) -> str:
    if slug.isdigit():
        raise ValueError("must contain a letter: a slug of digits only would read as an id (?category=)")
    return slug


def _each_once(ids: list[int]) -> list[int]:
    if len(set(ids)) != len(ids):
        raise ValueError("names a category more than once")
    return ids


Name = Annotated[
    str,
    Field(min_length=1, max_length=100, examples=["Teapots"]),
    AfterValidator(not_blank),
    AfterValidator(one_line),
    AfterValidator(_key_fits),
]
Slug = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_SLUG,
        pattern=SLUG_PATTERN,
        examples=["teapots"],
        description="a-z, 0-9 and single hyphens between them, not digits only; unique in the shop.",
    ),
    AfterValidator(_not_digits_only),
]
Position = Annotated[
    int,
    Field(ge=0, le=MAX_POSITION, examples=[0], description="Its place among its siblings, lowest first."),
]
ParentId = Annotated[
    Id, Field(description="The category it sits under; null or left out for the top of the tree.", examples=[3])
]

# A product's categories (products.schemas): 0 to 20, each once.
CategoryIds = Annotated[
    list[Id],
    Field(max_length=MAX_PER_PRODUCT, examples=[[3, 7]]),
    AfterValidator(_each_once),
]
# A category named in a query string: its id, or its slug ("" is no filter: EMPTY_IS_ABSENT).
CategoryRef = Annotated[
    str,
    Field(
        max_length=MAX_SLUG,
        pattern=r"^([1-9][0-9]{0,18}|[a-z0-9]+(-[a-z0-9]+)*)?$",
        examples=["teapots", "7"],
        description="A category's id or slug: its products and those of every category below it. " + EMPTY_IS_ABSENT,
    ),
]


class CategoryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: Name
    slug: Slug | None = Field(None, description="Made from the name when left out (-2, -3 ... when taken).")
    parent_id: ParentId | None = None
    position: Position | None = Field(None, description="Left out, after its last sibling.")


class CategoryUpdate(Changes):
    name: Annotated[Name | None, NOT_NULL] = None
    slug: Annotated[Slug | None, NOT_NULL] = None
    # null is a move to the top of the tree: absent keeps the parent.
    parent_id: ParentId | None = None
    position: Annotated[Position | None, NOT_NULL] = None


class CategoryList(ListQuery):
    parent_id: QueryId | None = Field(None, description="Only the children of this category (one level).")


@with_config(ConfigDict(extra="forbid"))
class Category(TypedDict):
    id: Id
    name: str
    slug: str
    parent_id: Id | None  # null at the top of the tree
    path: list[Id]  # the ids of its ancestors, the top one first; [] at the top
    position: Annotated[int, Field(ge=0, le=MAX_POSITION)]
    created_at: Timestamp
    updated_at: Timestamp


# -- The tree, as lineages (shop.storage.models.Category) ---------------------------


def path_of(lineage: str) -> list[int]:
    """The ids in a lineage, the top one first."""
    return [int(lineage[start : start + LINEAGE_DIGITS]) for start in range(0, len(lineage), LINEAGE_DIGITS + 1)]


def public(category: CategoryRow) -> Category:
    return {
        "id": category.id,
        "name": category.name,
        "slug": category.slug,
        "parent_id": category.parent_id,
        "path": path_of(category.lineage),
        "position": category.position,
        "created_at": codec.timestamp(category.created_at),
        "updated_at": codec.timestamp(category.updated_at),
    }
