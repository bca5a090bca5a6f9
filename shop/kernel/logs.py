"""Logging: one Loguru sink for the shop, the standard library and uvicorn,
and the access line, written once per request.

Configuring a sink is process-wide, so `create_app()` never does it: the `shop`
command and `asgi.py` call `configure_logging()`, and an application that embeds
the shop keeps whatever logging it set up itself.

The access line is the one line every request writes, so it is cheap: when the
shop configured the logging, it goes straight to the same stream as Loguru's
sink, in the same format, without a Loguru record (making and formatting one
cost ~40 µs, more than a whole request). In an app that embeds the shop it is
an ordinary Loguru record, for that app's sinks.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import sys
import time
from datetime import UTC
from typing import TYPE_CHECKING, Any, Protocol, TextIO

import orjson
from loguru import logger

if TYPE_CHECKING:
    from loguru import Message, Record

    from shop.kernel.settings import Settings

ACCESS_LOGGER = "shop.access"
_TEXT_FORMAT = (
    "<green>{time:YYYY-MM-DD HH:mm:ss.SSS}</green> <level>{level: <8}</level> "
    "<cyan>{name}</cyan> {extra[request_id]} <level>{message}</level>"
)
# The access line's text format, as Loguru's colours would render _TEXT_FORMAT at INFO.
_GREEN, _BOLD, _CYAN, _RESET = "\x1b[32m", "\x1b[1m", "\x1b[36m", "\x1b[0m"


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


class AccessLog(Protocol):
    def write(
        self,
        request_id: str,
        method: str,
        path: str,
        status: int,
        seconds: float,
        user_id: int | None,
        client: str | None,
    ) -> None: ...


def access_message(
    method: str, path: str, status: int, duration_ms: float, user_id: int | None, client: str | None
) -> str:
    """The access line's words (its path already `printable`)."""
    return f"{method} {path} {status} {duration_ms}ms user={user_id or '-'} client={client}"


def printable(text: str) -> str:
    """`text` with control characters escaped: a client's path must not start
    a line of its own in the log, or move a terminal's cursor."""
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


class LoguruAccessLog:
    """The access line as a Loguru record, its fields in `extra`."""

    def write(
        self,
        request_id: str,
        method: str,
        path: str,
        status: int,
        seconds: float,
        user_id: int | None,
        client: str | None,
    ) -> None:
        duration_ms = round(seconds * 1000, 2)
        logger.bind(
            request_id=request_id,
            method=method,
            path=path,
            status=status,
            duration_ms=duration_ms,
            user_id=user_id,
            client=client,
        ).info(access_message(method, printable(path), status, duration_ms, user_id, client))


def _one_line(record: Record) -> None:
    # Messages quote clients (a path, a header): none may start a line of its own.
    message = record["message"]
    if not message.isprintable():
        record["message"] = printable(message)


