"""Alembic's environment: async-aware, with the URL taken from the shop's settings."""

from __future__ import annotations

import asyncio
from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from shop.kernel.settings import async_database_url, load_settings
from shop.storage.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name)

target_metadata = Base.metadata


def database_url() -> str:
    """A URL set by the caller (tests, `shop migrate`) wins over the settings."""
    url = config.attributes.get("database_url")
    if url is None:
        url = load_settings(signs_tokens=False).migrations_url  # migrations sign no tokens
    return async_database_url(str(url) if not isinstance(url, str) else url).render_as_string(hide_password=False)


def run_migrations(connection: Connection) -> None:
    def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        # Indexes that exist on one backend only (the trigram index) are not "missing" elsewhere.
        only_on = getattr(obj, "info", {}).get("only_on")
        return only_on is None or only_on == connection.dialect.name

    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
        on_version_apply=config.attributes.get("on_version_apply"),  # `shop migrate` says what it applied
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    engine = create_async_engine(database_url(), poolclass=NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(run_migrations)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(run_online())
