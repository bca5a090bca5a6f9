"""Product name keys in Unicode compatibility form (NFKC), case folded.

"Teapot" in full-width letters and "Teapot" are now the same name: uniqueness
and `q` compare keys in NFKC. Keys may be longer than names ("ß" -> "ss"), so
the column grows to 600 characters on PostgreSQL. Only names with non-ASCII
characters change key. Where two stored products now share a key, the later one keeps its old
key, and so does a key too long for its column: the migration never fails
on data the shop accepted before.

The normalization is written out here, frozen as of this migration.

Revision ID: 0004
Revises: 0003
"""

import unicodedata
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000


def _nfkc_key(name: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def _casefold_key(name: str) -> str:
    return name.casefold()


def _widen(length: int) -> None:
    # SQLite enforces no VARCHAR length (and rebuilding the table would lose
    # AUTOINCREMENT's high-water mark): only PostgreSQL's column changes, keeping
    # migration 0002's "C" collation.
    if op.get_context().dialect.name == "postgresql":
        op.alter_column("products", "name_key", type_=sa.String(length, collation="C"), existing_nullable=False)


def _rekey(key_of: Callable[[str], str], max_key: int) -> None:
    connection = op.get_bind()
    products = sa.table("products", sa.column("id", sa.BigInteger), sa.column("name"), sa.column("name_key"))
    taken = set(connection.execute(sa.select(products.c.name_key)).scalars())
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(products.c.id, products.c.name, products.c.name_key)
            .where(products.c.id > last_id)
            .order_by(products.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        last_id = rows[-1].id
        for row in rows:
            if row.name.isascii():
                continue
            key = key_of(row.name)
            if key == row.name_key or key in taken or len(key) > max_key:
                continue  # the old key stays: a clash, or too long for the column
            connection.execute(products.update().where(products.c.id == row.id).values(name_key=key))
            taken.discard(row.name_key)
            taken.add(key)


def upgrade() -> None:
    _widen(600)
    _rekey(_nfkc_key, 600)


def downgrade() -> None:
    _rekey(_casefold_key, 200)
    _widen(200)
