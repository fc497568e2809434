"""The dashboard's numbers and lists, computed from deliveries and attempts in known states."""

from datetime import timedelta

import pytest
from django.utils import timezone

from services.delivery.dashboard import (
    connection_stats,
    failed_deliveries,
    failed_updates,
    latencies,
    latencies_in_python,
    percentile,
    stuck_deliveries,
    unrouted_submissions,
)
from services.models import Attempt, CaseMessage, Delivery, OutgoingUpdate
from tests.services.delivery_admin.factories import (
    AttemptFactory,
    ConnectionFactory,
    DeliveryFactory,
    DestinationFactory,
    SubmissionFactory,
)

pytestmark = pytest.mark.django_db

State = Delivery.State


def test_percentile_interpolates_between_ranks_like_percentile_cont():
    assert percentile([], 0.5) is None
    assert percentile([7], 0.95) == 7
    assert percentile([100, 200, 300, 400], 0.5) == 250
    # p95 of 1..20: position 0.95 x 19 = 18.05, between 19 and 20
    assert percentile(list(range(1, 21)), 0.95) == pytest.approx(19.05)


def test_each_connection_shows_its_counts_and_latency_over_the_last_24_hours():
    now = timezone.now()
    waste = ConnectionFactory(name="A waste", breaker_state="open", last_success_at=now)
    quiet = ConnectionFactory(name="B quiet")
    destination = DestinationFactory(connection=waste)

    def delivery(state, **extra):
        return DeliveryFactory(destination=destination, state=state, **extra)

    for _ in range(3):
        delivery(State.PENDING)
    delivery(State.IN_FLIGHT, lease_expires_at=now + timedelta(minutes=1))
    delivery(State.RETRYING)
    delivery(State.RETRYING)
    delivery(State.DELIVERED, delivered_at=now - timedelta(hours=1))
    delivery(State.DELIVERED, delivered_at=now - timedelta(hours=30))  # before the window
    delivery(State.CANCELLED)
    recent_failure = delivery(State.FAILED)
    AttemptFactory(delivery=recent_failure, started_at=now - timedelta(hours=2), duration_ms=9)
    old_failure = delivery(State.FAILED)
    AttemptFactory(delivery=old_failure, started_at=now - timedelta(hours=40), duration_ms=1)
    # Attempt latencies in the window: 10, 20, ..., 190 ms and the failure's 9 ms
    timed = delivery(State.DELIVERED, delivered_at=now)
    for number, duration in enumerate(range(10, 200, 10), start=1):
        AttemptFactory(
            delivery=timed, number=number, duration_ms=duration, started_at=now - timedelta(hours=1)
        )

    stats = {row.connection.name: row for row in connection_stats(now)}

    row = stats["A waste"]
    assert (row.pending, row.in_flight, row.retrying) == (3, 1, 2)
    assert (row.failed_open, row.failed_24h, row.delivered_24h) == (2, 1, 2)
    assert row.attempts_24h == 20
    durations = [9, *range(10, 200, 10)]
    assert row.p50_ms == pytest.approx(percentile(durations, 0.5)) == pytest.approx(95)
    assert row.p95_ms == pytest.approx(percentile(durations, 0.95)) == pytest.approx(180.5)
    assert row.connection.breaker_state == "open"
    empty = stats["B quiet"]
    assert (empty.pending, empty.failed_24h, empty.attempts_24h, empty.p50_ms) == (0, 0, 0, None)
    assert quiet.pk not in latencies(now - timedelta(hours=24))


