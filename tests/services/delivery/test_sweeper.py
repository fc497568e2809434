"""The sweeper finds what needs a worker from the database alone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from services.delivery import sweeper
from services.models import Delivery
from tests.services.delivery.conftest import make_connection, make_routed_version, submit

State = Delivery.State


@pytest.fixture
def deliveries(db):
    version = make_routed_version(make_connection("http://127.0.0.1:9/records"))
    return [submit(version).deliveries.get() for _ in range(7)]


def test_finds_what_is_due_or_abandoned_and_nothing_else(deliveries):
    now = timezone.now()
    long_ago = now - timedelta(minutes=5)
    states = [
        {"state": State.PENDING, "next_attempt_at": long_ago},  # message lost
        {"state": State.RETRYING, "next_attempt_at": long_ago},  # retry due
        {
            "state": State.IN_FLIGHT,
            "lease_expires_at": long_ago,
            "next_attempt_at": None,
        },  # dead worker
        {"state": State.PENDING, "next_attempt_at": now - timedelta(seconds=5)},  # still on its way
        {"state": State.RETRYING, "next_attempt_at": now + timedelta(minutes=5)},  # not yet
        {"state": State.IN_FLIGHT, "lease_expires_at": now + timedelta(seconds=60)},  # being sent
        {"state": State.DELIVERED, "next_attempt_at": long_ago},
    ]
    for delivery, fields in zip(deliveries, states, strict=True):
        Delivery.objects.filter(pk=delivery.pk).update(**fields)

    queued: list[int] = []
    count = sweeper.sweep(now, queued.append, grace=timedelta(seconds=30))

    assert count == 3
    assert sorted(queued) == sorted(d.pk for d in deliveries[:3])


def test_goes_through_a_backlog_in_batches(deliveries, monkeypatch):
    monkeypatch.setattr(sweeper, "BATCH_SIZE", 2)
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=5))

    queued: list[int] = []
    sweeper.sweep(timezone.now(), queued.append, grace=timedelta(seconds=30))

    assert sorted(queued) == sorted(d.pk for d in deliveries)
    assert len(queued) == len(set(queued))


def test_a_connection_cooling_down_has_none_queued_and_one_probe_when_it_is_over(db):
    now = timezone.now()
    long_ago = now - timedelta(minutes=5)
    down = make_connection("http://127.0.0.1:9/records")
    up = make_connection("http://127.0.0.1:9/records")
    waiting_down = [submit(make_routed_version(down)).deliveries.get() for _ in range(3)]
    waiting_up = submit(make_routed_version(up)).deliveries.get()
    abandoned_down = submit(make_routed_version(down)).deliveries.get()
    Delivery.objects.update(state=State.RETRYING, next_attempt_at=long_ago)
    Delivery.objects.filter(pk=abandoned_down.pk).update(
        state=State.IN_FLIGHT, lease_expires_at=long_ago, next_attempt_at=None
    )

    def swept() -> list[int]:
        queued: list[int] = []
        sweeper.sweep(now, queued.append, grace=timedelta(seconds=30))
        return sorted(queued)

    # While the breaker's cooldown runs: nothing of `down` but the dead worker's delivery.
    for state in ("open", "half_open"):
        down.breaker_state, down.breaker_open_until = state, now + timedelta(minutes=10)
        down.save()
        assert swept() == sorted([waiting_up.pk, abandoned_down.pk])

    # The cooldown over (or a probe given up for lost): the oldest one, to be the probe.
    for state in ("open", "half_open"):
        down.breaker_state, down.breaker_open_until = state, now - timedelta(seconds=1)
        down.save()
        assert swept() == sorted([waiting_up.pk, abandoned_down.pk, waiting_down[0].pk])

    # Closed again: everything that waits.
    down.breaker_state, down.breaker_open_until = "closed", None
    down.save()
    assert swept() == sorted([waiting_up.pk, abandoned_down.pk, *(d.pk for d in waiting_down)])
