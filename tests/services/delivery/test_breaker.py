"""The circuit breaker's transitions as plain functions."""

from datetime import UTC, datetime, timedelta

from services.delivery.breaker import (
    CLOSED,
    HALF_OPEN,
    OPEN,
    BreakerState,
    admit,
    after_failure,
    after_success,
    cooldown_for,
)

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
MINUTE = timedelta(seconds=60)
LEASE = timedelta(seconds=120)


def fail(state, now=T0):
    return after_failure(state, now, threshold=5, cooldown=MINUTE)


def test_stays_closed_below_the_threshold_and_opens_at_it():
    state = BreakerState(CLOSED)
    for _ in range(4):
        state = fail(state)
        assert state.state == CLOSED
    state = fail(state)
    assert state == BreakerState(OPEN, 5, T0 + MINUTE)


def test_an_open_breaker_defers_claims_to_the_end_of_the_cooldown():
    state = BreakerState(OPEN, 5, T0 + MINUTE)
    admission = admit(state, T0 + timedelta(seconds=10), probe_timeout=LEASE)
    assert not admission.allowed
    assert admission.defer_until == T0 + MINUTE


def test_after_the_cooldown_one_probe_goes_through_and_others_wait_for_it():
    state = BreakerState(OPEN, 5, T0 + MINUTE)
    probe = admit(state, T0 + MINUTE, probe_timeout=LEASE)
    assert probe.allowed
    assert probe.probe
    assert probe.state == BreakerState(HALF_OPEN, 5, T0 + MINUTE + LEASE)

    other = admit(probe.state, T0 + MINUTE + timedelta(seconds=1), probe_timeout=LEASE)
    assert not other.allowed
    # they look again a moment later rather than at the end of the probe's lease
    assert other.defer_until == T0 + MINUTE + timedelta(seconds=3)


def test_a_lost_probe_is_replaced_once_its_lease_is_over():
    state = BreakerState(HALF_OPEN, 5, T0)
    assert admit(state, T0, probe_timeout=LEASE).probe


def test_a_successful_probe_closes_the_breaker():
    assert after_success(BreakerState(HALF_OPEN, 7, T0)) == BreakerState(CLOSED)


def test_a_failed_probe_opens_it_again_for_twice_as_long():
    state = fail(BreakerState(HALF_OPEN, 5, T0))
    assert state == BreakerState(OPEN, 6, T0 + 2 * MINUTE)
    state = fail(BreakerState(HALF_OPEN, 6, T0))
    assert state == BreakerState(OPEN, 7, T0 + 4 * MINUTE)


def test_the_cooldown_never_passes_fifteen_minutes():
    assert cooldown_for(100, threshold=5, cooldown=MINUTE) == timedelta(minutes=15)


def test_late_failures_while_open_do_not_lengthen_the_cooldown():
    state = BreakerState(OPEN, 5, T0 + MINUTE)
    assert fail(state, T0 + timedelta(seconds=30)) == state


def test_closed_admits_everything():
    admission = admit(BreakerState(CLOSED, 3), T0, probe_timeout=LEASE)
    assert admission.allowed
    assert not admission.probe
