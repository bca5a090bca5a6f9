"""HTTP for users: parse, call one rule, shape the answer."""

from __future__ import annotations

import falcon.asgi

from shop import codec
from shop.auth import Caller, caller_of, forbidden, require_admin, unauthorized
from shop.database import Database
from shop.paging import parse_query, render_page
from shop.passwords import Passwords
from shop.settings import Settings
from shop.users import service
from shop.users.schemas import UserCreate, UserList, UserUpdate, public
from shop.validation import parse_body


class Users:
    """`/users`: create (admins; anyone with open registration) and list (admins)."""

    anonymous = frozenset({"POST"})

    def __init__(self, database: Database, passwords: Passwords, settings: Settings) -> None:
        self.database = database
        self.passwords = passwords
        self.open_registration = settings.OPEN_REGISTRATION

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        caller: Caller | None = req.context.caller
        if caller is None and not self.open_registration:
            raise unauthorized("Creating a user needs an admin's token.")
        if caller is not None and not caller.is_admin:
            raise forbidden()
        new = await parse_body(req, UserCreate)
        if caller is None and new.role != "customer":
            raise forbidden("Registration creates customers only.")
        password_hash = await self.passwords.hash(new.password)
        async with self.database.write() as session:
            user = await service.create_user(
                session, username=new.username, email=new.email, password_hash=password_hash, role=new.role
            )
        resp.status = 201
        resp.location = f"{req.prefix}/users/{user.id}"
        resp.data = codec.dumps(public(user))

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        require_admin(req)
        query = parse_query(req, UserList)
        async with self.database.read() as session:
            page = await service.list_users(session, query, totals=self.database.totals)
        render_page(req, resp, query, page.map(public))


class Me:
    """`/users/me`: the caller's own account."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        caller = caller_of(req)
        async with self.database.read() as session:
            user = await service.visible_user(session, caller, caller.id)
        resp.data = codec.dumps(public(user))


class User:
    """`/users/{user_id}`: read, change and delete one account."""

    def __init__(self, database: Database, passwords: Passwords) -> None:
        self.database = database
        self.passwords = passwords

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, user_id: int) -> None:
        async with self.database.read() as session:
            user = await service.visible_user(session, caller_of(req), user_id)
        resp.data = codec.dumps(public(user))

    async def on_patch(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, user_id: int) -> None:
        caller = caller_of(req)
        changes = await parse_body(req, UserUpdate)
        async with self.database.read() as session:
            await service.check_update(session, caller, user_id, changes, passwords=self.passwords)
        password_hash = await self.passwords.hash(changes.password) if changes.password is not None else None
        async with self.database.write() as session:
            user = await service.update_user(session, caller, user_id, changes, password_hash=password_hash)
        resp.data = codec.dumps(public(user))

    async def on_delete(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, user_id: int) -> None:
        async with self.database.write() as session:
            await service.delete_user(session, caller_of(req), user_id)
        resp.status = 204
