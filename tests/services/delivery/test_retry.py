"""The retry decision as a plain function: no database, no Celery, no HTTP."""

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.delivery.retry import backoff_ceiling, next_retry

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


class Fixed:
    """A random source that always draws the same fraction of the range."""

    def __init__(self, fraction):
        self.fraction = fraction

    def uniform(self, a, b):
        return a + (b - a) * self.fraction


def retry(n, now, *, retry_after=None, budget=DAY, fraction=1.0, base=30, cap=3600):
    return next_retry(
        n,
        T0,
        now,
        retry_after=retry_after,
        budget=budget,
        rng=Fixed(fraction),
        base=base,
        cap=cap,
    )


def test_the_longest_wait_doubles_from_the_base_until_the_cap():
    waits = [backoff_ceiling(n, base=30, cap=3600) for n in range(1, 10)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_the_wait_is_drawn_between_nothing_and_the_longest_wait():
    assert retry(3, T0, fraction=1.0) == T0 + timedelta(seconds=120)
    assert retry(3, T0, fraction=0.25) == T0 + timedelta(seconds=30)
    assert retry(3, T0, fraction=0.0) == T0


def test_retry_after_is_honoured_even_when_the_draw_is_shorter():
    assert retry(1, T0, retry_after=600, fraction=0.1) == T0 + timedelta(seconds=600)


def test_a_draw_past_the_budget_is_pulled_back_for_one_last_try():
    now = T0 + DAY - timedelta(seconds=100)
    assert retry(9, now, fraction=1.0) == T0 + DAY


def test_gives_up_when_the_budget_is_spent():
    assert retry(40, T0 + DAY) is None
    assert retry(40, T0 + DAY + timedelta(seconds=1)) is None


def test_gives_up_when_retry_after_points_past_the_budget():
    now = T0 + DAY - timedelta(minutes=5)
    assert retry(2, now, retry_after=600, fraction=0.0) is None


def test_huge_attempt_numbers_do_not_overflow():
    assert retry(10_000, T0, fraction=1.0) == T0 + timedelta(seconds=3600)


def test_settings_give_the_defaults(settings):
    settings.DELIVERY_RETRY_BASE_SECONDS = 2
    settings.DELIVERY_RETRY_CAP_SECONDS = 5
    when = next_retry(9, T0, T0, retry_after=None, budget=DAY, rng=Fixed(1.0))
    assert when == T0 + timedelta(seconds=5)


attempts = st.integers(min_value=1, max_value=200)
seconds = st.floats(min_value=0, max_value=3 * 86400, allow_nan=False)
retry_afters = st.none() | st.floats(min_value=0, max_value=7200, allow_nan=False)
budgets = st.integers(min_value=1, max_value=3 * 86400).map(lambda s: timedelta(seconds=s))


@given(attempts, seconds, retry_afters, budgets, st.integers())
def test_never_before_retry_after_and_never_after_the_budget(n, elapsed, retry_after, budget, seed):
    now = T0 + timedelta(seconds=elapsed)
    when = next_retry(
        n,
        T0,
        now,
        retry_after=retry_after,
        budget=budget,
        rng=random.Random(seed),
        base=30,
        cap=3600,
    )
    if when is None:
        # Giving up is only right when the budget leaves no room for Retry-After.
        assert now + timedelta(seconds=retry_after or 0) > T0 + budget or now >= T0 + budget
        return
    assert when >= now
    assert when <= T0 + budget
    if retry_after is not None:
        assert when >= now + timedelta(seconds=retry_after)
    else:
        assert when <= now + timedelta(seconds=3600)


@given(attempts, st.floats(min_value=0.1, max_value=120), st.floats(min_value=1, max_value=7200))
def test_the_longest_wait_never_shrinks_and_never_passes_the_cap(n, base, cap):
    first = backoff_ceiling(n, base=base, cap=cap)
    second = backoff_ceiling(n + 1, base=base, cap=cap)
    assert first <= second <= cap
