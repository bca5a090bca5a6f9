"""What a client may send about users, and what it sees."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from shop import codec
from shop.models import User
from shop.paging import ListQuery

Role = Literal["customer", "admin"]


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Username = Annotated[str, StringConstraints(min_length=3, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$")]
Password = Annotated[str, Field(min_length=8, max_length=128), AfterValidator(_no_nul)]
Email = Annotated[EmailStr, Field(max_length=254), AfterValidator(_no_nul)]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    username: Username
    email: Email
    password: Password
    role: Role = "customer"


class UserUpdate(BaseModel):
    """A PATCH: at least one of email, password and role; `current_password`
    confirms a change of one's own email or password."""

    model_config = ConfigDict(extra="forbid", strict=True)

    email: Email | None = None
    password: Password | None = None
    role: Role | None = None
    current_password: Annotated[str, Field(max_length=1024)] | None = None

    @field_validator("email", "password", "role", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must not be null; leave the field out to keep it")
        return value

    @model_validator(mode="after")
    def _something_to_change(self) -> Self:
        if self.email is None and self.password is None and self.role is None:
            raise ValueError("Give at least one of email, password and role.")
        return self


class UserList(ListQuery):
    q: Annotated[str, Field(min_length=1, max_length=320)] | None = None


def public(user: User) -> dict[str, Any]:
    """A user as every response shows it: never the password hash."""
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "role": user.role,
        "created_at": codec.timestamp(user.created_at),
    }
