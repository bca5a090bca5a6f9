"""Variants and stock movements: every product gets a slug and one variant that
carries its price and stock, every order line names the variant it sold, and
each variant's stock starts its ledger with one movement.

Nothing is lost: a product's stock moves to its variant (and a first "admin"
movement of that stock), its price stays as the lowest variant price, and the
lines of its orders point at the variant with the SKU they sold. Lines of
products deleted before keep their name and price, with no SKU.

Downgrading puts each product's stock back as the sum of its active variants'
and forgets variants, options and images: a catalogue with options does not fit
the older schema and loses them.

Revision ID: 0013
Revises: 0012
"""

import contextlib
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations
from slugify import slugify

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)
BATCH = 5_000
# SQLite rebuilds a table for these changes: it must keep 0003's AUTOINCREMENT.
KEEP_IDS = {"sqlite_autoincrement": True}


def _free(wanted: str, taken: set[str], max_length: int) -> str:
    """`wanted`, or `wanted-2`, `wanted-3`... the first not taken, within max_length."""
    candidate, n = wanted[:max_length].rstrip("-"), 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        candidate = wanted[: max_length - len(suffix)].rstrip("-") + suffix
    taken.add(candidate)
    return candidate


@contextlib.contextmanager
def _rebuilt(table: str) -> Iterator[BatchOperations]:
    """Alter `table`, which SQLite does by rebuilding it: keeping AUTOINCREMENT, and
    the ids it gave out, even of rows since deleted (the rebuilt table's sequence
    would start after the largest id left)."""
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    given = sa.text("SELECT seq FROM sqlite_sequence WHERE name = :table")
    last = bind.execute(given, {"table": table}).scalar() if sqlite else None
    with op.batch_alter_table(table, table_kwargs=KEEP_IDS) as batch:
        yield batch
    if last is not None:
        bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :table"), {"table": table})
        bind.execute(
            sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:table, :seq)"), {"table": table, "seq": last}
        )


