"""The rules of an address book, over `AddressRow`s from the store.

A book is its owner's alone: every rule takes the owner's id, and an entry of
another book is "no such address", never "forbidden". Changes to one book run
one transaction at a time (the owner's row is held, `users.service.hold`), so
two entries added at once cannot pass the limit together, and two defaults set
at once cannot both stay. At most one entry is the default: the schema's
partial unique index says so, and making one the default first makes the one
before it ordinary.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from shop.addresses import store
from shop.addresses.schemas import MAX_ENTRIES, AddressCreate, AddressList, AddressUpdate
from shop.addresses.store import AddressRow
from shop.kernel.errors import Conflict, NotFound
from shop.storage.database import Database
from shop.storage.keyset import Page, Sort, Totals, Window, fetch_page
from shop.users import service as users

NO_ADDRESS = "No such address."
NO_USER = "No such user."
FULL = f"An address book holds at most {MAX_ENTRIES} addresses; delete one to add another."
BY_ID = Sort(AddressRow, ("id",))


def _hold(connection: Connection, user_id: int) -> None:
    if not users.hold(connection, user_id):  # deleted since the token was checked
        raise NotFound(NO_USER)


# -- Writes ------------------------------------------------------------------------------


async def add_address(database: Database, user_id: int, new: AddressCreate, now: datetime) -> AddressRow:
    def work(connection: Connection) -> AddressRow:
        _hold(connection, user_id)
        if store.entries(connection, user_id) >= MAX_ENTRIES:
            raise Conflict(FULL)
        if new.is_default:
            store.clear_default(connection, user_id, now)
        return store.add(connection, user_id, new.model_dump(), now)

    return await database.transaction(work)


async def update_address(
    database: Database, user_id: int, address_id: int, changes: AddressUpdate, now: datetime
) -> AddressRow:
    """Any of the fields, at once; `is_default: true` makes the default before it ordinary."""

    def work(connection: Connection) -> AddressRow:
        _hold(connection, user_id)
        address = store.locked(connection, user_id, address_id)
        if address is None:
            raise NotFound(NO_ADDRESS)
        values: dict[str, Any] = changes.model_dump(exclude_unset=True)
        if all(getattr(address, column) == value for column, value in values.items()):
            return address  # nothing changes: updated_at stays
        if values.get("is_default") and not address.is_default:
            store.clear_default(connection, user_id, now)
        return store.change(connection, address_id, values, now)

    return await database.transaction(work)


async def delete_address(database: Database, user_id: int, address_id: int) -> None:
    """Deleting the default leaves the book with none: no other entry is made the default."""

    def work(connection: Connection) -> None:
        _hold(connection, user_id)
        if not store.remove(connection, user_id, address_id):
            raise NotFound(NO_ADDRESS)

    await database.transaction(work)


# -- Reads ---------------------------------------------------------------------------------


async def entry(database: Database, user_id: int, address_id: int) -> AddressRow | None:
    """The user's entry of that id, in one fast read; None when their book has none
    (for an order that ships to an entry of its customer's book)."""
    return await store.entry(database.reads, user_id, address_id)


async def read_address(database: Database, user_id: int, address_id: int) -> AddressRow:
    address = await entry(database, user_id, address_id)
    if address is None:
        raise NotFound(NO_ADDRESS)
    return address


async def list_addresses(database: Database, user_id: int, query: AddressList, totals: Totals) -> Page[AddressRow]:
    """The user's address book by id: the order its entries were added in."""

    async def rows(window: Window) -> list[AddressRow]:
        return await store.window(database.reads, user_id, window)

    async def total() -> int:
        return await totals.count(("addresses", user_id), lambda: store.count(database.reads, user_id))

    return await fetch_page(query, BY_ID, rows, total)
