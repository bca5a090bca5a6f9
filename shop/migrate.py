"""Running the Alembic migrations from code (`shop migrate`, `shop serve`, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import URL

_ROOT = Path(__file__).resolve().parent.parent


def alembic_config(url: URL | str) -> Config:
    config = Config(str(_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(_ROOT / "migrations"))
    config.attributes["database_url"] = url
    config.attributes["configure_logging"] = False  # the caller's logging stays as it is
    return config


def upgrade(url: URL | str, revision: str = "head") -> None:
    """Bring the database at `url` up to `revision`. Blocking: call it outside the event loop."""
    command.upgrade(alembic_config(url), revision)
