"""One attempt against the webhook simulator over loopback: outcomes, retries, idempotency."""

from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from integrations.simulators.webhook import WebhookSimulator
from services.delivery.claim import ClaimedDelivery, claim
from services.delivery.engine import attempt_claimed, attempt_delivery
from services.models import Attempt, Connection, Delivery, OutgoingMessage
from tests.services.delivery.conftest import SECRET, make_connection, make_routed_version, submit

State = Delivery.State


@pytest.fixture
def back_office(db, simulator):
    return make_connection(simulator.records_url)


def a_delivery(connection) -> Delivery:
    return submit(make_routed_version(connection)).deliveries.get()


def alerts_to(address: str) -> list[OutgoingMessage]:
    """The failure alerts in the message outbox for `address` (stored encrypted, so compared
    here rather than in the query)."""
    return [
        m for m in OutgoingMessage.objects.filter(kind="delivery_failed") if m.recipient == address
    ]


def make_due(delivery):
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def test_a_delivery_is_sent_once_and_its_reference_kept(simulator, back_office):
    delivery = a_delivery(back_office)

    result = attempt_delivery(delivery.pk)

    (record,) = simulator.records
    delivery.refresh_from_db()
    assert result.outcome == "delivered"
    assert delivery.state == State.DELIVERED
    assert delivery.external_reference == record["id"]
    assert delivery.delivered_at is not None
    assert record["idempotency_key"] == str(delivery.idempotency_key)
    assert record["data"] == {
        "reference": delivery.submission.reference,
        "bin": "garden",
        "service": delivery.submission.service.slug,
    }
    (attempt,) = delivery.attempt_set.all()
    assert (attempt.number, attempt.outcome, attempt.status_code) == (1, "delivered", "")
    back_office.refresh_from_db()
    assert back_office.last_success_at is not None


def test_a_second_task_for_a_delivered_delivery_does_nothing(simulator, back_office):
    delivery = a_delivery(back_office)
    attempt_delivery(delivery.pk)

    assert attempt_delivery(delivery.pk).outcome == "skipped"
    assert len(simulator.requests) == 1


def test_lost_response_does_not_create_second_case(simulator, back_office):
    # Given a back office that commits the record but whose answer is lost
    delivery = a_delivery(back_office)
    simulator.set_faults(drop_response=True, times=1)

    # When the delivery is attempted, and attempted again when its retry is due
    first = attempt_delivery(delivery.pk)
    delivery.refresh_from_db()
    assert first.outcome == "transient"
    assert delivery.state == State.RETRYING
    assert delivery.external_reference == ""
    make_due(delivery)
    second = attempt_delivery(delivery.pk)

    # Then the back office holds one record, and the delivery has its reference
    (record,) = simulator.records
    assert simulator.replays == 1
    delivery.refresh_from_db()
    assert second.outcome == "delivered"
    assert delivery.external_reference == record["id"]
    assert [a.outcome for a in delivery.attempt_set.all()] == ["transient", "delivered"]


def test_a_short_retry_asks_to_be_queued_again_and_a_long_one_waits_in_the_database(
    simulator, back_office, settings
):
    settings.DELIVERY_RETRY_BASE_SECONDS = 1
    delivery = a_delivery(back_office)
    simulator.set_faults(error_rate=1.0, error_status=503)

    short = attempt_delivery(delivery.pk)
    assert short.outcome == "transient"
    assert short.requeue_in is not None
    assert 0 <= short.requeue_in <= 1

    settings.DELIVERY_RETRY_BASE_SECONDS = 3600
    settings.DELIVERY_RETRY_CAP_SECONDS = 3600
    simulator.set_faults(rate_limit=600)
    make_due(delivery)
    long = attempt_delivery(delivery.pk)
    assert long.requeue_in is None


def test_429_honours_retry_after(simulator, back_office):
    delivery = a_delivery(back_office)
    simulator.set_faults(rate_limit=120, times=1)
    before = timezone.now()

    attempt_delivery(delivery.pk)

    delivery.refresh_from_db()
    assert delivery.state == State.RETRYING
    assert delivery.next_attempt_at >= before + timedelta(seconds=120)
    (attempt,) = delivery.attempt_set.all()
    assert (attempt.outcome, attempt.status_code, attempt.error_class) == (
        "transient",
        "429",
        "TransientError",
    )


def test_a_refused_submission_fails_at_once_and_tells_the_owner(
    db, django_capture_on_commit_callbacks
):
    with WebhookSimulator(SECRET, required_fields=["case_type"]) as simulator:
        connection = make_connection(simulator.records_url)
        delivery = a_delivery(connection)

        with django_capture_on_commit_callbacks(execute=True):
            result = attempt_delivery(delivery.pk)

    delivery.refresh_from_db()
    assert result.outcome == "permanent"
    assert delivery.state == State.FAILED
    assert "422" in delivery.last_error
    assert delivery.alerted_at is not None
    (message,) = alerts_to(connection.owner_email)
    assert delivery.submission.reference in message.content["subject"]
    assert "garden" not in message.content["body"]  # the answers stay out of e-mail
    (attempt,) = delivery.attempt_set.all()
    assert (attempt.outcome, attempt.status_code) == ("permanent", "422")
    # a permanent refusal is not a sign the back office is down
    connection.refresh_from_db()
    assert connection.breaker_failures == 0


