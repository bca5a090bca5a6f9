"""Product names on PostgreSQL: byte-order sorting and a trigram index for search.

`GET /products?q=` is a substring search, which no B-tree serves. pg_trgm's GIN
index answers it without a full scan. SQLite has no such index type; there the
search reads the name keys only. The "C" collation makes name order (and so
cursors) the same on every server, whatever its locale, and as on SQLite.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute('ALTER TABLE products ALTER COLUMN name_key TYPE varchar(200) COLLATE "C"')
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        "ix_products_name_key_trgm",
        "products",
        ["name_key"],
        postgresql_using="gin",
        postgresql_ops={"name_key": "gin_trgm_ops"},
    )


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.drop_index("ix_products_name_key_trgm", table_name="products")
    op.execute('ALTER TABLE products ALTER COLUMN name_key TYPE varchar(200) COLLATE "default"')
