"""The address books' SQL: the one place that reads or writes `addresses`.

Writes are Core statements on the unit of work's connection; reads are plain
SQL on the fast reads (`shop.storage.reads`). Both give `AddressRow`s, and
every statement names the owner: an entry is found only in its own book.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from shop.storage.keyset import Window
from shop.storage.models import Address
from shop.storage.reads import Reads, row_type


class AddressRow(NamedTuple):
    id: int
    user_id: int
    name: str
    line1: str
    line2: str | None
    city: str
    postal_code: str
    region: str | None
    country: str
    phone: str | None
    is_default: bool  # 1 or 0 from SQLite's fast reads
    created_at: datetime
    updated_at: datetime


ADDRESS = row_type(AddressRow)
_COLUMNS = [Address.__table__.c[name] for name in ADDRESS.columns]


# -- Writes, on the unit of work's connection ---------------------------------


def entries(connection: Connection, user_id: int) -> int:
    """How many entries the user's address book holds."""
    return int(connection.execute(select(func.count()).where(Address.user_id == user_id)).scalar_one())


def locked(connection: Connection, user_id: int, address_id: int) -> AddressRow | None:
    statement = select(*_COLUMNS).where(Address.id == address_id, Address.user_id == user_id).with_for_update()
    row = connection.execute(statement).first()
    return ADDRESS.make(row) if row is not None else None


def clear_default(connection: Connection, user_id: int, now: datetime) -> None:
    """The user's default entry, if any, is an ordinary one from now on."""
    statement = update(Address).where(Address.user_id == user_id, Address.is_default.is_(True))
    connection.execute(statement.values(is_default=False, updated_at=now))


def add(connection: Connection, user_id: int, values: Mapping[str, Any], now: datetime) -> AddressRow:
    statement = insert(Address).values(**values, user_id=user_id, created_at=now, updated_at=now)
    return ADDRESS.make(connection.execute(statement.returning(*_COLUMNS)).one())


def change(connection: Connection, address_id: int, values: Mapping[str, Any], now: datetime) -> AddressRow:
    statement = update(Address).where(Address.id == address_id).values(**values, updated_at=now)
    return ADDRESS.make(connection.execute(statement.returning(*_COLUMNS)).one())


def remove(connection: Connection, user_id: int, address_id: int) -> bool:
    """Delete the user's entry: whether there was one."""
    statement = delete(Address).where(Address.id == address_id, Address.user_id == user_id)
    return connection.execute(statement).rowcount > 0


# -- Fast reads (shop.storage.reads) ---------------------------------------------------

_ENTRY = f"SELECT {ADDRESS.select_list()} FROM addresses WHERE id = :id AND user_id = :user_id"
_BOOK = f"SELECT {ADDRESS.select_list()} FROM addresses"
_COUNT = "SELECT count(*) FROM addresses WHERE user_id = :user_id"


async def entry(reads: Reads, user_id: int, address_id: int) -> AddressRow | None:
    """The user's entry of that id; None when their book has none."""
    return await reads.one(ADDRESS, _ENTRY, {"id": address_id, "user_id": user_id})


async def window(reads: Reads, user_id: int, rows: Window) -> list[AddressRow]:
    """A page of the user's address book (by the index on user_id, id)."""
    params: dict[str, Any] = {"user_id": user_id}
    return await reads.all(ADDRESS, _BOOK + rows.sql(["user_id = :user_id"], params), params)


async def count(reads: Reads, user_id: int) -> int:
    return int(await reads.scalar(_COUNT, {"user_id": user_id}))
