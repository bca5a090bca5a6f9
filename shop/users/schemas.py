"""What a client may send about users, and what it sees."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypedDict

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    with_config,
)

from shop.kernel import codec
from shop.kernel.codec import Timestamp
from shop.kernel.fields import NOT_NULL, Changes
from shop.kernel.ids import Id
from shop.storage import models
from shop.storage.keyset import EMPTY_IS_ABSENT, ListQuery

if TYPE_CHECKING:
    from shop.users.store import UserRow

Role = models.Role


Username = Annotated[
    str, StringConstraints(min_length=3, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$"), Field(examples=["ada"])
]
Password = Annotated[str, Field(min_length=8, max_length=128, examples=["correct horse battery"])]
Email = Annotated[EmailStr, Field(max_length=254, examples=["ada@example.com"])]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    username: Username
    email: Email
    password: Password
    role: Role = "customer"


class UserUpdate(Changes):
    """A PATCH: at least one of email, password and role; `current_password`
    confirms a change of one's own email or password."""

    email: Annotated[Email | None, NOT_NULL] = None
    password: Annotated[Password | None, NOT_NULL] = None
    role: Annotated[Role | None, NOT_NULL] = None
    current_password: Annotated[str, Field(max_length=1024)] | None = None


class UserList(ListQuery):
    EMPTY_MEANS_ABSENT = frozenset({"cursor", "q"})

    q: Annotated[str, Field(max_length=320, description=EMPTY_IS_ABSENT)] | None = None


@with_config(ConfigDict(extra="forbid"))
class User(TypedDict):
    """A user as every answer shows it: never the password hash."""

    id: Id
    username: str
    email: str
    role: Role
    created_at: Timestamp


def public(user: UserRow) -> User:
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "role": user.role,
        "created_at": codec.timestamp(user.created_at),
    }
