"""When a failed delivery is tried again, and when the shop gives up.

After the k-th failed attempt the next comes base * 2^(k-1) seconds later,
times a random factor in [0.8, 1.2] so that many deliveries failed together
(a receiver down) do not all come back at once. After MAX_ATTEMPTS attempts
the delivery is `failed`: at the default base of 10 s the 13 waits add up
to 10 * (2^13 - 1) s, about 22.75 hours, so a receiver down for most of a
day still gets everything; an admin can retry a failed delivery by hand.
"""

from __future__ import annotations

import random
from collections.abc import Callable

MAX_ATTEMPTS = 14
JITTER = (0.8, 1.2)


def delay_after(attempts: int, base_seconds: float, jitter: Callable[[float, float], float] = random.uniform) -> float:
    """Seconds to wait after the `attempts`-th failed attempt (from 1)."""
    return float(base_seconds * 2 ** (attempts - 1) * jitter(*JITTER))


def gives_up(attempts: int) -> bool:
    """Whether a delivery that has failed `attempts` times is failed for good."""
    return attempts >= MAX_ATTEMPTS


def schedule(base_seconds: float) -> list[float]:
    """The waits between all attempts, without jitter: what docs/webhooks.md tabulates."""
    return [base_seconds * 2 ** (attempt - 1) for attempt in range(1, MAX_ATTEMPTS)]