class StreamAccessLog:
    """The access line written straight to the stream of the shop's own sink.

    Lines made while the event loop runs are written together when it next
    comes round (the requests it finished meanwhile: one write, not one per
    request); elsewhere, at once.
    """

    def __init__(self, stream: TextIO, *, json: bool) -> None:
        self.stream = stream
        self.json = json
        colour = not json and stream.isatty()
        green, bold, cyan, reset = (_GREEN, _BOLD, _CYAN, _RESET) if colour else ("", "", "", "")
        self._after_time = f"{reset} {bold}INFO    {reset} {cyan}{ACCESS_LOGGER}{reset} "
        self._green, self._bold, self._reset = green, bold, reset
        self._second = -1
        self._stamp = ""
        self._pending: list[str] = []

    def write(
        self,
        request_id: str,
        method: str,
        path: str,
        status: int,
        seconds: float,
        user_id: int | None,
        client: str | None,
    ) -> None:
        duration_ms = round(seconds * 1000, 2)
        now = time.time()
        second = int(now)
        if second != self._second:  # the date and time change once a second
            self._second = second
            stamp = time.gmtime(second) if self.json else time.localtime(second)
            self._stamp = time.strftime("%Y-%m-%dT%H:%M:%S" if self.json else "%Y-%m-%d %H:%M:%S", stamp)
        shown = path if path.isprintable() else printable(path)
        if self.json:
            line = orjson.dumps(
                {
                    "time": f"{self._stamp}.{int((now - second) * 1000):03d}Z",
                    "level": "INFO",
                    "logger": ACCESS_LOGGER,
                    # access_message's words
                    "message": f"{method} {shown} {status} {duration_ms}ms user={user_id or '-'} client={client}",
                    "request_id": request_id,
                    "method": method,
                    "path": path,
                    "status": status,
                    "duration_ms": duration_ms,
                    "user_id": user_id,
                    "client": client,
                },
                option=orjson.OPT_APPEND_NEWLINE,
            ).decode()
        else:  # one f-string: this runs on every request
            line = (
                f"{self._green}{self._stamp}.{int((now - second) * 1000):03d}{self._after_time}{request_id} "
                f"{self._bold}{method} {shown} {status} {duration_ms}ms user={user_id or '-'} client={client}"
                f"{self._reset}\n"
            )
        pending = self._pending
        if not pending:
            try:
                asyncio.get_running_loop().call_soon(self.flush)
            except RuntimeError:  # no event loop: nothing will come round
                self.stream.write(line)
                return
        pending.append(line)

    def flush(self) -> None:
        lines, self._pending = self._pending, []
        self.stream.write("".join(lines))


class _JsonSink:
    """Loguru's records as flat JSON objects: what a log pipeline reads, not
    Loguru's nested record (file paths, thread ids, an icon)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __call__(self, message: Message) -> None:
        record = message.record
        line: dict[str, Any] = {
            "time": record["time"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "level": record["level"].name,
            "logger": record["name"],
            "message": record["message"],
            **record["extra"],
        }
        if record["exception"] is not None:
            # Loguru formats the traceback after the message (backtrace and diagnose as configured).
            line["exception"] = str(message)[len(record["message"]) :].strip()
        self.stream.write(orjson.dumps(line, default=str, option=orjson.OPT_APPEND_NEWLINE).decode())


# What configure_logging set up in this process, like Loguru's own sinks.
_stream_access_log: StreamAccessLog | None = None


def configure_logging(settings: Settings) -> None:
    """Route every log record of this process to one stderr sink."""
    global _stream_access_log  # process-wide, like Loguru's sinks
    logger.remove()
    logger.configure(extra={"request_id": "-"}, patcher=_one_line)
    stream = sys.stderr
    if settings.LOG_JSON:
        sink: Any = _JsonSink(stream)
        line_format = "{message}"
    else:
        sink, line_format = stream, _TEXT_FORMAT
    # diagnose would print local variables: passwords, tokens.
    logger.add(sink, level=settings.LOG_LEVEL, format=line_format, backtrace=settings.DEBUG, diagnose=False)
    _stream_access_log = StreamAccessLog(stream, json=settings.LOG_JSON)
    # Records below the level are not even made: at 0, uvicorn would also wrap
    # the app in its logger of every ASGI message (it does so when TRACE is on).
    logging.basicConfig(handlers=[InterceptHandler()], level=logger.level(settings.LOG_LEVEL).no, force=True)
    for name in ("uvicorn", "uvicorn.error", "sqlalchemy", "alembic"):
        std = logging.getLogger(name)
        std.handlers = []
        std.propagate = True
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    # uvicorn's own access line would duplicate the shop's. Without a handler
    # up its tree, uvicorn does not even format it (it would on every request).
    uvicorn_access = logging.getLogger("uvicorn.access")
    uvicorn_access.handlers = []
    uvicorn_access.propagate = False


def forget_logging() -> None:
    """Undo configure_logging's sinks (for tests that configured it)."""
    global _stream_access_log
    _stream_access_log = None
    logger.remove()
    logger.configure(extra={}, patcher=None)


def access_log(settings: Settings) -> AccessLog | None:
    """How an app writes its access lines; None when LOG_LEVEL is above INFO."""
    if logger.level(settings.LOG_LEVEL).no > logger.level("INFO").no:
        return None
    return _stream_access_log or LoguruAccessLog()
