"""Sign-ups through open registration, counted per client address for their limit.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_ups",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("signed_up_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_ups")),
        sqlite_autoincrement=True,  # never reuse ids (0003)
    )
    op.create_index("ix_sign_ups_client_signed_up_at", "sign_ups", ["client", "signed_up_at"])
    op.create_index("ix_sign_ups_signed_up_at", "sign_ups", ["signed_up_at"])


def downgrade() -> None:
    op.drop_table("sign_ups")
