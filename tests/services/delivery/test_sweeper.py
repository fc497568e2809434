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
