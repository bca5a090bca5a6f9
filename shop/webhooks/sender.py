"""The sender: delivers what is due, in the background of every `shop serve`
worker (and alone in `shop deliver-webhooks`).

Each worker runs its own, side by side with the others: a delivery is sent
by whoever claimed it (shop.webhooks.store.claim), and what is left to do
lives in the deliveries table, so a restart loses nothing. At most
CONCURRENCY sends are in flight per sender, from up to CLAIMED claimed ahead;
no database transaction is open during one. Outcomes are recorded together:
those that finish while one batch is being written go in the next, so under
load a batch of sends costs two write transactions (claim, record), not one
per send. It polls every half of the retry base (between 0.05 and 1 s),
and at once again when a claim came back full. Requests never wait for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from datetime import timedelta

import httpx
from loguru import logger

from shop.events.schemas import shown
from shop.kernel import codec
from shop.kernel.clock import Clock
from shop.storage.database import Database
from shop.webhooks import retries, store
from shop.webhooks.addresses import Refused, check_resolved
from shop.webhooks.signing import EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, sign
from shop.webhooks.store import Claimed, Outcome

TIMEOUT_SECONDS = 10.0
# Longer than an attempt can take: a lease runs out only when its sender died.
LEASE = timedelta(seconds=60)
CONCURRENCY = 16
# Claimed and not yet recorded, per sender: a claim is a write transaction that queues
# behind the requests, so claim more than a round at once. Even if every receiver took
# the whole timeout, the last claimed waits CLAIMED / CONCURRENCY * 10 s = 30 s: within its lease.
CLAIMED = 3 * CONCURRENCY
MAX_ERROR = 500


def body_of(claimed: Claimed) -> bytes:
    """The event as it is sent and signed: as the feed shows it."""
    return codec.dumps(shown(claimed.event_id, claimed.event_type, claimed.event_created_at, claimed.event_data))


def _refusal(code: int) -> str | None:
    """Why an answer is not a delivery: anything but 2xx."""
    if 200 <= code < 300:
        return None
    if 300 <= code < 400:
        return f"answered HTTP {code}, a redirect (redirects are not followed)"
    return f"answered HTTP {code}"


class Sender:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        retry_base_seconds: float,
        allow_private_networks: bool,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.database = database
        self.clock = clock
        self.retry_base_seconds = retry_base_seconds
        self.allow_private_networks = allow_private_networks
        self.interval = min(1.0, max(0.05, retry_base_seconds / 2))
        self._transport = transport  # tests may answer in process
        self._client: httpx.AsyncClient | None = None
        self._task: asyncio.Task[None] | None = None
        self._sending: set[asyncio.Task[None]] = set()  # claimed, being sent or recorded
        self._in_flight = asyncio.Semaphore(CONCURRENCY)
        # Outcomes waiting for the next settling transaction, each with its sender's future.
        self._unsettled: list[tuple[Claimed, Outcome, asyncio.Future[bool]]] = []
        self._settling: asyncio.Task[None] | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            # No redirects (a 3xx is a failure: the receiver must name its own URL),
            # and no proxies from the environment: a receiver is reached directly.
            self._client = httpx.AsyncClient(
                timeout=TIMEOUT_SECONDS, follow_redirects=False, trust_env=False, transport=self._transport
            )
        return self._client

    async def _claim(self, limit: int) -> list[Claimed]:
        now = self.clock()
        if limit <= 0 or not await store.anything_due(self.database.reads, now):
            return []
        return await self.database.transaction(lambda connection: store.claim(connection, now, now + LEASE, limit))

    async def send_due(self) -> int:
        """Send everything due now, CONCURRENCY at a time, and record each
        outcome: how many attempts were made. For `--once` and tests."""
        sent = 0
        while True:
            claimed = await self._claim(CLAIMED)
            await asyncio.gather(*(self._deliver(one) for one in claimed))
            sent += len(claimed)
            if len(claimed) < CLAIMED:
                return sent

    async def _deliver(self, claimed: Claimed) -> None:
        outcome = await self._attempt(claimed)
        recorded = await self._record(claimed, outcome)
        if not recorded:  # the lease ran out and another sender took it over, or the webhook is gone
            logger.info("delivery {} was settled elsewhere; this attempt is not recorded", claimed.id)

    async def _record(self, claimed: Claimed, outcome: Outcome) -> bool:
        """Record the outcome with the others that finish meanwhile (a group commit):
        whether the claim still held. Raises what the settling transaction raised."""
        loop = asyncio.get_running_loop()
        recorded: asyncio.Future[bool] = loop.create_future()
        self._unsettled.append((claimed, outcome, recorded))
        if self._settling is None or self._settling.done():
            self._settling = loop.create_task(self._settle_unsettled(), name="shop: record webhook attempts")
        return await recorded

    async def _settle_unsettled(self) -> None:
        while self._unsettled:
            batch, self._unsettled = self._unsettled, []
            attempts = [(claimed, outcome) for claimed, outcome, _ in batch]
            try:
                held = await self.database.transaction(functools.partial(store.settle_each, attempts=attempts))
            except Exception as error:  # each sender hears it: the attempts are sent again after their leases
                for _, _, recorded in batch:
                    if not recorded.done():
                        recorded.set_exception(error)
            except BaseException:  # stopped: given up, and nobody left waiting for it
                for _, _, recorded in batch:
                    recorded.cancel()
                raise
            else:
                for (_, _, recorded), holds in zip(batch, held, strict=True):
                    if not recorded.done():
                        recorded.set_result(holds)

    async def _attempt(self, claimed: Claimed) -> Outcome:
        async with self._in_flight:  # its turn first: the timeout is the receiver's alone
            return await self._send(claimed)

    async def _send(self, claimed: Claimed) -> Outcome:
        body = body_of(claimed)
        code: int | None = None
        try:
            # 10 s in all: httpx's timeout is per step, and a receiver could drip its answer.
            async with asyncio.timeout(TIMEOUT_SECONDS):
                if not self.allow_private_networks:
                    await check_resolved(claimed.url)
                timestamp = int(self.clock().timestamp())
                headers = {
                    "Content-Type": "application/json",
                    EVENT_ID_HEADER: str(claimed.event_id),
                    EVENT_TYPE_HEADER: claimed.event_type,
                    SIGNATURE_HEADER: sign(claimed.secret, timestamp, body),
                    "User-Agent": "shop-webhooks/1",
                }
                # Streamed and never read: only the status counts, however large a body the receiver sends.
                async with self._http().stream("POST", claimed.url, content=body, headers=headers) as response:
                    code = response.status_code
            error = _refusal(code)
        except Refused as why:
            error = f"refused to send: {why}"
        except (TimeoutError, httpx.TimeoutException):
            error = f"no answer within {TIMEOUT_SECONDS:g} seconds"
        except Exception as failure:  # whatever went wrong, the attempt failed: retried, then failed
            # The exception's type and text: a connection refused, a TLS failure, a URL the
            # client cannot send to. Never the secret: it is in no URL and no exception.
            error = f"{type(failure).__name__}: {failure}" if str(failure) else type(failure).__name__
        return self._outcome(claimed, code, error)

    def _outcome(self, claimed: Claimed, code: int | None, error: str | None) -> Outcome:
        now = self.clock()
        if error is None:
            return Outcome("delivered", code, None, None, now)
        attempts = claimed.attempts + 1
        if retries.gives_up(attempts):
            return Outcome("failed", code, error[:MAX_ERROR], None, now)
        delay = timedelta(seconds=retries.delay_after(attempts, self.retry_base_seconds))
        return Outcome("pending", code, error[:MAX_ERROR], now + delay, now)

    # -- In the background ---------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="shop: deliver webhooks")

    async def stop(self) -> None:
        """Stop polling and abandon the sends in flight: their leases run out,
        and they are sent again (by this worker's successor or another)."""
        tasks = [*self._sending, *(task for task in (self._task, self._settling) if task is not None)]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for _, _, recorded in self._unsettled:  # never taken up by a settling transaction
            recorded.cancel()
        self._task = self._settling = None
        self._sending.clear()
        self._unsettled.clear()
        self._in_flight = asyncio.Semaphore(CONCURRENCY)  # a semaphore belongs to the loop it waited in
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def run_forever(self) -> None:
        """Poll and send until cancelled: `shop deliver-webhooks`."""
        try:
            await self._run()
        finally:
            await self.stop()

    async def _run(self) -> None:
        failing = False  # said once when the database goes away, once when it is back: not every poll
        while True:
            free = CLAIMED - len(self._sending)
            try:
                claimed = await self._claim(free)
            except Exception as error:  # the database away: the next poll tries again
                if not failing:
                    logger.warning(
                        "the webhook sender could not claim deliveries, and keeps trying: {}", type(error).__name__
                    )
                failing, claimed = True, []
            else:
                if failing:
                    logger.info("the webhook sender reaches the database again")
                failing = False
            for one in claimed:
                task = asyncio.get_running_loop().create_task(self._deliver_logged(one))
                self._sending.add(task)
                task.add_done_callback(self._sending.discard)
            if free > 0 and len(claimed) == free:
                continue  # a full claim: more may be due
            if self._sending and len(self._sending) >= CLAIMED:
                await asyncio.wait(self._sending, return_when=asyncio.FIRST_COMPLETED)
            else:
                await asyncio.sleep(self.interval)

    async def _deliver_logged(self, claimed: Claimed) -> None:
        try:
            await self._deliver(claimed)
        except Exception as error:  # the outcome not recorded: the lease runs out, and it is sent again
            logger.warning(
                "delivery {} could not be recorded, and will be sent again: {}", claimed.id, type(error).__name__
            )
