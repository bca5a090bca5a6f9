"""Discount codes: `discounts`, the uses each customer holds (`discount_uses`),
and the discount an order holds a use of (`orders.discount_id`).

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "discounts",
        sa.Column("id", ID, nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("code_key", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("starts_at", WHEN, nullable=True),
        sa.Column("ends_at", WHEN, nullable=True),
        sa.Column("usage_limit", sa.Integer(), nullable=True),
        sa.Column("per_customer_limit", sa.Integer(), nullable=True),
        sa.Column("min_subtotal_cents", sa.BigInteger(), nullable=True),
        sa.Column("product_ids", sa.Text(), server_default="[]", nullable=False),
        sa.Column("category_ids", sa.Text(), server_default="[]", nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("times_used", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.CheckConstraint("kind IN ('percentage', 'fixed', 'free_shipping')", name=op.f("ck_discounts_kind")),
        sa.CheckConstraint("value >= 0", name=op.f("ck_discounts_value_not_negative")),
        sa.CheckConstraint("times_used >= 0", name=op.f("ck_discounts_times_used_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discounts")),
        sa.UniqueConstraint("code_key", name=op.f("uq_discounts_code_key")),
        sqlite_autoincrement=True,  # never reuse ids (0003)
    )
    op.create_table(
        "discount_uses",
        sa.Column("discount_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.CheckConstraint("uses >= 0", name=op.f("ck_discount_uses_uses_not_negative")),
        sa.ForeignKeyConstraint(
            ["discount_id"], ["discounts.id"], name=op.f("fk_discount_uses_discount_id_discounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_discount_uses_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("discount_id", "user_id", name=op.f("pk_discount_uses")),
    )
    # A foreign key added to an existing table: SQLite rebuilds it (batch), keeping its AUTOINCREMENT.
    bind = op.get_bind()
    last = None
    if bind.dialect.name == "sqlite":
        last = bind.execute(sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'orders'")).scalar()
    with op.batch_alter_table("orders", table_kwargs={"sqlite_autoincrement": True}) as orders:
        orders.add_column(sa.Column("discount_id", ID, nullable=True))
        orders.create_foreign_key(
            op.f("fk_orders_discount_id_discounts"), "discounts", ["discount_id"], ["id"], ondelete="RESTRICT"
        )
        orders.create_index(op.f("ix_orders_discount_id"), ["discount_id"])
    if last is not None:
        bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'orders'"))
        bind.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('orders', :seq)"), {"seq": last})


def downgrade() -> None:
    bind = op.get_bind()
    last = None
    if bind.dialect.name == "sqlite":
        last = bind.execute(sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'orders'")).scalar()
    with op.batch_alter_table("orders", table_kwargs={"sqlite_autoincrement": True}) as orders:
        orders.drop_index(op.f("ix_orders_discount_id"))
        orders.drop_constraint(op.f("fk_orders_discount_id_discounts"), type_="foreignkey")
        orders.drop_column("discount_id")
    if last is not None:
        bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'orders'"))
        bind.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('orders', :seq)"), {"seq": last})
    op.drop_table("discount_uses")
    op.drop_table("discounts")
