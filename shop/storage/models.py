"""The schema of the whole shop, one table a class (Alembic's migrations follow it).

Only the stores (`shop/*/store.py`) use these classes, as tables in Core
statements; rows come back as each store's named row types.

Money is stored as integer cents (BigInteger), never as a float. Names that
must be unique ignoring case keep a lower-cased key column beside the original,
so uniqueness and case-insensitive search behave the same on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal, get_args

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# On SQLite only INTEGER PRIMARY KEY is the auto-incrementing rowid.
Id = BigInteger().with_variant(Integer(), "sqlite")
# And only AUTOINCREMENT stops SQLite from handing a deleted row's id out again:
# a deleted user's token must never become a new user's, nor an old product id
# name a new product. (PostgreSQL sequences never go back.)
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}

Role = Literal["customer", "admin"]
OrderStatus = Literal["pending", "paid", "shipped", "delivered", "cancelled"]
# Why a cancelled order was cancelled; None on every other order.
CancelReason = Literal["customer", "admin", "expired"]
# Why a variant's stock changed: an order took it, a cancel, an expiry or an order's
# deletion gave it back, or an admin set it (a variant's first stock included).
MovementReason = Literal["order", "cancel", "expiry", "delete", "admin"]
Provider = Literal["manual", "stripe"]
ROLES = get_args(Role)
ORDER_STATUSES = get_args(OrderStatus)
CANCEL_REASONS = get_args(CancelReason)
MOVEMENT_REASONS = get_args(MovementReason)
PROVIDERS = get_args(Provider)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend (SQLite keeps no time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"role IN {ROLES}", name="role"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    username: Mapped[str] = mapped_column(String(50))
    username_key: Mapped[str] = mapped_column(String(50), unique=True)
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Tokens carry the generation they were issued in; logging out, a new
    # password or a new role moves it on, and older tokens are refused.
    session_generation: Mapped[int] = mapped_column(Integer, server_default="0")


class Product(Base):
    """What the catalogue shows: a name, a slug, its options and images. What is
    sold is its variants (at least one active); `price_cents` is the lowest
    active variant's price, kept here by the catalogue's writes so the list
    sorts and filters by price on an index. Stock lives on the variants only."""

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
        Index("ix_products_price_cents_id", "price_cents", "id"),
        Index("ix_products_created_at_id", "created_at", "id"),
        # `q` is a substring search: a trigram index keeps it off a full scan on PostgreSQL.
        Index(
            "ix_products_name_key_trgm",
            "name_key",
            postgresql_using="gin",
            postgresql_ops={"name_key": "gin_trgm_ops"},
            info={"only_on": "postgresql"},
        ).ddl_if(dialect="postgresql"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Byte order ("C") on PostgreSQL: name sorts and cursors agree with SQLite on every server.
    # NFKC and case folded (products.schemas.name_key), which can be longer than the
    # name: up to 600 characters. SQLite enforces no length: its column stays as made.
    name_key: Mapped[str] = mapped_column(
        String(200).with_variant(String(600, collation="C"), "postgresql"), unique=True
    )
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    price_cents: Mapped[int] = mapped_column(BigInteger)
    # JSON: [{"name": "size", "values": ["S", "M"]}], in the order the admin gave.
    options: Mapped[str] = mapped_column(Text, server_default="[]")
    # JSON: [{"url": "https://...", "alt": "..."}], in the order the admin gave.
    images: Mapped[str] = mapped_column(Text, server_default="[]")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The ids of its categories, smallest first, as a JSON array: written with the
    # product_categories rows, in the same transaction, so a product is read in one query.
    category_ids: Mapped[str] = mapped_column(Text, server_default="[]")
    # Which tax rate of the shipping country applies (tax_rates.tax_class); a variant may name its own.
    tax_class: Mapped[str] = mapped_column(String(50), server_default="standard")


# A category's lineage: the ids of its ancestors, the top one first, each in
# LINEAGE_DIGITS digits and followed by "/" ("" at the top; "0000000000000000007/"
# under category 7). Every id has the same width, so the lineages sort as their
# paths do, id by id, and the categories below one are one range of them.
LINEAGE_DIGITS = 19  # 2**63 - 1 has 19 digits
MAX_DEPTH = 10  # levels, the top one included: at most 9 ancestors
MAX_LINEAGE = (MAX_DEPTH - 1) * (LINEAGE_DIGITS + 1)


class Category(Base):
    """A node of the catalogue's tree. `parent_id` keeps the tree whole (RESTRICT: a
    category with subcategories stays); `lineage` orders it and finds subtrees."""

    __tablename__ = "categories"
    __table_args__ = (
        CheckConstraint("position >= 0", name="position_not_negative"),
        # Siblings share a lineage: a name is unique among them, ignoring case.
        UniqueConstraint("lineage", "name_key"),
        # The list's order (path, position, id), and every subtree as a range of it.
        Index("ix_categories_lineage_position_id", "lineage", "position", "id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(300))  # NFKC, case folded (categories.schemas.name_key)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="RESTRICT"), index=True)
    # Byte order ("C") on PostgreSQL, as on SQLite: ranges and order agree on every server.
    lineage: Mapped[str] = mapped_column(
        String(MAX_LINEAGE).with_variant(String(MAX_LINEAGE, collation="C"), "postgresql")
    )
    position: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProductCategory(Base):
    """A product in a category. CASCADE: a deleted product leaves its categories;
    RESTRICT: a category with products cannot be deleted."""

    __tablename__ = "product_categories"
    __table_args__ = (
        # A category's products (GET /products?category=, counted), and the RESTRICT check.
        Index("ix_product_categories_category_id_product_id", "category_id", "product_id"),
    )

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="RESTRICT"), primary_key=True)


class Variant(Base):
    """One thing a customer can buy: one value of each of its product's options,
    with its own SKU, price and stock. A variant that was ever ordered is never
    deleted but archived (`archived_at`): it leaves the catalogue, its stock
    movements and the order lines that name it stay."""

    __tablename__ = "variants"
    __table_args__ = (
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        # No two active variants of a product name the same values.
        Index(
            "ix_variants_product_id_values_key",
            "product_id",
            "values_key",
            unique=True,
            sqlite_where=text("archived_at IS NULL"),
            postgresql_where=text("archived_at IS NULL"),
        ),
        Index("ix_variants_product_id_position", "product_id", "position"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    # CASCADE: a deleted product takes its variants; order lines keep what was sold (SET NULL).
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(64))
    sku_key: Mapped[str] = mapped_column(String(64), unique=True)  # lower-cased: unique ignoring case
    # JSON: {"size": "M", "colour": "red"}, one value of each of the product's options.
    options: Mapped[str] = mapped_column(Text)
    # The values, case folded, in the options' order (JSON): what makes two variants the same.
    values_key: Mapped[str] = mapped_column(Text)
    price_cents: Mapped[int] = mapped_column(BigInteger)
    stock: Mapped[int] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column(Integer)
    images: Mapped[str] = mapped_column(Text, server_default="[]")  # JSON, as products.images
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tax_class: Mapped[str | None] = mapped_column(String(50))  # None: its product's


class StockMovement(Base):
    """One change of a variant's stock, written in the transaction that made it:
    a variant's movements always add up to its stock."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint(f"reason IN {MOVEMENT_REASONS}", name="reason"),
        Index("ix_stock_movements_variant_id_id", "variant_id", "id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    delta: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[MovementReason] = mapped_column(String(16))
    # The order that took or gave back the stock; kept, as history, after the order is deleted.
    order_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(f"status IN {ORDER_STATUSES}", name="status"),
        CheckConstraint("total_cents >= 0", name="total_not_negative"),
        CheckConstraint(f"cancel_reason IS NULL OR cancel_reason IN {CANCEL_REASONS}", name="cancel_reason"),
        # The expiry sweep looks for old pending orders.
        Index("ix_orders_status_created_at", "status", "created_at"),
        Index("ix_orders_user_id_id", "user_id", "id"),
        Index("ix_orders_status_id", "status", "id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    # RESTRICT: a user with orders, cancelled ones included, cannot be deleted.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    status: Mapped[OrderStatus] = mapped_column(String(16), default="pending")
    total_cents: Mapped[int] = mapped_column(BigInteger)
    total_set_by_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    cancel_reason: Mapped[CancelReason | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Every figure as priced when the order was placed (shop.orders.pricing), never
    # recomputed: `total_cents` is what was charged unless an admin set it by hand.
    subtotal_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    discount_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    shipping_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    shipping_tax_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    tax_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")  # the lines' and the shipping's
    prices_include_tax: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    discount_code: Mapped[str | None] = mapped_column(String(40))
    # Copies as chosen, JSON: the address ({"name", "line1", ...}), the rate ({"id", "name", "price"}).
    shipping_address: Mapped[str | None] = mapped_column(Text)
    shipping_rate: Mapped[str | None] = mapped_column(Text)
    # The discount whose use the order holds (taken when it was placed, given back when it
    # is cancelled, expires or is deleted while it holds it); None when it took none.
    # RESTRICT: a discount orders name is deactivated, never removed.
    discount_id: Mapped[int | None] = mapped_column(ForeignKey("discounts.id", ondelete="RESTRICT"), index=True)


class OrderLine(Base):
    """A line as sold: the variant's SKU, options and price, and its product's name,
    copied when the order was placed."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_cents >= 0", name="unit_price_not_negative"),
        UniqueConstraint("order_id", "variant_id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    # SET NULL: a deleted product leaves the catalogue, its lines stay as sold. (A
    # variant alone that was ever ordered is archived, never deleted.)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"), index=True)
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variants.id", ondelete="SET NULL"), index=True)
    # None only on lines sold before variants had SKUs, whose product was deleted before.
    sku: Mapped[str | None] = mapped_column(String(64))
    options: Mapped[str] = mapped_column(Text, server_default="{}")  # JSON, as sold
    name: Mapped[str] = mapped_column(String(200))
    unit_price_cents: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(Integer)
    # As priced when the order was placed (shop.orders.pricing), never recomputed.
    discount_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    tax_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    tax_class: Mapped[str] = mapped_column(String(50), server_default="standard")
    tax_rate_bp: Mapped[int] = mapped_column(Integer, server_default="0")  # hundredths of a percent


class Address(Base):
    """An entry of a customer's address book; at most one is their default."""

    __tablename__ = "addresses"
    __table_args__ = (
        Index("ix_addresses_user_id_id", "user_id", "id"),
        Index(
            "ix_addresses_one_default",
            "user_id",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    line1: Mapped[str] = mapped_column(String(100))
    line2: Mapped[str | None] = mapped_column(String(100))
    city: Mapped[str] = mapped_column(String(100))
    postal_code: Mapped[str] = mapped_column(String(20))
    region: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    phone: Mapped[str | None] = mapped_column(String(30))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ShippingZone(Base):
    """Where the shop ships to: a set of countries, each in one zone at most."""

    __tablename__ = "shipping_zones"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100), unique=True)  # case folded: unique ignoring case
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ShippingZoneCountry(Base):
    """A country of a zone: its primary key is the rule "a country in one zone at most"."""

    __tablename__ = "shipping_zone_countries"

    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("shipping_zones.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # the countries' order as the admin gave them


class ShippingRate(Base):
    """A way to ship to a zone, at a price; only for subtotals in its band, and free over an amount."""

    __tablename__ = "shipping_rates"
    __table_args__ = (
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
        Index("ix_shipping_rates_zone_id_id", "zone_id", "id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    # RESTRICT: a zone with rates is not deleted (orders keep a copy of their rate either way).
    zone_id: Mapped[int] = mapped_column(ForeignKey("shipping_zones.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(100))
    price_cents: Mapped[int] = mapped_column(BigInteger)
    min_subtotal_cents: Mapped[int | None] = mapped_column(BigInteger)
    max_subtotal_cents: Mapped[int | None] = mapped_column(BigInteger)
    free_over_cents: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TaxRate(Base):
    """The tax of one class of goods in one country, in hundredths of a percent
    (7.70% is 770): exact, never a float."""

    __tablename__ = "tax_rates"
    __table_args__ = (
        CheckConstraint("rate_bp >= 0 AND rate_bp <= 10000", name="rate_in_range"),
        UniqueConstraint("country", "tax_class"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    tax_class: Mapped[str] = mapped_column(String(50))
    rate_bp: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


DiscountKind = Literal["percentage", "fixed", "free_shipping"]
DISCOUNT_KINDS = get_args(DiscountKind)


class Discount(Base):
    """A discount code. `times_used` counts the live orders that hold a use of it: one
    conditional UPDATE takes a use in the order's transaction, never past `usage_limit`."""

    __tablename__ = "discounts"
    __table_args__ = (
        CheckConstraint(f"kind IN {DISCOUNT_KINDS}", name="kind"),
        CheckConstraint("value >= 0", name="value_not_negative"),
        CheckConstraint("times_used >= 0", name="times_used_not_negative"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    code_key: Mapped[str] = mapped_column(String(40), unique=True)  # lower-cased: unique ignoring case
    kind: Mapped[DiscountKind] = mapped_column(String(16))
    value: Mapped[int] = mapped_column(BigInteger)  # hundredths of a percent, or cents; 0 for free shipping
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    usage_limit: Mapped[int | None] = mapped_column(Integer)
    per_customer_limit: Mapped[int | None] = mapped_column(Integer)
    min_subtotal_cents: Mapped[int | None] = mapped_column(BigInteger)
    product_ids: Mapped[str] = mapped_column(Text, server_default="[]")  # JSON: eligible products
    category_ids: Mapped[str] = mapped_column(Text, server_default="[]")  # JSON: eligible categories, and below
    active: Mapped[bool] = mapped_column(Boolean)
    times_used: Mapped[int] = mapped_column(Integer, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DiscountUse(Base):
    """How many live orders of one customer hold a use of one discount: its conditional
    upsert keeps them within `per_customer_limit`."""

    __tablename__ = "discount_uses"
    __table_args__ = (CheckConstraint("uses >= 0", name="uses_not_negative"),)

    discount_id: Mapped[int] = mapped_column(ForeignKey("discounts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    uses: Mapped[int] = mapped_column(Integer)


class IdempotencyKey(Base):
    """A claimed `Idempotency-Key`: the row exists while the first request runs,
    and keeps its answer for replays once it is done."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class SignUp(Base):
    """An account made through open registration, counted per client address for its limit."""

    __tablename__ = "sign_ups"
    __table_args__ = (
        Index("ix_sign_ups_client_signed_up_at", "client", "signed_up_at"),
        Index("ix_sign_ups_signed_up_at", "signed_up_at"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    client: Mapped[str] = mapped_column(String(64))
    signed_up_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LoginAttempt(Base):
    """A failed login (or a wrong current password), counted for the brute-force
    rule per username and client address, and per client across usernames."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_key_client_attempted_at", "username_key", "client", "attempted_at"),
        Index("ix_login_attempts_client_attempted_at", "client", "attempted_at"),
        Index("ix_login_attempts_attempted_at", "attempted_at"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    username_key: Mapped[str] = mapped_column(String(320))
    client: Mapped[str] = mapped_column(String(64), server_default="")  # the client's address
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Payment(Base):
    """Money received for an order, by a provider. `applied` is false when the
    order was already cancelled: the money is recorded, and owed back."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint(f"provider IN {PROVIDERS}", name="provider"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        # One payment per provider reference: a Stripe payment intent is recorded once.
        UniqueConstraint("provider", "reference"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    # RESTRICT: an order with money on record is never deleted.
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    provider: Mapped[Provider] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(255))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    applied: Mapped[bool] = mapped_column(Boolean)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Refund(Base):
    """Money given back from a payment; a payment's refunds never add up to more than it."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        # Stripe's refund id, when Stripe made it: recorded once however often its event comes.
        UniqueConstraint("provider_reference"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="RESTRICT"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(500))
    provider_reference: Mapped[str | None] = mapped_column(String(255))
    refunded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProviderEvent(Base):
    """An event a provider delivered, claimed by its id in the transaction that
    acts on it: a repeat, or a concurrent twin, finds the claim and changes nothing."""

    __tablename__ = "provider_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    provider: Mapped[Provider] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(255))
    outcome: Mapped[str] = mapped_column(String(32))  # applied, owed back, ignored, needs attention
    detail: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


DeliveryStatus = Literal["pending", "delivered", "failed"]
DELIVERY_STATUSES = get_args(DeliveryStatus)


class Event(Base):
    """Something that happened, written in the transaction that made it happen
    (a transactional outbox): the event exists if and only if its change committed.

    `txid` orders the feed on PostgreSQL, where ids from the sequence can commit
    out of order: the id of the transaction that wrote the event (0 on SQLite,
    whose one writer commits ids in order). `subject` ("order:7") names what the
    event is about: the events of one subject are delivered in the order they
    happened."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_txid_id", "txid", "id"),
        Index("ix_events_type_txid_id", "type", "txid", "id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    txid: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)  # the resource as the API showed it, JSON
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Webhook(Base):
    """A receiver of events. Its secret signs what is sent to it: kept (it must
    be, to sign), shown once when the webhook is made."""

    __tablename__ = "webhooks"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str] = mapped_column(String(500), default="")
    secret: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebhookEvent(Base):
    """An event type a webhook wants; "*" for every type."""

    __tablename__ = "webhook_events"

    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"), primary_key=True)
    type: Mapped[str] = mapped_column(String(64), primary_key=True)


class Delivery(Base):
    """One event on its way to one webhook: made beside the event, in its
    transaction, for every active webhook that wants its type. `claimed_until`
    is a sender's lease on it while an attempt is in flight."""

    __tablename__ = "deliveries"
    __table_args__ = (
        CheckConstraint(f"status IN {DELIVERY_STATUSES}", name="status"),
        UniqueConstraint("webhook_id", "event_id"),
        # What is due, soonest first.
        Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        # An earlier event of the same subject still on its way holds a later one back.
        Index("ix_deliveries_webhook_id_subject_event_id", "webhook_id", "subject", "event_id"),
        Index("ix_deliveries_event_id", "event_id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    # RESTRICT: the feed is a log, never pruned under a delivery.
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="RESTRICT"))
    subject: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[DeliveryStatus] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_code: Mapped[int | None] = mapped_column(Integer)  # of the last attempt
    error: Mapped[str | None] = mapped_column(String(500))  # of the last attempt
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