def test_a_delivery_that_keeps_failing_past_its_budget_is_given_up(
    simulator, back_office, django_capture_on_commit_callbacks
):
    # Given a delivery first tried two hours ago, with a one-hour budget
    Connection.objects.filter(pk=back_office.pk).update(attempt_budget=timedelta(hours=1))
    delivery = a_delivery(back_office)
    Delivery.objects.filter(pk=delivery.pk).update(
        state=State.RETRYING,
        attempts=7,
        first_attempt_at=timezone.now() - timedelta(hours=2),
    )
    simulator.set_faults(error_rate=1.0)

    # When its next attempt fails too
    with django_capture_on_commit_callbacks(execute=True):
        result = attempt_delivery(delivery.pk)

    # Then it is failed, not retried, and the owner is told
    delivery.refresh_from_db()
    assert result.outcome == "transient"
    assert delivery.state == State.FAILED
    assert delivery.last_error.startswith("Gave up after 8 attempts")
    assert len(alerts_to(back_office.owner_email)) == 1


def test_a_mapping_that_cannot_be_applied_is_permanent(simulator, db):
    connection = make_connection(simulator.records_url)
    mapping = {"code": {"answer": "bin_type", "transforms": [{"lookup": {"general": "G1"}}]}}
    delivery = submit(make_routed_version(connection, mapping=mapping)).deliveries.get()

    attempt_delivery(delivery.pk)

    delivery.refresh_from_db()
    assert delivery.state == State.FAILED
    assert delivery.attempt_set.get().error_class == "MappingError"
    assert simulator.requests == []


def test_an_unreachable_back_office_opens_the_breaker_after_five_failures(db, settings):
    settings.DELIVERY_RETRY_BASE_SECONDS = 0.001
    connection = make_connection("http://127.0.0.1:9/records")  # nothing listens there
    version = make_routed_version(connection)
    deliveries = [submit(version).deliveries.get() for _ in range(6)]

    for delivery in deliveries[:5]:
        assert attempt_delivery(delivery.pk).outcome == "transient"
    connection.refresh_from_db()
    assert connection.breaker_state == "open"
    assert "Connection failed" in connection.last_failure_message

    # The sixth is not attempted at all while the breaker is open
    assert attempt_delivery(deliveries[5].pk).outcome == "deferred"
    assert Delivery.objects.get(pk=deliveries[5].pk).attempts == 0


def test_a_late_success_after_takeover_does_not_clobber_the_new_claim(simulator, back_office):
    # Given a worker whose lease ran out mid-call, and a second worker that took over
    delivery = a_delivery(back_office)
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=now - timedelta(seconds=400))
    stale = claim(delivery.pk, now=now - timedelta(seconds=300), lease_seconds=60)
    fresh = claim(delivery.pk, now=now, lease_seconds=60)
    assert isinstance(stale, ClaimedDelivery)
    assert isinstance(fresh, ClaimedDelivery)

    # When the first worker's call finally succeeds
    late = attempt_claimed(stale)

    # Then its attempt and the reference are kept, but the delivery stays with the new claim
    (record,) = simulator.records
    delivery.refresh_from_db()
    assert late.outcome == "delivered"
    assert delivery.state == State.IN_FLIGHT
    assert delivery.claim_token == fresh.token
    assert delivery.external_reference == record["id"]

    # and when the second worker's call returns, it finds the same record: still one
    attempt_claimed(fresh)
    delivery.refresh_from_db()
    assert delivery.state == State.DELIVERED
    assert delivery.external_reference == record["id"]
    assert len(simulator.records) == 1
    assert sorted(Attempt.objects.filter(delivery=delivery).values_list("number", flat=True)) == [
        1,
        2,
    ]


def test_a_late_failure_after_another_worker_delivered_changes_nothing(simulator, back_office):
    delivery = a_delivery(back_office)
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=now - timedelta(seconds=400))
    stale = claim(delivery.pk, now=now - timedelta(seconds=300), lease_seconds=60)
    fresh = claim(delivery.pk, now=now, lease_seconds=60)
    attempt_claimed(fresh)

    simulator.set_faults(error_rate=1.0)
    attempt_claimed(stale)

    delivery.refresh_from_db()
    assert delivery.state == State.DELIVERED
    assert delivery.attempt_set.count() == 2


def test_a_late_success_for_a_delivery_waiting_to_retry_marks_it_delivered(simulator, back_office):
    delivery = a_delivery(back_office)
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=now - timedelta(seconds=400))
    stale = claim(delivery.pk, now=now - timedelta(seconds=300), lease_seconds=60)
    fresh = claim(delivery.pk, now=now, lease_seconds=60)
    simulator.set_faults(error_rate=1.0, times=1)
    attempt_claimed(fresh)  # the takeover fails and waits to retry
    assert Delivery.objects.get(pk=delivery.pk).state == State.RETRYING

    attempt_claimed(stale)

    (record,) = simulator.records
    delivery.refresh_from_db()
    assert delivery.state == State.DELIVERED
    assert delivery.external_reference == record["id"]


def test_a_successful_delivery_costs_two_round_trips_to_the_database(simulator, back_office):
    # Given a due delivery of a form version this process has read before
    version = make_routed_version(back_office)
    attempt_delivery(submit(version).deliveries.get().pk)
    delivery = submit(version).deliveries.get()

    # When it is delivered
    with CaptureQueriesContext(db_connection) as queries:
        result = attempt_delivery(delivery.pk)

    # Then one round trip claimed and loaded it, and one recorded the attempt and its outcome
    assert result.outcome == "delivered"
    assert len(queries) == 2
    delivery.refresh_from_db()
    assert delivery.state == State.DELIVERED
    assert delivery.attempt_set.get().outcome == "delivered"
