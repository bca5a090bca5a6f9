"""What one access line costs, in process: µs per line, median of rounds.

`nox -s bench` runs it after the load test. Each line goes to a line-buffered
file, as a server's stderr does when it is redirected (one write per line); the rows that go through a Loguru
record are what an application that embeds the shop (and keeps its own Loguru
sinks) pays, and what every request paid before the line was written directly.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from loguru import logger

from shop.kernel.logs import LoguruAccessLog, StreamAccessLog, forget_logging

LINES = 20_000
ROUNDS = 5
ACCESS = ("9d97c3fb-9cfa-420a-8e6d-1a84ca0303ff", "GET", "/products/1234", 200, 0.00042, 17, "127.0.0.1")
_TEXT_FORMAT = "{time:YYYY-MM-DD HH:mm:ss.SSS} {level: <8} {name} {extra[request_id]} {message}"


def per_line(write: Callable[..., None], per_turn: int | None = None) -> float:
    """Median µs per call of `write(*ACCESS)` over ROUNDS rounds of LINES calls;
    with `per_turn`, inside an event loop that comes round after that many
    requests (as a server's does: the shop writes a turn's lines at once)."""

    async def in_turns() -> None:
        assert per_turn is not None
        for start in range(0, LINES, per_turn):
            for _ in range(min(per_turn, LINES - start)):
                write(*ACCESS)
            await asyncio.sleep(0)

    rounds = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        if per_turn is None:
            for _ in range(LINES):
                write(*ACCESS)
        else:
            asyncio.run(in_turns())
        rounds.append((time.perf_counter() - started) / LINES * 1e6)
    return statistics.median(rounds)


def _nothing(*_: object) -> None:
    pass


def main() -> None:
    forget_logging()
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        for name, json in (("default (text)", False), ("LOG_JSON=true", True)):
            for per_turn, turns in ((1, "one request per loop turn"), (32, "32 requests per loop turn")):
                with (Path(folder) / "shop.log").open("w", buffering=1) as stream:
                    line = StreamAccessLog(stream, json=json)
                    # Less the loop's own turns: what the line adds to a request.
                    cost = per_line(line.write, per_turn) - per_line(_nothing, per_turn)
                    rows.append((f"{name}, written directly, {turns}", cost))
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
