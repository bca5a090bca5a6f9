"""Demo and bulk data: `shop seed` and `shop serve --demo`.

Products and customers go in with multi-row INSERTs of a few thousand at a
time, each batch its own transaction, so a million products take seconds, not
hours. Orders are placed by the shop's own rule (`orders.service.place`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from shop.categories import service as categories
from shop.categories.schemas import CategoryCreate
from shop.kernel.callers import Caller
from shop.kernel.clock import utcnow
from shop.kernel.errors import ShopError
from shop.kernel.passwords import hash_password_sync
from shop.orders import service as orders
from shop.orders.checkout import Terms
from shop.orders.pricing import Setting
from shop.orders.schemas import LineIn, OrderCreate
from shop.products import service as products
from shop.storage.database import Database
from shop.users import service as users

BATCH = 5_000
ORDERS_BATCH = 1_000
# Demo orders are picked up at the shop, untaxed: their totals are their lines'.
UNSHIPPED = Terms(None, (), None, Setting({}))
SEEDED_USER_PASSWORD = "seeded-user-password"

_ADJECTIVES = ("Red", "Blue", "Green", "Small", "Large", "Classic", "Modern", "Organic", "Vintage", "Smart")
_NOUNS = ("Mug", "Lamp", "Chair", "Notebook", "Backpack", "Kettle", "Blanket", "Headphones", "Plant", "Clock")
_DEPARTMENTS = ("Kitchen", "Home", "Garden", "Office", "Travel", "Outdoors", "Bath", "Kids", "Audio", "Lighting")
_SIZES, _COLOURS = ("S", "M", "L"), ("black", "white")
_VIEWS = ("front", "side")

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
    accounts = [
        users.NewAccount(account.username, account.email, hash_password_sync(account.password), account.role)
        for account in DEMO_ACCOUNTS
    ]
    if not await users.add_first_accounts(database, accounts, utcnow()):
        return False
    await seed_products(database, products_count)
    return True


def default_categories(products_count: int) -> int:
    """A category for every thousand products, from 10 to 1,000."""
    return min(1_000, max(10, products_count // 1_000))


async def seed_categories(database: Database, count: int) -> list[int]:
    """`count` categories: a tenth of them (1 to 10) departments at the top, the rest
    shelves below them in turn; the ids of those a product goes on (the shelves, or
    the departments when there are no shelves)."""
    tops = min(10, max(1, count // 10))
    now = utcnow()
    departments = []
    for n in range(tops):
        name = _DEPARTMENTS[n]
        departments.append(await categories.create_category(database, CategoryCreate(name=name), now))
    shelves = []
    for n in range(count - tops):
        department = departments[n % tops]
        new = CategoryCreate(name=f"{department.name} shelf {n // tops + 1}", parent_id=department.id)
        shelves.append(await categories.create_category(database, new, now))
    return [category.id for category in shelves or departments]


def demo_product(rng: random.Random, n: int, category_id: int | None = None) -> products.NewProduct:
    """The n-th demo product: every fourth comes in three sizes and two colours
    (six variants, the large ones dearer), the others in one variant; each with
    two pictures, on one shelf."""
    name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} #{n}"
    price = rng.randint(100, 50_000)
    images = tuple((f"https://images.shop.example/demo/{n}/{view}.jpg", f"{name}, {view}") for view in _VIEWS)
    placed = (category_id,) if category_id is not None else ()
    if n % 4:
        stock = rng.randint(0, 1_000)
        return products.NewProduct(name, f"Demo product number {n}.", price, stock, images=images, category_ids=placed)
    variants = tuple(
        products.NewVariant({"size": size, "colour": colour}, price + (200 if size == "L" else 0), rng.randint(0, 300))
        for size in _SIZES
        for colour in _COLOURS
    )
    options = (("size", _SIZES), ("colour", _COLOURS))
    return products.NewProduct(name, f"Demo product number {n}.", price, 0, options, variants, images, placed)


async def seed_products(
    database: Database, count: int, progress: Progress = _no_progress, *, categories_count: int | None = None
) -> None:
    """`count` products with names that do not clash with the ones already there, on
    the shelves of `categories_count` new categories (default_categories)."""
    rng = random.Random()
    shelves = await seed_categories(database, categories_count or default_categories(count)) if count else []
    start = await products.last_id(database)
    done = 0
    while done < count:
        size = min(BATCH, count - done)
        batch = [
            demo_product(rng, n, shelves[n % len(shelves)]) for n in range(start + done + 1, start + done + size + 1)
        ]
        await products.add_many(database, batch, utcnow())
        done += size
        progress(size)


async def seed_users(database: Database, count: int, progress: Progress = _no_progress) -> tuple[str, str]:
    """`count` customers, all with SEEDED_USER_PASSWORD (hashed once: Argon2 is slow on
    purpose), numbered on from the last user's id: the first and the last username."""
    password_hash = hash_password_sync(SEEDED_USER_PASSWORD)
    start = await users.last_id(database)
    done = 0
    while done < count:
        size = min(BATCH, count - done)
        batch = [(f"user{n}", f"user{n}@shop.example") for n in range(start + done + 1, start + done + size + 1)]
        await users.add_customers(database, batch, password_hash, utcnow())
        done += size
        progress(size)
    return f"user{start + 1}", f"user{start + count}"


async def seed_orders(database: Database, count: int, progress: Progress = _no_progress, *, currency: str) -> None:
    """`count` pending orders of customers, each of one to three variants, placed
    as the customer would place them: an order the stock cannot cover is skipped."""
    rng = random.Random()

    customers, last_variant = await users.customer_ids(database), await products.last_variant_id(database)
    if count and (not customers or not last_variant):
        raise ValueError("seeding orders needs customers and products: seed them first")
    done = 0
    while done < count:
        size = min(ORDERS_BATCH, count - done)
        wanted = []
        for _ in range(size):
            picked = rng.sample(range(1, last_variant + 1), k=min(last_variant, rng.randint(1, 3)))
            lines = [LineIn(variant_id=variant_id, quantity=rng.randint(1, 3)) for variant_id in picked]
            wanted.append((Caller(rng.choice(customers), "customer"), OrderCreate(items=lines)))

        def place_all(connection: Connection, wanted: list[tuple[Caller, OrderCreate]] = wanted) -> int:
            placed, now = 0, utcnow()
            for caller, new in wanted:
                try:
                    with connection.begin_nested():  # a refused order takes back only its own lines
                        orders.place(connection, caller, new, UNSHIPPED, now, currency)  # with its order.created event
                    placed += 1
                except ShopError:
                    pass  # short of stock, or a deleted product: the customer would not get it either
            return placed

        placed = await database.transaction(place_all)
        if not placed:
            raise ValueError(f"placed {done} of {count} orders: the catalogue has run out of stock")
        done += placed
        progress(placed)
