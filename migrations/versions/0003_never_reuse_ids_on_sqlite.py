"""Never reuse ids on SQLite: rebuild its tables with AUTOINCREMENT.

Without AUTOINCREMENT, SQLite gives the id of the newest deleted row to the
next insert: a deleted user's still-valid token would then belong to a new
user (perhaps an admin), and a deleted product's id would name a new product.
PostgreSQL sequences never go back, so nothing changes there.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("users", "products", "orders", "order_lines", "idempotency_keys", "login_attempts")


def _rebuild(autoincrement: bool) -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    for table in TABLES:
        # Batch mode copies the table into a new one declared with the option,
        # keeping its columns, constraints, indexes and rows.
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade() -> None:
    _rebuild(autoincrement=True)


def downgrade() -> None:
    _rebuild(autoincrement=False)
