"""Running the Alembic migrations from code (`shop migrate`, `shop serve`, tests)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

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


def upgrade(url: URL | str, revision: str = "head") -> list[str]:
    """Bring the database at `url` up to `revision`: the migrations applied, oldest
    first, each as "0009: what it does". Blocking: call it outside the event loop."""
    applied: list[str] = []

    def note(*, step: Any, **_: Any) -> None:
        doc = (step.up_revision.doc or "").strip().splitlines()
        applied.append(f"{step.up_revision_id}: {doc[0] if doc else ''}".rstrip(": "))

    config = alembic_config(url)
    config.attributes["on_version_apply"] = note
    command.upgrade(config, revision)
    return applied


def downgrade(url: URL | str, revision: str) -> None:
    """Take the database at `url` back down to `revision` (tests and rollbacks). Blocking."""
    command.downgrade(alembic_config(url), revision)


@functools.cache
def head_revision() -> str | None:
    """The newest migration this shop ships: what a ready database is at."""
    return ScriptDirectory.from_config(alembic_config("")).get_current_head()
