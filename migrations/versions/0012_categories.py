"""Categories: a tree (`categories`), the products in each (`product_categories`),
and each product's own list of them (`products.category_ids`).

A category's `lineage` is the ids of its ancestors, the top one first, each in
19 digits and followed by "/": text order is the path's order, id by id, and
the categories below one are a range of lineages. Byte order ("C") on
PostgreSQL, as on SQLite. Both foreign keys to a category RESTRICT: a category
with subcategories or products cannot be deleted.

Products stored before have no category: `category_ids` is "[]".

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)
LINEAGE = sa.String(180).with_variant(sa.String(180, collation="C"), "postgresql")  # 9 ancestors of 20 characters


def upgrade() -> None:
    op.create_table(
        "categories",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("name_key", sa.String(300), nullable=False),
        sa.Column("slug", sa.String(200), nullable=False),
        sa.Column("parent_id", ID, nullable=True),
        sa.Column("lineage", LINEAGE, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.CheckConstraint("position >= 0", name=op.f("ck_categories_position_not_negative")),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["categories.id"], name=op.f("fk_categories_parent_id_categories"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("slug", name=op.f("uq_categories_slug")),
        sa.UniqueConstraint("lineage", "name_key", name=op.f("uq_categories_lineage_name_key")),
        sqlite_autoincrement=True,  # never reuse ids (0003)
    )
    op.create_index("ix_categories_parent_id", "categories", ["parent_id"])
    op.create_index("ix_categories_lineage_position_id", "categories", ["lineage", "position", "id"])
    op.create_table(
        "product_categories",
        sa.Column("product_id", ID, nullable=False),
        sa.Column("category_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_product_categories_product_id_products"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_product_categories_category_id_categories"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("product_id", "category_id", name=op.f("pk_product_categories")),
    )
    op.create_index("ix_product_categories_category_id_product_id", "product_categories", ["category_id", "product_id"])
    # A column with a constant default: SQLite adds it in place (no rebuild, AUTOINCREMENT kept).
    op.add_column("products", sa.Column("category_ids", sa.Text(), server_default="[]", nullable=False))


def downgrade() -> None:
    op.drop_column("products", "category_ids")  # SQLite 3.35 and later drop it in place too
    op.drop_table("product_categories")
    op.drop_table("categories")
