"""The users' SQL: the one place that reads or writes `users`.

Writes are Core statements on the unit of work's connection; reads are plain
SQL on the fast reads (`shop.storage.reads`). Both give `UserRow`s.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from shop.kernel.errors import Conflict
from shop.storage.keyset import Window
from shop.storage.models import Role, SignUp, User
from shop.storage.reads import Reads, like_fragment, row_type, where

TAKEN = "A user with this username or email already exists."


class UserRow(NamedTuple):
    id: int
    username: str
    email: str
    role: Role
    password_hash: str  # never shown: users.schemas.public leaves it out
    created_at: datetime
    session_generation: int  # tokens of an older generation are refused (shop.web.auth)


class Standing(NamedTuple):
    """What a token is checked against on every request: its user as stored now."""

    role: Role
    session_generation: int


USER = row_type(UserRow)
STANDING = row_type(Standing)
_COLUMNS = [User.__table__.c[name] for name in USER.columns]


def username_key(username: str) -> str:
    """Usernames are unique ignoring case."""
    return username.lower()


def email_key(email: str) -> str:
    return email.casefold()


# -- Writes, on the unit of work's connection ---------------------------------


def _values(username: str, email: str, password_hash: str, role: str, now: datetime) -> dict[str, Any]:
    return {
        "username": username,
        "username_key": username_key(username),
        "email": email,
        "email_key": email_key(email),
        "password_hash": password_hash,
        "role": role,
        "created_at": now,
        "updated_at": now,
    }


def add(connection: Connection, *, username: str, email: str, password_hash: str, role: str, now: datetime) -> UserRow:
    """A new user; 409 when the username or email is taken, ignoring case."""
    statement = insert(User).values(_values(username, email, password_hash, role, now)).returning(*_COLUMNS)
    try:
        return USER.make(connection.execute(statement).one())
    except IntegrityError:
        raise Conflict(TAKEN) from None


def add_many(connection: Connection, users: list[tuple[str, str]], password_hash: str, now: datetime) -> None:
    """Customers in bulk (demo data), as (username, email): one multi-row INSERT."""
    rows = [_values(username, email, password_hash, "customer", now) for username, email in users]
    connection.execute(insert(User), rows)


def last_id(connection: Connection) -> int:
    return int(connection.execute(select(func.coalesce(func.max(User.id), 0))).scalar_one())


def exists(connection: Connection, user_id: int) -> bool:
    return connection.execute(select(User.id).where(User.id == user_id)).first() is not None


def any_user(connection: Connection) -> bool:
    return connection.execute(select(User.id).limit(1)).first() is not None


def customer_ids(connection: Connection) -> list[int]:
    return list(connection.execute(select(User.id).where(User.role == "customer")).scalars())


def locked(connection: Connection, user_id: int) -> UserRow | None:
    """The user, locked until the transaction ends (PostgreSQL; SQLite's writer holds the whole database)."""
    row = connection.execute(select(*_COLUMNS).where(User.id == user_id).with_for_update()).first()
    return USER.make(row) if row is not None else None


def hold(connection: Connection, user_id: int) -> bool:
    """Lock the user's row until the transaction ends, FOR NO KEY UPDATE on PostgreSQL
    (rows that refer to the user, and changes to other users, go on meanwhile; SQLite's
    writer holds the whole database): whether there is such a user."""
    statement = select(User.id).where(User.id == user_id).with_for_update(key_share=True)
    return connection.execute(statement).first() is not None


def locked_admin_ids(connection: Connection) -> list[int]:
    """Every admin's id, their rows locked: two admins cannot demote or delete each other at once."""
    return list(connection.execute(select(User.id).where(User.role == "admin").with_for_update()).scalars())


def change(connection: Connection, user_id: int, values: Mapping[str, Any], now: datetime) -> UserRow:
    """Set `values`: any of email, password_hash and role; 409 when the email is taken."""
    values = dict(values)
    if "email" in values:
        values["email_key"] = email_key(values["email"])
    statement = update(User).where(User.id == user_id).values(**values, updated_at=now).returning(*_COLUMNS)
    try:
        return USER.make(connection.execute(statement).one())
    except IntegrityError:
        raise Conflict(TAKEN) from None


def end_sessions(connection: Connection, user_id: int) -> None:
    """Every token issued to the user so far is refused from now on."""
    connection.execute(update(User).where(User.id == user_id).values(session_generation=NEXT_GENERATION))


# Set with a new password or role, or by end_sessions.
NEXT_GENERATION = User.session_generation + 1


def remove(connection: Connection, user_id: int) -> None:
    """Raises IntegrityError while orders refer to the user (RESTRICT)."""
    connection.execute(delete(User).where(User.id == user_id))


def recent_sign_ups(connection: Connection, client: str, since: datetime) -> tuple[int, datetime | None]:
    """How many accounts `client` made since `since`, and when the first of them;
    every older sign-up is forgotten."""
    connection.execute(delete(SignUp).where(SignUp.signed_up_at <= since))
    statement = select(func.count(), func.min(SignUp.signed_up_at)).where(SignUp.client == client)
    count, first = connection.execute(statement).one()
    return int(count), first


def add_sign_up(connection: Connection, client: str, at: datetime) -> None:
    connection.execute(insert(SignUp).values(client=client, signed_up_at=at))


# -- Fast reads (shop.storage.reads) ---------------------------------------------------

_BY_ID = f"SELECT {USER.select_list()} FROM users WHERE id = :id"
_BY_USERNAME = f"SELECT {USER.select_list()} FROM users WHERE username_key = :key"
_STANDING = f"SELECT {STANDING.select_list()} FROM users WHERE id = :id"


async def by_id(reads: Reads, user_id: int) -> UserRow | None:
    return await reads.one(USER, _BY_ID, {"id": user_id})


async def by_username(reads: Reads, username: str) -> UserRow | None:
    return await reads.one(USER, _BY_USERNAME, {"key": username_key(username)})


async def standing_of(reads: Reads, user_id: int) -> Standing | None:
    """The user's role and session generation as stored now; None when there is no such user."""
    return await reads.one(STANDING, _STANDING, {"id": user_id})


def _conditions(contains: str | None, params: dict[str, Any]) -> list[str]:
    if contains is None:
        return []
    params["pattern"] = f"%{like_fragment(contains.casefold())}%"
    return ["(username_key LIKE :pattern ESCAPE '\\' OR email_key LIKE :pattern ESCAPE '\\')"]


async def window(reads: Reads, contains: str | None, rows: Window) -> list[UserRow]:
    """Users whose username or email contains `contains`, ignoring case."""
    params: dict[str, Any] = {}
    sql = f"SELECT {USER.select_list()} FROM users" + rows.sql(_conditions(contains, params), params)
    return await reads.all(USER, sql, params)


async def count(reads: Reads, contains: str | None) -> int:
    params: dict[str, Any] = {}
    return int(await reads.scalar("SELECT count(*) FROM users" + where(_conditions(contains, params)), params))
