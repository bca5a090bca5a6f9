"""Upgrade, check, downgrade to base and upgrade again, on fresh databases.

Run by `nox -s migrations` as `python -m migrations.roundtrip POSTGRES_SERVER_URL`.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import uuid
from pathlib import Path

import asyncpg
from alembic import command
from sqlalchemy.engine import URL

from shop.kernel.settings import async_database_url
from shop.storage.migrate import alembic_config


def roundtrip(url: URL) -> None:
    config = alembic_config(url)
    command.upgrade(config, "head")
    command.check(config)  # raises when the models and the migrations disagree
    command.downgrade(config, "base")
    command.upgrade(config, "head")
    command.check(config)
    print(f"migrations round-trip cleanly on {url.get_backend_name()}")


async def _admin(server: URL, statement: str) -> None:
    connection = await asyncpg.connect(
        host=server.host, port=server.port or 5432, user=server.username, password=server.password, database="postgres"
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def main(postgres_server: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        roundtrip(async_database_url(f"sqlite:///{Path(folder) / 'roundtrip.db'}"))
    if not postgres_server:
        print("no PostgreSQL server given: the round trip ran on SQLite only")
        return
    server = async_database_url(postgres_server)
    name = f"shop_roundtrip_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
    try:
        roundtrip(server.set(database=name))
    finally:
        asyncio.run(_admin(server, f'DROP DATABASE "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main(sys.argv[1])
