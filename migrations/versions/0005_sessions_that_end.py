"""Sessions that end: a generation number on each user.

Every token carries the generation of its user's sessions when it was issued;
logging out, a new password and a new role move the number on, and tokens of
an older generation are refused.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    # Should SQLite's batch mode rebuild the table, it keeps never reusing ids (0003).
    with op.batch_alter_table("users", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("session_generation")
