"""The README's promises about running and installing the shop, held to the project's files."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def section(title: str) -> str:
    """The README's text under `## title`, up to the next heading of that level."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match, f"the README has no section {title!r}"
    return match[1]


def sessions_table() -> dict[str, dict[str, str]]:
    """The rows of the table of `uv run nox`'s sessions, by session name."""
    lines = [line for line in section("What `uv run nox` runs").splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = {}
    for line in lines[2:]:
        cells = dict(zip(header, (cell.strip() for cell in line.strip("|").split("|")), strict=True))
        rows[cells["session"].strip("`")] = cells
    return rows


def test_every_session_of_uv_run_nox_is_in_the_table_with_what_it_needs_and_takes() -> None:
    import noxfile  # noqa: F401 - importing it fills nox.options.sessions

    table = sessions_table()
    assert list(table) == list(nox.options.sessions or [])
    for name, row in table.items():
        assert row["needs"], f"{name}: say what it needs"
        assert re.fullmatch(r"(about )?\d+ (s|min)", row["takes"]), f"{name}: say how long it takes ({row['takes']!r})"


def test_what_the_sessions_need_is_named_where_they_need_it() -> None:
    table = sessions_table()
    for name in ("postgres", "migrations", "race", "faults", "fuzz"):
        assert "PostgreSQL" in table[name]["needs"], name
    assert "Node.js 20.19" in table["clients"]["needs"]
    assert "skip" in table["clients"]["needs"], "say that the session skips, not fails, without Node.js"


def test_the_classic_route_makes_an_admin_between_the_migrations_and_uvicorn() -> None:
    block = re.search(r"```sh\n(.*?)```", section("The classic route"), re.S)
    assert block
    commands = [line.split("#")[0].strip() for line in block[1].splitlines()]
    upgrade = commands.index("alembic upgrade head")
    admin = next(i for i, command in enumerate(commands) if "shop create-admin" in command)
    assert upgrade < admin < commands.index("uvicorn asgi:application")


def test_installing_the_wheel_names_the_python_it_needs() -> None:
    wanted = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    version = re.fullmatch(r">=(\d+\.\d+)", wanted)
    assert version, wanted
    assert re.search(rf"needs Python {re.escape(version[1])}", section("Installing it"))
    assert f"python{version[1]} -m venv" in section("Installing it")
