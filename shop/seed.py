"""Demo and bulk data: `shop seed` and `shop serve --demo`.

Rows go in with multi-row INSERTs of a few thousand at a time, each batch its
own transaction, so a million products take seconds, not hours.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shop.database import Database
from shop.models import Order, OrderLine, Product, User, utcnow
from shop.passwords import hash_password_sync
from shop.products.schemas import name_key
from shop.users.service import create_user, email_key, username_key

BATCH = 5_000
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


async def _count(session: AsyncSession, model: type[Any]) -> int:
    return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def seed_demo(database: Database, products: int = 50) -> bool:
    """An admin, a customer and a small catalogue, on an empty database only.

    Returns whether anything was seeded.
    """
    async with database.write() as session:
        if await _count(session, User):
            return False
        for account in DEMO_ACCOUNTS:
            await create_user(
                session,
                username=account.username,
                email=account.email,
                password_hash=hash_password_sync(account.password),
                role=account.role,
            )
    await seed_products(database, products)
    return True


async def seed_products(database: Database, count: int, progress: Progress = _no_progress) -> None:
    """`count` products with names that do not clash with the ones already there."""
    rng = random.Random()
    async with database.read() as session:
        start = int((await session.execute(select(func.coalesce(func.max(Product.id), 0)))).scalar_one())
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
        async with database.write() as session:
            await session.execute(insert(Product), rows)
        done += size
        progress(size)


async def seed_users(database: Database, count: int, progress: Progress = _no_progress) -> None:
    """`count` customers, all with SEEDED_USER_PASSWORD (hashed once: Argon2 is slow on purpose)."""
    password_hash = hash_password_sync(SEEDED_USER_PASSWORD)
    async with database.read() as session:
        start = int((await session.execute(select(func.coalesce(func.max(User.id), 0)))).scalar_one())
    done = 0
    while done < count:
        size = min(BATCH, count - done)
        now = utcnow()
        rows = []
        for n in range(start + done + 1, start + done + size + 1):
            username, email = f"user{n}", f"user{n}@shop.example"
            rows.append(
                {
                    "username": username,
                    "username_key": username_key(username),
                    "email": email,
                    "email_key": email_key(email),
                    "password_hash": password_hash,
                    "role": "customer",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        async with database.write() as session:
            await session.execute(insert(User), rows)
        done += size
        progress(size)


async def seed_orders(database: Database, count: int, progress: Progress = _no_progress) -> None:
    """`count` pending orders of customers, each of one to three lines in stock.

    Stock is taken from the products as a real order would, so the shop's
    invariant (stock + quantities held by live orders = what was put in) holds.
    """
    rng = random.Random()
    async with database.read() as session:
        users = list((await session.execute(select(User.id).where(User.role == "customer"))).scalars())
        catalogue = (await session.execute(select(Product.id, Product.name, Product.price_cents, Product.stock))).all()
    if count and (not users or not catalogue):
        raise ValueError("seeding orders needs customers and products: seed them first")
    stock = {row.id: row.stock for row in catalogue}
    done = 0
    while done < count:
        size = min(BATCH // 4, count - done)
        async with database.write() as session:
            taken: dict[int, int] = {}
            for _ in range(size):
                lines = []
                for product in rng.sample(catalogue, k=min(len(catalogue), rng.randint(1, 3))):
                    if stock[product.id] > 0:
                        quantity = rng.randint(1, min(3, stock[product.id]))
                        stock[product.id] -= quantity
                        taken[product.id] = taken.get(product.id, 0) + quantity
                        lines.append((product, quantity))
                if not lines:
                    continue
                order_id = (
                    await session.execute(
                        insert(Order)
                        .values(
                            user_id=rng.choice(users),
                            status="pending",
                            total_cents=sum(p.price_cents * q for p, q in lines),
                            total_set_by_admin=False,
                        )
                        .returning(Order.id)
                    )
                ).scalar_one()
                await session.execute(
                    insert(OrderLine),
                    [
                        {
                            "order_id": order_id,
                            "product_id": p.id,
                            "name": p.name,
                            "unit_price_cents": p.price_cents,
                            "quantity": q,
                        }
                        for p, q in lines
                    ],
                )
            for product_id, quantity in taken.items():
                await session.execute(
                    update(Product).where(Product.id == product_id).values(stock=Product.stock - quantity)
                )
        done += size
        progress(size)
