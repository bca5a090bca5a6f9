"""The rules about users, as plain async functions over a session."""

from __future__ import annotations

from sqlalchemy import exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shop.auth import Caller
from shop.errors import Conflict, Forbidden, Invalid, NotFound
from shop.models import Order, User
from shop.paging import Ordering, Page, Totals, fetch_page, like_fragment, session_rows
from shop.passwords import Passwords
from shop.users.schemas import UserList, UserUpdate

TAKEN = "A user with this username or email already exists."


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
        raise Conflict(TAKEN) from None
    return user


async def visible_user(session: AsyncSession, caller: Caller, user_id: int, *, lock: bool = False) -> User:
    """The user `user_id` if the caller may see it; else 404, so existence is not revealed."""
    if not caller.is_admin and caller.id != user_id:
        raise NotFound("No such user.")
    statement = select(User).where(User.id == user_id)
    if lock:
        statement = statement.with_for_update()
    user = (await session.execute(statement)).scalar_one_or_none()
    if user is None:
        raise NotFound("No such user.")
    return user


async def list_users(session: AsyncSession, query: UserList, *, totals: Totals) -> Page[User]:
    statement = select(User)
    if query.q is not None:
        pattern = f"%{like_fragment(query.q.casefold())}%"
        statement = statement.where(
            or_(User.username_key.like(pattern, escape="\\"), User.email_key.like(pattern, escape="\\"))
        )
    return await fetch_page(
        session_rows(session),
        statement,
        query=query,
        ordering=Ordering((User.id,)),
        key_types=(int,),
        key_of=lambda row: [row[0].id],
        convert=lambda row: row[0],
        totals=totals,
        count_key=("users", query.q),
    )


async def _refuse_losing_last_admin(session: AsyncSession, user: User) -> None:
    """409 if `user` is the only admin. The admins' rows are locked (PostgreSQL)
    so two admins cannot demote or delete each other at the same moment; on
    SQLite the write transaction already holds the database's write lock."""
    if user.role != "admin":
        return
    admins = (await session.execute(select(User.id).where(User.role == "admin").with_for_update())).scalars().all()
    if len(admins) <= 1:
        raise Conflict("This is the last admin; make another admin first.")


async def check_update(
    session: AsyncSession, caller: Caller, user_id: int, changes: UserUpdate, *, passwords: Passwords
) -> None:
    """Whether the caller may make these changes; run before the write, as it
    verifies a password (slow on purpose) and must not hold the write lock."""
    user = await visible_user(session, caller, user_id)
    if changes.role is not None and not caller.is_admin:
        raise Forbidden("Only an admin can change a role.")
    if caller.id == user_id and (changes.email is not None or changes.password is not None):
        if changes.current_password is None:
            raise Invalid.at(["body", "current_password"], "Confirm a change of your own email or password with it.")
        if not await passwords.verify(user.password_hash, changes.current_password):
            raise Forbidden("The current password is not correct.")


async def update_user(
    session: AsyncSession, caller: Caller, user_id: int, changes: UserUpdate, *, password_hash: str | None
) -> User:
    """Apply changes that `check_update` allowed; `password_hash` is the new password's."""
    user = await visible_user(session, caller, user_id, lock=True)
    if changes.role is not None and not caller.is_admin:
        raise Forbidden("Only an admin can change a role.")
    if changes.role is not None and changes.role != user.role:
        await _refuse_losing_last_admin(session, user)
        user.role = changes.role
    if changes.email is not None:
        user.email, user.email_key = changes.email, email_key(changes.email)
    if password_hash is not None:
        user.password_hash = password_hash
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(TAKEN) from None
    return user


async def delete_user(session: AsyncSession, caller: Caller, user_id: int) -> None:
    user = await visible_user(session, caller, user_id, lock=True)
    if (await session.execute(select(exists().where(Order.user_id == user_id)))).scalar():
        raise Conflict("This user has orders (cancelled ones count too), so the account cannot be deleted.")
    await _refuse_losing_last_admin(session, user)
    await session.delete(user)
    try:
        await session.flush()
    except IntegrityError:  # an order arrived after the check above
        raise Conflict("This user has orders, so the account cannot be deleted.") from None
