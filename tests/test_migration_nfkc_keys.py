"""Migration 0004 on a catalogue stored before it: keys rewritten, nothing lost."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from sqlalchemy.engine import make_url

from shop.storage.migrate import alembic_config

# Full-width letters, written as escapes so they cannot be mistaken for ASCII.
FULL_TEAPOT = "\uff34\uff45\uff41\uff50\uff4f\uff54"
FULL_KETTLE = "\uff2b\uff45\uff54\uff54\uff4c\uff45"


def test_stored_names_get_nfkc_keys_and_a_clash_keeps_the_old_key(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    config = alembic_config(make_url(f"sqlite+aiosqlite:///{path}"))
    command.upgrade(config, "0003")
    with sqlite3.connect(path) as db:
        for name in ("Teapot", FULL_TEAPOT, FULL_KETTLE, "Straße", "Cup"):
            db.execute(
                "INSERT INTO products (name, name_key, description, price_cents, stock, created_at, updated_at)"
                " VALUES (?, ?, '', 100, 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
                (name, name.casefold()),
            )
        db.execute("DELETE FROM products WHERE name = 'Cup'")  # its id (5) must never come back

    command.upgrade(config, "0004")

    with sqlite3.connect(path) as db:
        keys = dict(db.execute("SELECT name, name_key FROM products").fetchall())
        db.execute(
            "INSERT INTO products (name, name_key, description, price_cents, stock, created_at, updated_at)"
            " VALUES ('Mug', 'mug', '', 100, 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
        mug_id = db.execute("SELECT id FROM products WHERE name = 'Mug'").fetchone()[0]
    assert keys == {
        "Teapot": "teapot",
        FULL_TEAPOT: FULL_TEAPOT.lower(),  # "teapot" was taken first: the old key stays
        FULL_KETTLE: "kettle",
        "Straße": "strasse",
    }
    assert mug_id == 6  # AUTOINCREMENT survived the table's rebuild

    command.downgrade(config, "0003")
    with sqlite3.connect(path) as db:
        assert dict(db.execute("SELECT name, name_key FROM products WHERE name = ?", (FULL_KETTLE,)).fetchall()) == {
            FULL_KETTLE: FULL_KETTLE.lower()
        }
