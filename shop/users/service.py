"""The rules about users, over `UserRow`s from the store."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple, Protocol

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from shop.events import service as events
from shop.events.schemas import EventType
from shop.kernel.addresses import on_this_machine
from shop.kernel.callers import Caller
from shop.kernel.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests
from shop.kernel.passwords import Passwords, weakness
from shop.storage.database import Database
from shop.storage.keyset import Page, Sort, Totals, Window, fetch_page
from shop.users import store
from shop.users.schemas import UserCreate, UserList, UserUpdate, public
from shop.users.store import Standing, UserRow

HAS_ORDERS = "This user has orders (cancelled ones count too), so the account cannot be deleted."
BY_ID = Sort(UserRow, ("id",))
username_key = store.username_key  # failed logins and password guesses count per user, ignoring case
exists = store.exists  # in the caller's transaction: an admin orders for a user who exists
# In the caller's transaction: what a user keeps (their address book) changes one transaction at a time.
hold = store.hold


class NewAccount(NamedTuple):
    username: str
    email: str
    password_hash: str
    role: str


class Guard(Protocol):
    """What counts guesses at a user's password (shop.login.guard.LoginGuard)."""

    async def check(self, username_key: str, client: str, verify: Callable[[], Awaitable[bool]]) -> bool: ...


def _tell(connection: Connection, kind: EventType, user: UserRow, now: datetime, **more: object) -> None:
    """Record the event `kind` of the user, as the API shows it (never a secret), in this transaction."""
    events.record(connection, kind, f"user:{user.id}", {**public(user), **more}, now)


def _add(connection: Connection, *, username: str, email: str, password_hash: str, role: str, now: datetime) -> UserRow:
    """A new user (409 when the username or email is taken) and its user.created event."""
    user = store.add(connection, username=username, email=email, password_hash=password_hash, role=role, now=now)
    _tell(connection, "user.created", user, now)
    return user


async def create_user(
    database: Database, *, username: str, email: str, password_hash: str, role: str, now: datetime
) -> UserRow:
    def work(connection: Connection) -> UserRow:
        return _add(connection, username=username, email=email, password_hash=password_hash, role=role, now=now)

    return await database.transaction(work)


async def add_first_accounts(database: Database, accounts: Sequence[NewAccount], now: datetime) -> bool:
    """Accounts for a shop that has no user yet, in one transaction (demo data):
    whether they were added."""

    def work(connection: Connection) -> bool:
        if store.any_user(connection):
            return False
        for account in accounts:
            _add(connection, **account._asdict(), now=now)
        return True

    return await database.transaction(work)


async def add_customers(
    database: Database, customers: list[tuple[str, str]], password_hash: str, now: datetime
) -> None:
    """Customers in bulk (demo data), as (username, email) with one password: one
    multi-row INSERT, told as no event (as bulk products are not)."""
    await database.transaction(lambda connection: store.add_many(connection, customers, password_hash, now))


async def last_id(database: Database) -> int:
    return await database.transaction(store.last_id)


async def customer_ids(database: Database) -> list[int]:
    return await database.transaction(store.customer_ids)


SIGN_UPS = 5  # accounts one client address may make through open registration per window
SIGN_UP_WINDOW = timedelta(hours=1)


async def register(
    database: Database,
    caller: Caller | None,
    new: UserCreate,
    now: datetime,
    *,
    passwords: Passwords,
    client: str | None,
) -> UserRow:
    """A new account: admins create any role. Without a caller (open registration):
    customers only, with a password hard to guess, and a few per client address
    an hour (the machine itself, or a proxy that does not name its client, excepted)."""
    if caller is None and new.role != "customer":
        raise Forbidden("Registration creates customers only.")
    if caller is not None and not caller.is_admin:
        raise Forbidden("This action is for admins.")
    if caller is None and (reason := weakness(new.username, new.password)) is not None:
        raise Invalid.at(["body", "password"], reason)
    password_hash = await passwords.hash(new.password)
    counted = caller is None and client is not None and not on_this_machine(client)

    def work(connection: Connection) -> UserRow:
        if counted:
            assert client is not None
            made, first = store.recent_sign_ups(connection, client, now - SIGN_UP_WINDOW)
            if made >= SIGN_UPS and first is not None:
                wait = math.ceil((first + SIGN_UP_WINDOW - now).total_seconds())
                raise TooManyRequests("Too many sign-ups from this address; try again later.", retry_after=max(1, wait))
            store.add_sign_up(connection, client, now)
        return _add(
            connection, username=new.username, email=new.email, password_hash=password_hash, role=new.role, now=now
        )

    return await database.transaction(work)


