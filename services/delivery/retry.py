"""When to try a delivery again after a transient failure: a pure function, tested directly.

Capped exponential backoff with full jitter: after attempt n the wait is drawn uniformly from
[0, min(cap, base x 2^(n-1))], so a crowd of deliveries that failed together (a back office
restarting) spreads out instead of coming back in step. Two things bound that draw:

- never sooner than the back office's Retry-After, when it gave one;
- never later than first_attempt_at + budget: a draw past the end of the budget is pulled back to
  its last moment, for one final try; when even Retry-After points past it, or the budget is
  already spent, the answer is None: give up and tell people.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from django.conf import settings

# 2 ** 60 x any sane base is already far past any cap; a bigger exponent only risks overflow.
MAX_EXPONENT = 60


class Uniform(Protocol):
    """What the function needs of a random source: random.Random fits."""

    def uniform(self, a: float, b: float) -> float: ...


def backoff_ceiling(attempt_number: int, *, base: float, cap: float) -> float:
    """The longest wait after attempt `attempt_number` (1 for the first), in seconds."""
    exponent = min(max(attempt_number - 1, 0), MAX_EXPONENT)
    return float(min(cap, base * 2**exponent))


def next_retry(
    attempt_number: int,
    first_attempt_at: datetime,
    now: datetime,
    *,
    retry_after: float | None,
    budget: timedelta,
    rng: Uniform,
    base: float | None = None,
    cap: float | None = None,
) -> datetime | None:
    """When to try again after failed attempt `attempt_number`, or None to give up.

    `retry_after` is the back office's Retry-After in seconds (None if it gave none); `budget`
    is how long after `first_attempt_at` we keep trying (the connection's attempt budget).
    `base` and `cap` default to DELIVERY_RETRY_BASE_SECONDS and DELIVERY_RETRY_CAP_SECONDS.
    """
    if base is None:
        base = settings.DELIVERY_RETRY_BASE_SECONDS
    if cap is None:
        cap = settings.DELIVERY_RETRY_CAP_SECONDS
    deadline = first_attempt_at + budget
    if now >= deadline:
        return None
    wait = rng.uniform(0.0, backoff_ceiling(attempt_number, base=base, cap=cap))
    earliest = now + timedelta(seconds=max(retry_after or 0.0, 0.0))
    if earliest > deadline:
        return None
    return min(max(now + timedelta(seconds=wait), earliest), deadline)
