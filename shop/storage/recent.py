"""Values read recently from the database, kept for a moment.

A value is reused for at most `ttl` seconds, and never after a write that went
through the same `Database` (each write moves its `Writes` on); writes made
by other processes show within `ttl`. A value read while a write ran is not
kept: the read notes the count of writes before it starts.

When a value runs out, the callers that want it then share one read, made
by the first of them in its own task (on its own connection or session):
under load dozens arrive in the same few milliseconds, and counting a
million rows once for each of them stalled every reader for most of a
second (the bench's p99 at 1,000,000 products).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable


class Writes:
    """Counts the write transactions of one `Database`."""

    def __init__(self) -> None:
        self.count = 0

    def happened(self) -> None:
        self.count += 1


class Recent[V]:
    def __init__(self, writes: Writes, ttl: float = 1.0, max_entries: int = 4096) -> None:
        self.writes = writes
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[Hashable, tuple[int, float, V]] = {}
        self._reading: dict[Hashable, asyncio.Future[V]] = {}

    async def get(self, key: Hashable, read: Callable[[], Awaitable[V]]) -> V:
        """The value remembered for `key`, else what `read()` gives (and keep it)."""
        entry = self._entries.get(key)
        if entry is not None and entry[0] == self.writes.count and entry[1] >= time.monotonic():
            return entry[2]
        while (shared := self._reading.get(key)) is not None:
            try:
                # Shielded: this caller going away must not cancel the others' read.
                return await asyncio.shield(shared)
            except asyncio.CancelledError:
                if not shared.cancelled():
                    raise  # this caller itself is being cancelled
                # The one reading failed or went away: the next one reads.
        future = self._reading[key] = asyncio.get_running_loop().create_future()
        try:
            before = self.writes.count
            value = await read()
        except BaseException:
            future.cancel()
            raise
        finally:
            if self._reading.get(key) is future:
                del self._reading[key]
        future.set_result(value)
        if before == self.writes.count:  # else a write ran meanwhile: the value may be old already
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (before, time.monotonic() + self.ttl, value)
        return value
