"""What a client may send about users, and what it sees."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

Role = Literal["customer", "admin"]

Username = Annotated[str, StringConstraints(min_length=3, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$")]
Password = Annotated[str, Field(min_length=8, max_length=128)]


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Email = Annotated[EmailStr, Field(max_length=254), AfterValidator(_no_nul)]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    username: Username
    email: Email
    password: Annotated[Password, AfterValidator(_no_nul)]
    role: Role = "customer"


class UserPublic(BaseModel):
    """A user as every response shows it: never the password hash."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    email: str
    role: Role
    created_at: datetime