def test_the_python_fallback_gives_the_same_percentiles_as_the_database():
    now = timezone.now()
    for connection_index in range(3):
        destination = DestinationFactory()
        for d in range(4):
            delivery = DeliveryFactory(destination=destination)
            for n in range(1, 6):
                AttemptFactory(
                    delivery=delivery,
                    number=n,
                    duration_ms=(connection_index + 1) * (d * 37 + n * 11) % 997,
                    outcome=Attempt.Outcome.TRANSIENT,
                )
    since = now - timedelta(hours=24)

    in_db, in_python = latencies(since), latencies_in_python(since)

    assert in_db.keys() == in_python.keys()
    for key, (n, p50, p95) in in_db.items():
        assert n == in_python[key][0] == 20
        assert p50 == pytest.approx(in_python[key][1])
        assert p95 == pytest.approx(in_python[key][2])


def test_the_dashboard_numbers_take_a_fixed_number_of_queries(django_assert_max_num_queries):
    now = timezone.now()
    for _ in range(5):
        destination = DestinationFactory()
        for state in State.values:
            AttemptFactory(delivery=DeliveryFactory(destination=destination, state=state))

    with django_assert_max_num_queries(3):
        assert len(connection_stats(now)) == 5


def test_the_lists_show_failed_stuck_and_unrouted():
    now = timezone.now()
    connection = ConnectionFactory(alert_after=timedelta(hours=1))
    destination = DestinationFactory(connection=connection)

    def delivery(state, age_hours=0, **extra):
        return DeliveryFactory(
            destination=destination,
            state=state,
            created_at=now - timedelta(hours=age_hours),
            **extra,
        )

    failed = delivery(State.FAILED, last_error="400 bad request")
    old_pending = delivery(State.PENDING, age_hours=2)
    old_retrying = delivery(State.RETRYING, age_hours=3)
    lost_worker = delivery(State.IN_FLIGHT, lease_expires_at=now - timedelta(seconds=5))
    fresh = [
        delivery(State.PENDING),
        delivery(State.IN_FLIGHT, lease_expires_at=now + timedelta(minutes=1)),
        delivery(State.DELIVERED, age_hours=5),
        delivery(State.CANCELLED, age_hours=5),
        delivery(State.RESOLVED, age_hours=5),
    ]
    unrouted = SubmissionFactory(
        routing_round=1,
        routing_decision={"routed": False, "destinations": [], "reasons": ["No rule matched"]},
    )
    SubmissionFactory(routing_round=1, routing_decision={"routed": True, "destinations": ["A"]})
    SubmissionFactory(routing_round=0)  # routing has not run for it (yet)

    assert list(failed_deliveries()) == [failed]
    stuck = set(stuck_deliveries(now))
    assert stuck == {old_pending, old_retrying, lost_worker}
    assert not stuck & set(fresh)
    assert list(unrouted_submissions()) == [unrouted]


def failed_update(delivery, **extra):
    message = CaseMessage.objects.create(
        submission=delivery.submission, kind=CaseMessage.Kind.REPLY, text="Still there"
    )
    return OutgoingUpdate.objects.create(
        message=message, delivery=delivery, connection=delivery.connection, **extra
    )


def test_failed_residents_updates_are_counted_per_connection_and_listed():
    now = timezone.now()
    broken, fine = ConnectionFactory(name="Broken"), ConnectionFactory(name="Fine")
    deliveries = [
        DeliveryFactory(destination=DestinationFactory(connection=broken), state=State.FAILED)
        for _ in range(2)
    ]
    ok = DeliveryFactory(destination=DestinationFactory(connection=fine), state=State.DELIVERED)
    failed = [
        failed_update(delivery, state=OutgoingUpdate.State.FAILED, last_error="410")
        for delivery in deliveries
    ]
    failed_update(ok, state=OutgoingUpdate.State.DELIVERED)
    failed_update(ok, state=OutgoingUpdate.State.RETRYING)

    with_counts = {row.connection.name: row for row in connection_stats(now)}

    assert with_counts["Broken"].failed_updates == 2
    # Counted in a subquery: the failed deliveries are not multiplied by the updates
    assert with_counts["Broken"].failed_open == 2
    assert with_counts["Fine"].failed_updates == 0
    assert list(failed_updates()) == failed[::-1]
