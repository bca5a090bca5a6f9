"""Logging: what a line says, in text and in JSON, and what it costs when wrong."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from loguru import logger

from shop.kernel.logs import StreamAccessLog, access_log, configure_logging, forget_logging
from shop.kernel.settings import load_settings

ACCESS = ("req-7", "GET", "/products/7", 200, 0.00123, 5, "10.0.0.1")
TEXT_TIME = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}"
JSON_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers, root.level = handlers, level
    forget_logging()


@pytest.mark.usefixtures("restore_logging")
@pytest.mark.parametrize(("setting", "level"), [("INFO", logging.INFO), ("WARNING", logging.WARNING)])
def test_standard_library_records_below_the_level_are_never_made(setting: str, level: int) -> None:
    # uvicorn wraps the app in a logger of every ASGI message when its logger
    # is enabled for TRACE (5); a root level of 0 turned that on and cost a
    # third of every request's time.
    configure_logging(load_settings(_env_file=None, DEBUG=True, LOG_LEVEL=setting))
    assert logging.getLogger("uvicorn.error").getEffectiveLevel() == level
    assert not logging.getLogger("uvicorn.error").isEnabledFor(5)


@pytest.mark.usefixtures("restore_logging")
def test_uvicorn_builds_no_access_line_of_its_own() -> None:
    # The shop writes its own. uvicorn formats its line (client, path) on every
    # request whenever its access logger has a handler anywhere up the tree, and
    # only then asks whether the logger is enabled.
    configure_logging(load_settings(_env_file=None, DEBUG=True))
    assert not logging.getLogger("uvicorn.access").hasHandlers()


@pytest.mark.usefixtures("restore_logging")
def test_the_text_access_line_says_who_asked_what_and_how_it_went(capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings(_env_file=None, DEBUG=True)
    configure_logging(settings)
    line = access_log(settings)
    assert line is not None
    line.write(*ACCESS)
    line.write("req-8", "POST", "/login", 401, 0.0005, None, "127.0.0.1")
    first, second = capsys.readouterr().err.splitlines()
    assert re.fullmatch(
        rf"{TEXT_TIME} INFO     shop\.access req-7 GET /products/7 200 1\.23ms user=5 client=10\.0\.0\.1", first
    )
    assert second.endswith(" req-8 POST /login 401 0.5ms user=- client=127.0.0.1")


@pytest.mark.usefixtures("restore_logging")
def test_a_path_cannot_forge_a_line_of_the_text_log(capsys: pytest.CaptureFixture[str]) -> None:
    # Falcon decodes %0A in a path: written as it is, it would start a line of the attacker's.
    settings = load_settings(_env_file=None, DEBUG=True)
    configure_logging(settings)
    line = access_log(settings)
    assert line is not None
    line.write("req-9", "GET", "/x\n2026-01-01 00:00:00.000 INFO forged\x1b[2J", 404, 0.001, None, "127.0.0.1")
    (written,) = capsys.readouterr().err.splitlines()
    assert "GET /x\\n2026-01-01 00:00:00.000 INFO forged\\x1b[2J 404" in written


@pytest.mark.usefixtures("restore_logging")
def test_the_json_access_line_is_one_flat_object(capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings(_env_file=None, DEBUG=True, LOG_JSON=True)
    configure_logging(settings)
    line = access_log(settings)
    assert line is not None
    line.write(*ACCESS)
    line.write("req-8", "POST", "/login", 401, 0.0005, None, "127.0.0.1")
    first, second = (json.loads(text) for text in capsys.readouterr().err.splitlines())
    assert JSON_TIME.fullmatch(first.pop("time"))
    assert first == {
        "level": "INFO",
        "logger": "shop.access",
        "message": "GET /products/7 200 1.23ms user=5 client=10.0.0.1",
        "request_id": "req-7",
        "method": "GET",
        "path": "/products/7",
        "status": 200,
        "duration_ms": 1.23,
        "user_id": 5,
        "client": "10.0.0.1",
    }
    assert second["user_id"] is None and second["status"] == 401


@pytest.mark.usefixtures("restore_logging")
def test_every_other_json_line_is_flat_too(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(load_settings(_env_file=None, DEBUG=True, LOG_JSON=True))
    logger.bind(request_id="req-1").warning("the database is away")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logger.exception("unhandled error on GET /x")
    warning, error = (json.loads(text) for text in capsys.readouterr().err.splitlines())
    assert JSON_TIME.fullmatch(warning.pop("time"))
    assert warning == {"level": "WARNING", "logger": __name__, "message": "the database is away", "request_id": "req-1"}
    assert error["level"] == "ERROR" and error["message"] == "unhandled error on GET /x"
    assert "Traceback" in error["exception"] and "RuntimeError: boom" in error["exception"]
    assert "record" not in error


def test_no_access_line_is_built_above_info() -> None:
    assert access_log(load_settings(_env_file=None, DEBUG=True, LOG_LEVEL="WARNING")) is None


def test_an_app_that_embeds_the_shop_gets_its_access_lines_through_loguru() -> None:
    # Without configure_logging (an embedding app keeps its own logging), the
    # line is an ordinary Loguru record, with its fields in `extra`.
    records: list[dict[str, object]] = []
    sink = logger.add(lambda message: records.append(dict(message.record)), level="INFO")
    try:
        line = access_log(load_settings(_env_file=None, DEBUG=True))
        assert line is not None
        line.write(*ACCESS)
    finally:
        logger.remove(sink)
    (record,) = records
    assert record["message"] == "GET /products/7 200 1.23ms user=5 client=10.0.0.1"
    assert record["extra"] == {
        "request_id": "req-7",
        "method": "GET",
        "path": "/products/7",
        "status": 200,
        "duration_ms": 1.23,
        "user_id": 5,
        "client": "10.0.0.1",
    }


class CountedWrites(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


def test_the_lines_of_one_turn_of_the_event_loop_are_written_at_once() -> None:
    # Under load a worker finishes many requests per turn of its loop: one
    # write for all their lines, not a system call each.
    stream = CountedWrites()
    line = StreamAccessLog(stream, json=False)

    async def finish_three_requests() -> str:
        for n in range(3):
            line.write(f"req-{n}", "GET", "/health", 200, 0.0001, None, "127.0.0.1")
        before = stream.getvalue()
        await asyncio.sleep(0)
        return before

    assert asyncio.run(finish_three_requests()) == ""
    assert [text.split()[4] for text in stream.getvalue().splitlines()] == ["req-0", "req-1", "req-2"]
    assert stream.writes == 1


@pytest.mark.usefixtures("restore_logging")
def test_no_message_can_forge_a_line_of_the_text_log(capsys: pytest.CaptureFixture[str]) -> None:
    # A client's words reach messages too ("database unavailable on GET <path>").
    configure_logging(load_settings(_env_file=None, DEBUG=True))
    logger.warning("unavailable on GET /x\n2026-01-01 00:00:00.000 ERROR forged\x1b[2J\x00")
    (written,) = capsys.readouterr().err.splitlines()
    assert written.endswith("unavailable on GET /x\\n2026-01-01 00:00:00.000 ERROR forged\\x1b[2J\\x00")
