"""Logging: one Loguru sink for the shop, the standard library and uvicorn.

Configuring a sink is process-wide, so `create_app()` never does it: the `shop`
command and `asgi.py` call `configure_logging()`, and an application that embeds
the shop keeps whatever logging it set up itself.
"""

from __future__ import annotations

import inspect
import logging
import sys
from typing import TYPE_CHECKING

from loguru import logger

if TYPE_CHECKING:
    from shop.settings import Settings

_TEXT_FORMAT = (
    "<green>{time:YYYY-MM-DD HH:mm:ss.SSS}</green> <level>{level: <8}</level> "
    "<cyan>{name}</cyan> {extra[request_id]} <level>{message}</level>"
)


class InterceptHandler(logging.Handler):
    """Hands standard-library records (uvicorn, SQLAlchemy, asyncio) to Loguru."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            level: str | int = logger.level(record.levelname).name
        except ValueError:
            level = record.levelno
        frame, depth = inspect.currentframe(), 0
        while frame is not None and (depth == 0 or frame.f_code.co_filename == logging.__file__):
            frame, depth = frame.f_back, depth + 1
        logger.opt(depth=depth, exception=record.exc_info).log(level, record.getMessage())


def configure_logging(settings: Settings) -> None:
    """Route every log record of this process to one stderr sink."""
    logger.remove()
    logger.configure(extra={"request_id": "-"})
    logger.add(
        sys.stderr,
        level=settings.LOG_LEVEL,
        serialize=settings.LOG_JSON,
        format="{message}" if settings.LOG_JSON else _TEXT_FORMAT,
        backtrace=settings.DEBUG,
        diagnose=False,  # diagnose would print local variables: passwords, tokens
        enqueue=False,
    )
    # Records below the level are not even made: at 0, uvicorn would also wrap
    # the app in its logger of every ASGI message (it does so when TRACE is on).
    logging.basicConfig(handlers=[InterceptHandler()], level=logger.level(settings.LOG_LEVEL).no, force=True)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "sqlalchemy", "alembic"):
        std = logging.getLogger(name)
        std.handlers = []
        std.propagate = True
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    # uvicorn's own access line would duplicate the shop's.
    logging.getLogger("uvicorn.access").disabled = True
