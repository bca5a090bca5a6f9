"""HTTP for users: parse, call one rule, shape the answer."""

from __future__ import annotations

import falcon.asgi

from shop.kernel import codec
from shop.kernel.callers import Caller
from shop.kernel.clock import Clock
from shop.kernel.passwords import Passwords
from shop.storage.database import Database
from shop.storage.keyset import Listing, Totals
from shop.users import service
from shop.users.schemas import User as UserBody
from shop.users.schemas import UserCreate, UserList, UserUpdate, public
from shop.web.auth import caller_of, require_admin
from shop.web.openapi import BUSY, FORBIDDEN, Answer, Operation, documented, problem
from shop.web.paging import CursorSeal, parse_query, render_page
from shop.web.problems import forbidden
from shop.web.urls import absolute
from shop.web.validation import parse_body

SESSIONS_ENDED = "Every token issued to this user before is refused; log in again (POST /login) for a fresh one."

TAKEN = problem("The username or email is taken (ignoring case).")


class Users:
    """`/users`: create (admins; anyone with open registration) and list (admins)."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        totals: Totals,
        cursors: CursorSeal,
        passwords: Passwords,
        *,
        open_registration: bool,
    ) -> None:
        self.database = database
        self.clock = clock
        self.totals = totals
        self.cursors = cursors
        self.passwords = passwords
        # With open registration, anyone may create a customer without a token.
        self.anonymous = frozenset({"POST"}) if open_registration else frozenset()

    @documented(
        Operation(
            "createUser",
            "Create a user (admins; anyone, as a customer, with open registration)",
            body=UserCreate,
            answers={
                201: Answer("The new user.", UserBody, ("Location",)),
                403: problem("Only admins create users, and registration creates customers only."),
                409: TAKEN,
                429: problem("Too many sign-ups from this address (open registration).", "Retry-After"),
                503: BUSY,
            },
        )
    )
    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        caller: Caller | None = req.context.caller
        if caller is not None and not caller.is_admin:
            raise forbidden()
        new = await parse_body(req, UserCreate)
        user = await service.register(
            self.database, caller, new, self.clock(), passwords=self.passwords, client=req.remote_addr
        )
        resp.status = 201
        resp.location = absolute(req, f"/users/{user.id}")
        resp.data = codec.dumps(public(user))

    @documented(
        Operation(
            "listUsers",
            "List users by id (admins)",
            description="`q` matches username or email (substring, ignoring case).",
            query=UserList,
            answers={200: Answer("A page of users.", Listing[UserBody], ("X-Total-Count", "Link")), 403: FORBIDDEN},
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        require_admin(req)
        query = parse_query(req, UserList, self.cursors)
        page = await service.list_users(self.database, query, self.totals)
        render_page(req, resp, query, page.map(public), self.cursors)


class Me:
    """`/users/me`: the caller's own account."""

    def __init__(self, database: Database) -> None:
        self.database = database

    @documented(Operation("getMe", "Read the caller's own account", answers={200: Answer("The caller.", UserBody)}))
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        caller = caller_of(req)
        user = await service.read_user(self.database, caller, caller.id)
        resp.data = codec.dumps(public(user))


class User:
    """`/users/{user_id}`: read, change and delete one account."""

    def __init__(self, database: Database, clock: Clock, passwords: Passwords, guard: service.Guard) -> None:
        self.database = database
        self.clock = clock
        self.passwords = passwords
        self.guard = guard  # wrong current_password guesses count like failed logins

    @documented(
        Operation(
            "getUser",
            "Read a user (a customer: only themself)",
            answers={200: Answer("The user.", UserBody)},
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, user_id: int) -> None:
        user = await service.read_user(self.database, caller_of(req), user_id)
        resp.data = codec.dumps(public(user))

    @documented(
        Operation(
            "updateUser",
            "Change a user",
            description="Own email or password need `current_password`. Only admins change `role`; "
            "the last admin cannot be demoted. A new password or role ends the user's sessions: "
            "every token issued to them before is refused, and the answer says so in `Sessions-Ended`.",
            body=UserUpdate,
            answers={
                200: Answer("The user as changed.", UserBody, headers=("Sessions-Ended",)),
                403: problem("Only admins change roles; or the current password is not correct."),
                429: problem("Too many wrong passwords for this user (logins included).", "Retry-After"),
                503: BUSY,
                409: problem("The email is taken, or this is the last admin."),
            },
        )
    )
    async def on_patch(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, user_id: int) -> None:
        caller = caller_of(req)
        changes = await parse_body(req, UserUpdate)
        changed = await service.update_user(
            self.database,
            caller,
            user_id,
            changes,
            self.clock(),
            passwords=self.passwords,
            guard=self.guard,
            client=req.remote_addr,
        )
        if changed.sessions_ended:
            resp.set_header("Sessions-Ended", SESSIONS_ENDED)
        resp.data = codec.dumps(public(changed.user))

    @documented(
        Operation(
            "deleteUser",
            "Delete a user (themself, or anyone by an admin)",
            answers={
                204: Answer("Deleted."),
                409: problem("The user has orders (cancelled ones count), or is the last admin."),
            },
        )
    )
    async def on_delete(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, user_id: int) -> None:
        await service.delete_user(self.database, caller_of(req), user_id, self.clock())
        resp.status = 204
