"""Orders never reuse ids on SQLite, again.

0008 rebuilt the orders table (SQLite's way to add a column and a check) and
the rebuild left out AUTOINCREMENT, which 0003 had given it: since then SQLite
gave the id of the newest order, once deleted, to the next order placed, so an
order's id could name two orders in turn (in the event feed, in a client's
records). Rebuild it with AUTOINCREMENT, keeping its rows. The sequence starts
after the largest id in the table: an id given out twice before this cannot be
taken back, but none is given out again after it. PostgreSQL is untouched.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    with op.batch_alter_table("orders", recreate="always", table_kwargs={"sqlite_autoincrement": True}):
        pass


def downgrade() -> None:
    pass  # 0008's downgrade rebuilds the table as 0003 left it
