"""The rules about users, as plain async functions over a session."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shop.errors import Conflict
from shop.models import User


def username_key(username: str) -> str:
    return username.lower()


def email_key(email: str) -> str:
    return email.casefold()


async def find_by_username(session: AsyncSession, username: str) -> User | None:
    result = await session.execute(select(User).where(User.username_key == username_key(username)))
    return result.scalar_one_or_none()


async def create_user(session: AsyncSession, *, username: str, email: str, password_hash: str, role: str) -> User:
    """Insert a user; 409 when the username or email is taken, ignoring case."""
    user = User(
        username=username,
        username_key=username_key(username),
        email=email,
        email_key=email_key(email),
        password_hash=password_hash,
        role=role,
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict("A user with this username or email already exists.") from None
    return user
