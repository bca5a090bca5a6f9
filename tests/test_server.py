"""The app each `shop serve` worker builds."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from loguru import logger

from shop.server import app_factory


def test_a_worker_keeps_the_collector_off_what_lives_for_the_whole_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Full collections over every imported module took 70-80 ms under load.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DEBUG", "true")
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}")
    gc.unfreeze()
    try:
        app_factory()
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
        logger.remove()
