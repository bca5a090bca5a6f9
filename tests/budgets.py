"""How hard the long sessions try: every budget of examples and seconds, in one place.

The defaults keep `uv run nox` inside its time on a machine of two cores, and
every case still runs. For a deep run, SHOP_TEST_DEPTH multiplies them all
(default 1): `SHOP_TEST_DEPTH=4 uv run nox -s fuzz race faults` tries four
times the examples per operation and races four times as long.
"""

from __future__ import annotations

import os


def _depth() -> float:
    raw = os.environ.get("SHOP_TEST_DEPTH", "1")
    try:
        depth = float(raw)
    except ValueError:
        depth = 0.0
    if not 0 < depth <= 1000:
        raise RuntimeError(f"SHOP_TEST_DEPTH must be a number above 0 (a multiplier), not {raw!r}")
    return depth


DEPTH = _depth()


def scaled(amount: int) -> int:
    return max(1, round(amount * DEPTH))


# Schemathesis (tests/fuzz): examples per operation in each generating phase.
FUZZ_EXAMPLES = scaled(25)

# tests/race: how long eight writers change orders while a consumer polls the feed.
# (tests/faults: the seconds of load before and between faults are DEPTH times
# what each test says.)
FEED_WRITING_SECONDS = 10 * DEPTH

# The orders state machine (Hypothesis): programs, and steps in each.
STATE_MACHINE_EXAMPLES = scaled(25)
STATE_MACHINE_STEPS = scaled(25)
