"""Failed logins counted per username and client address.

Five failures for a username from one client lock it for that client only (a
stranger can no longer lock someone else out), and a client that fails across
many usernames is throttled. Every attempt older than the window is purged.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Should SQLite's batch mode rebuild the table, it keeps never reusing ids (0003).
KEEP_AUTOINCREMENT = {"sqlite_autoincrement": True}


def upgrade() -> None:
    with op.batch_alter_table("login_attempts", table_kwargs=KEEP_AUTOINCREMENT) as batch:
        batch.add_column(sa.Column("client", sa.String(64), nullable=False, server_default=""))
        batch.drop_index("ix_login_attempts_username_key_attempted_at")
        batch.create_index(
            "ix_login_attempts_username_key_client_attempted_at", ["username_key", "client", "attempted_at"]
        )
        batch.create_index("ix_login_attempts_client_attempted_at", ["client", "attempted_at"])
        batch.create_index("ix_login_attempts_attempted_at", ["attempted_at"])


def downgrade() -> None:
    with op.batch_alter_table("login_attempts", table_kwargs=KEEP_AUTOINCREMENT) as batch:
        batch.drop_index("ix_login_attempts_attempted_at")
        batch.drop_index("ix_login_attempts_client_attempted_at")
        batch.drop_index("ix_login_attempts_username_key_client_attempted_at")
        batch.create_index("ix_login_attempts_username_key_attempted_at", ["username_key", "attempted_at"])
        batch.drop_column("client")
