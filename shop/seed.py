"""Demo and bulk data: `shop seed` and `shop serve --demo`.

Products and customers go in with multi-row INSERTs of a few thousand at a
time, each batch its own transaction, so a million products take seconds, not
hours. Orders are placed by the shop's own rule (`orders.service.place`).
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from shop.callers import Caller
from shop.clock import utcnow
from shop.database import Database
from shop.errors import ShopError
from shop.orders import service as orders
from shop.orders.schemas import LineIn, OrderCreate
from shop.passwords import hash_password_sync
from shop.products import store as products
from shop.products.schemas import name_key
from shop.users import store as users

BATCH = 5_000
ORDERS_BATCH = 1_000
SEEDED_USER_PASSWORD = "seeded-user-password"

_ADJECTIVES = ("Red", "Blue", "Green", "Small", "Large", "Classic", "Modern", "Organic", "Vintage", "Smart")
_NOUNS = ("Mug", "Lamp", "Chair", "Notebook", "Backpack", "Kettle", "Blanket", "Headphones", "Plant", "Clock")

Progress = Callable[[int], None]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    email: str
    password: str
    role: str


DEMO_ACCOUNTS = (
    DemoAccount("admin", "admin@shop.example", "demo-admin-password", "admin"),
    DemoAccount("customer", "customer@shop.example", "demo-customer-password", "customer"),
)


def _no_progress(done: int) -> None:
    pass


async def seed_demo(database: Database, products_count: int = 50) -> bool:
    """An admin, a customer and a small catalogue, on an empty database only.

    Returns whether anything was seeded.
    """
    hashes = {account.username: hash_password_sync(account.password) for account in DEMO_ACCOUNTS}

    def accounts(connection: Connection) -> bool:
        if users.any_user(connection):
            return False
        for account in DEMO_ACCOUNTS:
            users.add(
                connection,
                username=account.username,
                email=account.email,
                password_hash=hashes[account.username],
                role=account.role,
                now=utcnow(),
            )
        return True

    if not await database.transaction(accounts):
        return False
    await seed_products(database, products_count)
    return True


async def seed_products(database: Database, count: int, progress: Progress = _no_progress) -> None:
    """`count` products with names that do not clash with the ones already there."""
    rng = random.Random()
    start = await database.transaction(products.last_id)
    done = 0
    while done < count:
        size = min(BATCH, count - done)
        now = utcnow()
        rows = []
        for n in range(start + done + 1, start + done + size + 1):
            name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} #{n}"
            rows.append(
                {
                    "name": name,
                    "name_key": name_key(name),
                    "description": f"Demo product number {n}.",
                    "price_cents": rng.randint(100, 50_000),
                    "stock": rng.randint(0, 1_000),
                    "created_at": now,
                    "updated_at": now,
                }
            )
        await database.transaction(functools.partial(products.add_many, rows=rows))
        done += size
        progress(size)


async def seed_users(database: Database, count: int, progress: Progress = _no_progress) -> None:
    """`count` customers, all with SEEDED_USER_PASSWORD (hashed once: Argon2 is slow on purpose)."""
    password_hash = hash_password_sync(SEEDED_USER_PASSWORD)
    start = await database.transaction(users.last_id)
    done = 0
    while done < count:
        size = min(BATCH, count - done)
        batch = [(f"user{n}", f"user{n}@shop.example") for n in range(start + done + 1, start + done + size + 1)]
        await database.transaction(
            functools.partial(users.add_many, users=batch, password_hash=password_hash, now=utcnow())
        )
        done += size
        progress(size)


async def seed_orders(database: Database, count: int, progress: Progress = _no_progress, *, currency: str) -> None:
    """`count` pending orders of customers, each of one to three products, placed
    as the customer would place them: an order the stock cannot cover is skipped."""
    rng = random.Random()

    def catalogue(connection: Connection) -> tuple[list[int], int]:
        return users.customer_ids(connection), products.last_id(connection)

    customers, last_product = await database.transaction(catalogue)
    if count and (not customers or not last_product):
        raise ValueError("seeding orders needs customers and products: seed them first")
    done = 0
    while done < count:
        size = min(ORDERS_BATCH, count - done)
        wanted = []
        for _ in range(size):
            picked = rng.sample(range(1, last_product + 1), k=min(last_product, rng.randint(1, 3)))
            lines = [LineIn(product_id=product_id, quantity=rng.randint(1, 3)) for product_id in picked]
            wanted.append((Caller(rng.choice(customers), "customer"), OrderCreate(items=lines)))

        def place_all(connection: Connection, wanted: list[tuple[Caller, OrderCreate]] = wanted) -> int:
            placed, now = 0, utcnow()
            for caller, new in wanted:
                try:
                    with connection.begin_nested():  # a refused order takes back only its own lines
                        orders.place(connection, caller, new, now, currency)  # with its order.created event
                    placed += 1
                except ShopError:
                    pass  # short of stock, or a deleted product: the customer would not get it either
            return placed

        placed = await database.transaction(place_all)
        if not placed:
            raise ValueError(f"placed {done} of {count} orders: the catalogue has run out of stock")
        done += placed
        progress(placed)
