"""The expiry sweep, in the background of every `shop serve` worker.

Each worker runs its own, side by side with the others: an order expires in
one conditional write (shop.orders.store.expire), so two sweeps never expire
one order twice, and what is left to do lives in the orders table, so a
restart loses nothing. A sweep runs every quarter of the time to live (at
least every 15 s, at most every 0.25 s), so an order expires within a
fraction of its time to live after its deadline.
"""

from __future__ import annotations

import asyncio
import contextlib

from loguru import logger

from shop.kernel.clock import Clock
from shop.orders.service import expire_unpaid
from shop.storage.database import Database


class Sweeper:
    def __init__(self, database: Database, clock: Clock, ttl_seconds: int, currency: str) -> None:
        self.database = database
        self.currency = currency
        self.clock = clock
        self.ttl_seconds = ttl_seconds
        self.interval = min(max(ttl_seconds / 4, 0.25), 15.0)
        self._task: asyncio.Task[None] | None = None

    async def sweep_once(self) -> int:
        """Expire what is overdue now: how many orders expired."""
        if self.ttl_seconds <= 0:
            return 0
        expired = await expire_unpaid(self.database, self.clock(), self.ttl_seconds, currency=self.currency)
        if expired:
            logger.info("{} unpaid order(s) expired", expired)
        return expired

    def start(self) -> None:
        if self.ttl_seconds > 0 and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="shop: expire unpaid orders")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.sweep_once()
            except Exception as error:  # the database away: the next sweep tries again
                logger.warning("the expiry sweep failed, and will try again: {}", type(error).__name__)
