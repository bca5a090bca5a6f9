"""CI sessions. `uv run nox` runs them all; `uv run nox -s tests` runs one."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

import nox

nox.options.default_venv_backend = "uv"
nox.options.sessions = [
    "lint",
    "typecheck",
    "tests",
    "postgres",
    "migrations",
    "package",
    "clients",
    "race",
    "faults",
    "fuzz",
]
nox.options.reuse_existing_virtualenvs = True

# Where PYTHONDONTWRITEBYTECODE is set (some CI machines set it), Python compiles every
# module it imports from source, every time: each `shop` process a test starts then
# spends seconds compiling the package and its dependencies, hundreds of times a run.
# The sessions let Python keep its bytecode (in __pycache__, which git ignores).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def postgres_url(session: nox.Session, *, only_postgres: bool = False) -> str:
    """POSTGRES_URL when PostgreSQL answers there. Else, on a developer's machine, the
    session skips its PostgreSQL part (or all of it) and says so; under CI it fails."""
    parts = urlsplit(POSTGRES_URL)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), timeout=2).close()
        return POSTGRES_URL
    except OSError:
        message = f"PostgreSQL does not answer at {parts.hostname}:{parts.port or 5432}"
    if os.environ.get("CI"):
        session.error(f"{message}; CI runs every session on both databases")
    if only_postgres:
        session.skip(f"{message}; start it, or point TEST_POSTGRES_URL at one")
    session.warn(f"{message}: this session runs on SQLite only")
    return ""


def sync(session: nox.Session) -> None:
    """Install the locked dependencies (and the shop itself) into the session's venv."""
    session.run_install(
        "uv",
        "sync",
        "--frozen",
        "--all-groups",
        env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location},
    )


@nox.session
def tests(session: nox.Session) -> None:
    """Every scenario and test on SQLite files, on every core (pytest-xdist; `-- -n 0` for one process)."""
    sync(session)
    session.run("pytest", "-n", "auto", *session.posargs, env={"TEST_DATABASE_URL": ""})


@nox.session
def postgres(session: nox.Session) -> None:
    """The same suite on PostgreSQL: a database of its own for each scenario, emptied and reused.

    In one process: the event feed waits for every transaction open on the server, so
    scenarios running side by side would hold back each other's events."""
    url = postgres_url(session, only_postgres=True)
    sync(session)
    # The OpenAPI document is the same on every database: its scenarios run on SQLite (nox -s tests).
    only = "not race and not fuzz and not faults and not package and not clients and not document"
    session.run("pytest", "-m", only, *session.posargs, env={"TEST_DATABASE_URL": url})


@nox.session
def package(session: nox.Session) -> None:
    """The built wheel alone in a fresh virtualenv, run from an empty folder: --version, migrate,
    create-admin, serve, /ready, a login and an order."""
    sync(session)
    session.run("pytest", "-m", "package", "tests/package", *session.posargs)


@nox.session
def clients(session: nox.Session) -> None:
    """Clients generated from the served /openapi.json, each driven through a storefront's flow: Python
    (openapi-python-client, no warning allowed, mypy --strict) and TypeScript (openapi-typescript and
    openapi-fetch, tsc --strict); Redocly CLI lints the document. The TypeScript and Redocly parts need
    Node.js 20.19+ and the npm registry: skipped without them, except under CI."""
    sync(session)
    session.run("pytest", "-m", "clients", "tests/clients", *session.posargs)


@nox.session
def race(session: nox.Session) -> None:
    """`shop serve --workers 2` on SQLite and PostgreSQL: clients racing for the last units, for one
    Idempotency-Key, for one Stripe event, and payments racing their orders' expiry."""
    url = postgres_url(session)
    sync(session)
    session.run("pytest", "-m", "race", "tests/race", *session.posargs, env={"TEST_POSTGRES_URL": url})


@nox.session
def faults(session: nox.Session) -> None:
    """Under load, on SQLite and PostgreSQL: workers and the server killed, SIGTERM, PostgreSQL stopped and
    started (a private cluster), SQLite's write lock held by another program. Nothing lost, no 500."""
    url = postgres_url(session)
    sync(session)
    session.run("pytest", "-m", "faults", "tests/faults", *session.posargs, env={"TEST_POSTGRES_URL": url})


@nox.session
def fuzz(session: nox.Session) -> None:
    """Schemathesis against a real `shop serve` on SQLite and PostgreSQL, as a customer and as an admin:
    no 5xx, no answer off the document."""
    url = postgres_url(session)
    sync(session)
    # Side by side: each run has its own server and database, and none reads the event feed.
    session.run("pytest", "-m", "fuzz", "-n", "auto", "tests/fuzz", *session.posargs, env={"TEST_POSTGRES_URL": url})


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Load with wrk against `shop serve` and a bare Falcon app, in one run (not part of `nox`: it measures,
    and measurements belong to a quiet machine). `nox -s bench -- --help` lists the options."""
    sync(session)
    session.run("python", "-m", "bench.run", *session.posargs)
    session.run("python", "-m", "bench.access_line")


@nox.session(default=False)
def audit(session: nox.Session) -> None:
    """pip-audit on every locked dependency (uv.lock), against PyPI's vulnerability data. Not in the
    default run: it needs PyPI's JSON API (or OSV), which this CI's network does not reach."""
    sync(session)
    locked = Path(session.create_tmp()) / "locked.txt"
    session.run(
        "uv",
        "export",
        "--frozen",
        "--all-groups",
        "--no-emit-project",
        "--format",
        "requirements-txt",
        "--output-file",
        str(locked),
    )
    session.run("pip-audit", "--disable-pip", "--requirement", str(locked), "--strict", "--progress-spinner", "off")


@nox.session
def lint(session: nox.Session) -> None:
    sync(session)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    sync(session)
    session.run("mypy")


@nox.session
def migrations(session: nox.Session) -> None:
    """On SQLite and PostgreSQL: upgrade, `alembic check`, downgrade to base, upgrade again."""
    url = postgres_url(session)
    sync(session)
    session.run("python", "-m", "migrations.roundtrip", url)
