"""Checkout: address books, shipping zones and rates, tax rates, and every figure
of an order's price kept on the order and its lines.

Orders placed before had no shipping, tax or discount: their subtotal is the sum
of their lines, every other figure 0, so their totals read as they did. Products
are taxed in the `standard` class; a variant names no class of its own.

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)
ORDER_FIGURES = ("subtotal_cents", "discount_cents", "shipping_cents", "shipping_tax_cents", "tax_cents")


def _stamps() -> list[sa.Column[object]]:
    return [sa.Column("created_at", WHEN, nullable=False), sa.Column("updated_at", WHEN, nullable=False)]


def upgrade() -> None:
    op.create_table(
        "addresses",
        sa.Column("id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("line1", sa.String(100), nullable=False),
        sa.Column("line2", sa.String(100), nullable=True),
        sa.Column("city", sa.String(100), nullable=False),
        sa.Column("postal_code", sa.String(20), nullable=False),
        sa.Column("region", sa.String(100), nullable=True),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("phone", sa.String(30), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_addresses_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_addresses")),
        sqlite_autoincrement=True,  # never reuse ids (0003)
    )
    op.create_index("ix_addresses_user_id_id", "addresses", ["user_id", "id"])
    op.create_index(
        "ix_addresses_one_default",
        "addresses",
        ["user_id"],
        unique=True,
        sqlite_where=sa.text("is_default"),
        postgresql_where=sa.text("is_default"),
    )
    op.create_table(
        "shipping_zones",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("name_key", sa.String(100), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipping_zones")),
        sa.UniqueConstraint("name_key", name=op.f("uq_shipping_zones_name_key")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "shipping_zone_countries",
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("zone_id", ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["zone_id"],
            ["shipping_zones.id"],
            name=op.f("fk_shipping_zone_countries_zone_id_shipping_zones"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("country", name=op.f("pk_shipping_zone_countries")),
    )
    op.create_index("ix_shipping_zone_countries_zone_id", "shipping_zone_countries", ["zone_id"])
    op.create_table(
        "shipping_rates",
        sa.Column("id", ID, nullable=False),
        sa.Column("zone_id", ID, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("price_cents", sa.BigInteger(), nullable=False),
        sa.Column("min_subtotal_cents", sa.BigInteger(), nullable=True),
        sa.Column("max_subtotal_cents", sa.BigInteger(), nullable=True),
        sa.Column("free_over_cents", sa.BigInteger(), nullable=True),
        *_stamps(),
        sa.CheckConstraint("price_cents >= 0", name=op.f("ck_shipping_rates_price_not_negative")),
        sa.ForeignKeyConstraint(
            ["zone_id"],
            ["shipping_zones.id"],
            name=op.f("fk_shipping_rates_zone_id_shipping_zones"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipping_rates")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_shipping_rates_zone_id_id", "shipping_rates", ["zone_id", "id"])
    op.create_table(
        "tax_rates",
        sa.Column("id", ID, nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("tax_class", sa.String(50), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        *_stamps(),
        sa.CheckConstraint("rate_bp >= 0 AND rate_bp <= 10000", name=op.f("ck_tax_rates_rate_in_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tax_rates")),
        sa.UniqueConstraint("country", "tax_class", name=op.f("uq_tax_rates_country_tax_class")),
        sqlite_autoincrement=True,
    )
    # Columns with constant defaults: SQLite adds them in place (no rebuild, AUTOINCREMENT kept).
    op.add_column("products", sa.Column("tax_class", sa.String(50), server_default="standard", nullable=False))
    op.add_column("variants", sa.Column("tax_class", sa.String(50), nullable=True))
    for figure in ORDER_FIGURES:
        op.add_column("orders", sa.Column(figure, sa.BigInteger(), server_default="0", nullable=False))
    op.add_column(
        "orders", sa.Column("prices_include_tax", sa.Boolean(), server_default=sa.text("false"), nullable=False)
    )
    op.add_column("orders", sa.Column("discount_code", sa.String(40), nullable=True))
    op.add_column("orders", sa.Column("shipping_address", sa.Text(), nullable=True))
    op.add_column("orders", sa.Column("shipping_rate", sa.Text(), nullable=True))
    op.add_column("order_lines", sa.Column("discount_cents", sa.BigInteger(), server_default="0", nullable=False))
    op.add_column("order_lines", sa.Column("tax_cents", sa.BigInteger(), server_default="0", nullable=False))
    op.add_column("order_lines", sa.Column("tax_class", sa.String(50), server_default="standard", nullable=False))
    op.add_column("order_lines", sa.Column("tax_rate_bp", sa.Integer(), server_default="0", nullable=False))
    # An order placed before: its lines are its subtotal (an admin may have set its total apart).
    op.execute(
        "UPDATE orders SET subtotal_cents = COALESCE((SELECT sum(l.unit_price_cents * l.quantity)"
        " FROM order_lines l WHERE l.order_id = orders.id), 0)"
    )


def downgrade() -> None:
    # SQLite 3.35 and later drop columns in place.
    for column in ("tax_rate_bp", "tax_class", "tax_cents", "discount_cents"):
        op.drop_column("order_lines", column)
    for column in ("shipping_rate", "shipping_address", "discount_code", "prices_include_tax", *ORDER_FIGURES):
        op.drop_column("orders", column)
    op.drop_column("variants", "tax_class")
    op.drop_column("products", "tax_class")
    op.drop_table("tax_rates")
    op.drop_table("shipping_rates")
    op.drop_table("shipping_zone_countries")
    op.drop_table("shipping_zones")
    op.drop_table("addresses")
