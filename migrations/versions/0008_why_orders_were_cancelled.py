"""Why a cancelled order was cancelled (customer, admin, expired), and the
index the expiry sweep reads old pending orders by.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# SQLite rebuilds the table for these changes: it must keep 0003's AUTOINCREMENT
# (this was missed at first; 0010 mends the databases migrated meanwhile).


def upgrade() -> None:
    with op.batch_alter_table("orders", table_kwargs={"sqlite_autoincrement": True}) as orders:
        orders.add_column(sa.Column("cancel_reason", sa.String(16), nullable=True))
        orders.create_check_constraint(
            "cancel_reason", "cancel_reason IS NULL OR cancel_reason IN ('customer', 'admin', 'expired')"
        )
    op.create_index("ix_orders_status_created_at", "orders", ["status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_orders_status_created_at", "orders")
    with op.batch_alter_table("orders", table_kwargs={"sqlite_autoincrement": True}) as orders:
        orders.drop_constraint("cancel_reason", type_="check")
        orders.drop_column("cancel_reason")
