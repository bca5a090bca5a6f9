"""Logging setup details that cost or leak when wrong."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from loguru import logger

from shop.logs import configure_logging
from shop.settings import load_settings


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers, root.level = handlers, level
    logger.remove()  # the stderr sink configure_logging added


@pytest.mark.usefixtures("restore_logging")
@pytest.mark.parametrize(("setting", "level"), [("INFO", logging.INFO), ("WARNING", logging.WARNING)])
def test_standard_library_records_below_the_level_are_never_made(setting: str, level: int) -> None:
    # uvicorn wraps the app in a logger of every ASGI message when its logger
    # is enabled for TRACE (5); a root level of 0 turned that on and cost a
    # third of every request's time.
    configure_logging(load_settings(_env_file=None, DEBUG=True, LOG_LEVEL=setting))
    assert logging.getLogger("uvicorn.error").getEffectiveLevel() == level
    assert not logging.getLogger("uvicorn.error").isEnabledFor(5)