def _batches(rows: list[dict[str, object]]) -> Iterator[list[dict[str, object]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def upgrade() -> None:
    bind = op.get_bind()
    now = datetime.now(UTC)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)

    with _rebuilt("products") as products:
        products.add_column(sa.Column("slug", sa.String(200), nullable=True))
        products.add_column(sa.Column("options", sa.Text(), server_default="[]", nullable=False))
        products.add_column(sa.Column("images", sa.Text(), server_default="[]", nullable=False))

    op.create_table(
        "variants",
        sa.Column("id", ID, nullable=False),
        sa.Column("product_id", ID, nullable=False),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("sku_key", sa.String(64), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("values_key", sa.Text(), nullable=False),
        sa.Column("price_cents", sa.BigInteger(), nullable=False),
        sa.Column("stock", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("images", sa.Text(), server_default="[]", nullable=False),
        sa.Column("archived_at", WHEN, nullable=True),
        sa.CheckConstraint("price_cents >= 0", name=op.f("ck_variants_price_not_negative")),
        sa.CheckConstraint("stock >= 0", name=op.f("ck_variants_stock_not_negative")),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_variants_product_id_products"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_variants")),
        sa.UniqueConstraint("sku_key", name=op.f("uq_variants_sku_key")),
        **KEEP_IDS,
    )
    op.create_index(
        "ix_variants_product_id_values_key",
        "variants",
        ["product_id", "values_key"],
        unique=True,
        sqlite_where=sa.text("archived_at IS NULL"),
        postgresql_where=sa.text("archived_at IS NULL"),
    )
    op.create_index("ix_variants_product_id_position", "variants", ["product_id", "position"])
    op.create_table(
        "stock_movements",
        sa.Column("id", ID, nullable=False),
        sa.Column("variant_id", ID, nullable=False),
        sa.Column("delta", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.CheckConstraint(
            "reason IN ('order', 'cancel', 'expiry', 'delete', 'admin')", name=op.f("ck_stock_movements_reason")
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"], ["variants.id"], name=op.f("fk_stock_movements_variant_id_variants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movements")),
        **KEEP_IDS,
    )
    op.create_index("ix_stock_movements_variant_id_id", "stock_movements", ["variant_id", "id"])

    # Each product's slug, made from its name, and its one variant, whose SKU is the slug.
    stored = bind.execute(sa.text("SELECT id, name, price_cents, stock FROM products ORDER BY id")).all()
    slugs: set[str] = set()
    skus: set[str] = set()
    named, variants = [], []
    for product in stored:
        slug = _free(slugify(product.name, max_length=200) or "product", slugs, 200)
        sku = _free(slug, skus, 64)
        named.append({"id": product.id, "slug": slug})
        variants.append(
            {
                "product_id": product.id,
                "sku": sku,
                "price_cents": product.price_cents,
                "stock": product.stock,
            }
        )
    for batch in _batches(named):
        bind.execute(sa.text("UPDATE products SET slug = :slug WHERE id = :id"), batch)
    for batch in _batches(variants):
        bind.execute(
            sa.text(
                "INSERT INTO variants (product_id, sku, sku_key, options, values_key, price_cents, stock, position)"
                " VALUES (:product_id, :sku, :sku, '{}', '[]', :price_cents, :stock, 0)"
            ),
            batch,
        )
    bind.execute(
        sa.text(
            "INSERT INTO stock_movements (variant_id, delta, reason, order_id, created_at)"
            " SELECT id, stock, 'admin', NULL, :now FROM variants ORDER BY id"
        ).bindparams(sa.bindparam("now", now, type_=WHEN))
    )

    with _rebuilt("products") as products:
        products.alter_column("slug", existing_type=sa.String(200), nullable=False)
        products.create_unique_constraint(op.f("uq_products_slug"), ["slug"])
        products.drop_constraint(op.f("ck_products_stock_not_negative"), type_="check")
        products.drop_column("stock")

    with _rebuilt("order_lines") as lines:
        lines.add_column(sa.Column("variant_id", ID, nullable=True))
        lines.add_column(sa.Column("sku", sa.String(64), nullable=True))
        lines.add_column(sa.Column("options", sa.Text(), server_default="{}", nullable=False))
    bind.execute(
        sa.text(
            "UPDATE order_lines SET"
            " variant_id = (SELECT v.id FROM variants v WHERE v.product_id = order_lines.product_id),"
            " sku = (SELECT v.sku FROM variants v WHERE v.product_id = order_lines.product_id)"
            " WHERE product_id IS NOT NULL"
        )
    )
    with _rebuilt("order_lines") as lines:
        lines.drop_constraint(op.f("uq_order_lines_order_id_product_id"), type_="unique")
        lines.create_unique_constraint(op.f("uq_order_lines_order_id_variant_id"), ["order_id", "variant_id"])
        lines.create_foreign_key(
            op.f("fk_order_lines_variant_id_variants"), "variants", ["variant_id"], ["id"], ondelete="SET NULL"
        )
        lines.create_index(op.f("ix_order_lines_variant_id"), ["variant_id"])


def downgrade() -> None:
    with _rebuilt("order_lines") as lines:
        lines.drop_index(op.f("ix_order_lines_variant_id"))
        lines.drop_constraint(op.f("fk_order_lines_variant_id_variants"), type_="foreignkey")
        lines.drop_constraint(op.f("uq_order_lines_order_id_variant_id"), type_="unique")
        lines.create_unique_constraint(op.f("uq_order_lines_order_id_product_id"), ["order_id", "product_id"])
        lines.drop_column("options")
        lines.drop_column("sku")
        lines.drop_column("variant_id")

    with _rebuilt("products") as products:
        products.add_column(sa.Column("stock", sa.BigInteger(), server_default="0", nullable=False))
    op.execute(
        "UPDATE products SET stock = (SELECT coalesce(sum(v.stock), 0) FROM variants v"
        " WHERE v.product_id = products.id AND v.archived_at IS NULL)"
    )
    with _rebuilt("products") as products:
        products.alter_column("stock", existing_type=sa.BigInteger(), server_default=None)
        products.create_check_constraint(op.f("ck_products_stock_not_negative"), "stock >= 0")
        products.drop_constraint(op.f("uq_products_slug"), type_="unique")
        products.drop_column("images")
        products.drop_column("options")
        products.drop_column("slug")

    op.drop_index("ix_stock_movements_variant_id_id", table_name="stock_movements")
    op.drop_table("stock_movements")
    op.drop_index("ix_variants_product_id_position", table_name="variants")
    op.drop_index("ix_variants_product_id_values_key", table_name="variants")
    op.drop_table("variants")
