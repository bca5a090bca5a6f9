"""What one access line costs, in process: µs per line, median of rounds.

`nox -s bench` runs it after the load test. Each line goes to a line-buffered
file, as a server's stderr does when it is redirected (one write per line); the rows that go through a Loguru
record are what an application that embeds the shop (and keeps its own Loguru
sinks) pays, and what every request paid before the line was written directly.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from loguru import logger

from shop.logs import LoguruAccessLog, StreamAccessLog, forget_logging

LINES = 20_000
ROUNDS = 5
ACCESS = ("9d97c3fb-9cfa-420a-8e6d-1a84ca0303ff", "GET", "/products/1234", 200, 0.00042, 17, "127.0.0.1")
_TEXT_FORMAT = "{time:YYYY-MM-DD HH:mm:ss.SSS} {level: <8} {name} {extra[request_id]} {message}"


def per_line(write: Callable[..., None]) -> float:
    """Median µs per call of `write(*ACCESS)` over ROUNDS rounds of LINES calls."""
    rounds = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(LINES):
            write(*ACCESS)
        rounds.append((time.perf_counter() - started) / LINES * 1e6)
    return statistics.median(rounds)


def main() -> None:
    forget_logging()
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        with (Path(folder) / "text.log").open("w", buffering=1) as stream:
            rows.append(("default (text), written directly", per_line(StreamAccessLog(stream, json=False).write)))
        with (Path(folder) / "json.log").open("w", buffering=1) as stream:
            rows.append(("LOG_JSON=true, written directly", per_line(StreamAccessLog(stream, json=True).write)))
        for name, options in (
            ("text", {"format": _TEXT_FORMAT}),
            ("JSON (Loguru's serialize)", {"serialize": True, "format": "{message}"}),
        ):
            with (Path(folder) / "loguru.log").open("w", buffering=1) as stream:
                sink = logger.add(stream, level="INFO", diagnose=False, **options)
                rows.append((f"{name}, as a Loguru record", per_line(LoguruAccessLog().write)))
                logger.remove(sink)
    print(f"\nThe access line, in process ({LINES:,} lines x {ROUNDS} rounds, median):\n")
    print("| access line | µs per request |")
    print("|---|---|")
    for name, micros in rows:
        print(f"| {name} | {micros:.2f} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
