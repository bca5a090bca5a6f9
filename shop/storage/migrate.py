"""Running the Alembic migrations from code (`shop migrate`, `shop serve`, tests)."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL

_PACKAGE = Path(__file__).resolve().parent.parent  # shop/
# A wheel carries the migrations and alembic.ini inside the package; a clone
# keeps them at the top of the repository, where `alembic upgrade head` finds them.
_HOME = _PACKAGE if (_PACKAGE / "migrations").is_dir() else _PACKAGE.parent


def alembic_config(url: URL | str) -> Config:
    config = Config(str(_HOME / "alembic.ini"))
    config.set_main_option("script_location", str(_HOME / "migrations"))
    config.attributes["database_url"] = url
    config.attributes["configure_logging"] = False  # the caller's logging stays as it is
    return config


def upgrade(url: URL | str, revision: str = "head") -> None:
    """Bring the database at `url` up to `revision`. Blocking: call it outside the event loop."""
    command.upgrade(alembic_config(url), revision)


@functools.cache
def head_revision() -> str | None:
    """The newest migration this shop ships: what a ready database is at."""
    return ScriptDirectory.from_config(alembic_config("")).get_current_head()