def _may_see(caller: Caller, user_id: int) -> None:
    """Someone else's account is "not found" to a customer: its existence is not revealed."""
    if not caller.is_admin and caller.id != user_id:
        raise NotFound("No such user.")


async def by_username(database: Database, username: str) -> UserRow | None:
    """The user who logs in as `username` (ignoring case), if there is one."""
    return await store.by_username(database.reads, username)


async def standing_of(database: Database, user_id: int) -> Standing | None:
    """The user's role and session generation as stored now; None when there is no such user."""
    return await store.standing_of(database.reads, user_id)


async def read_user(database: Database, caller: Caller, user_id: int) -> UserRow:
    _may_see(caller, user_id)
    user = await store.by_id(database.reads, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


async def list_users(database: Database, query: UserList, totals: Totals) -> Page[UserRow]:
    async def rows(window: Window) -> list[UserRow]:
        return await store.window(database.reads, query.q, window)

    async def total() -> int:
        return await totals.count(("users", query.q), lambda: store.count(database.reads, query.q))

    return await fetch_page(query, BY_ID, rows, total)


class Changed(NamedTuple):
    user: UserRow
    sessions_ended: bool  # a new password or role: the user's tokens are refused from now on


async def update_user(
    database: Database,
    caller: Caller,
    user_id: int,
    changes: UserUpdate,
    now: datetime,
    *,
    passwords: Passwords,
    guard: Guard,
    client: str,
) -> Changed:
    """Only admins change roles, and never the last admin's; one's own email or
    password only with the current password (checked before the write: it is
    slow on purpose, and must not hold the write lock)."""
    user = await read_user(database, caller, user_id)
    if changes.role is not None and not caller.is_admin:
        raise Forbidden("Only an admin can change a role.")
    if caller.id == user_id and (changes.email is not None or changes.password is not None):
        if changes.current_password is None:
            raise Invalid.at(["body", "current_password"], "Confirm a change of your own email or password with it.")
        # A guess at the password, like a login: it counts in the same rule.
        current = changes.current_password
        key = store.username_key(user.username)
        if not await guard.check(key, client, lambda: passwords.verify(user.password_hash, current)):
            raise Forbidden("The current password is not correct.")
    values: dict[str, object] = {}
    if changes.email is not None:
        values["email"] = changes.email
    if changes.password is not None:
        values["password_hash"] = await passwords.hash(changes.password)
        values["session_generation"] = store.NEXT_GENERATION  # a stolen token dies with the old password

    def work(connection: Connection) -> Changed:
        stored = store.locked(connection, user_id)
        if stored is None:
            raise NotFound("No such user.")
        written = dict(values)
        if changes.role is not None and changes.role != stored.role:
            _refuse_losing_last_admin(connection, stored)
            written.update(role=changes.role, session_generation=store.NEXT_GENERATION)
        user = store.change(connection, user_id, written, now)
        told = [name for name in ("email", "password", "role") if _differs(stored, user, name, written)]
        if told:
            _tell(connection, "user.updated", user, now, changed=told)
        return Changed(user, sessions_ended="session_generation" in written)

    return await database.transaction(work)


def _differs(before: UserRow, after: UserRow, name: str, values: dict[str, object]) -> bool:
    """Whether a PATCH changed `name`: a new password always does (its hash is new)."""
    if name == "password":
        return "password_hash" in values
    return bool(getattr(before, name) != getattr(after, name))


async def log_out(database: Database, caller: Caller) -> None:
    """Ends every session of the caller: their tokens, this one included, are refused from now on."""

    def work(connection: Connection) -> None:
        store.end_sessions(connection, caller.id)

    await database.transaction(work)


LAST_ADMIN = "This is the last admin; make another admin first."


def _refuse_losing_last_admin(connection: Connection, user: UserRow) -> None:
    if user.role == "admin" and len(store.locked_admin_ids(connection)) <= 1:
        raise Conflict(LAST_ADMIN)


async def delete_user(database: Database, caller: Caller, user_id: int, now: datetime) -> None:
    """Not while the user has orders (cancelled ones too), nor the last admin."""
    _may_see(caller, user_id)

    def work(connection: Connection) -> None:
        user = store.locked(connection, user_id)
        if user is None:
            raise NotFound("No such user.")
        admins = store.locked_admin_ids(connection) if user.role == "admin" else []
        try:
            store.remove(connection, user_id)
        except IntegrityError:  # the schema keeps every order's user (orders.user_id, ON DELETE RESTRICT)
            raise Conflict(HAS_ORDERS) from None
        if user.role == "admin" and len(admins) <= 1:
            raise Conflict(LAST_ADMIN)  # the removal rolls back with the transaction
        _tell(connection, "user.deleted", user, now)

    await database.transaction(work)
