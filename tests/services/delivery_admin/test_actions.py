"""Retry now, cancel and mark resolved: what each allows, what it refuses, and who did it."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from services.delivery.actions import ActionRefused, cancel, mark_resolved, retry_now
from services.models import Delivery
from tests.services.delivery_admin.factories import DeliveryFactory

pytestmark = pytest.mark.django_db

State = Delivery.State


def make(state, *, lease=None, **extra):
    now = timezone.now()
    if lease == "live":
        extra["lease_expires_at"] = now + timedelta(minutes=2)
    elif lease == "expired":
        extra["lease_expires_at"] = now - timedelta(minutes=2)
    return DeliveryFactory(state=state, **extra)


def snapshot(delivery):
    delivery.refresh_from_db()
    return (
        delivery.state,
        delivery.next_attempt_at,
        delivery.resolution_note,
        delivery.resolved_by_id,
        delivery.alerted_at,
    )


@pytest.mark.parametrize(
    ("state", "lease"),
    [
        (State.PENDING, None),
        (State.RETRYING, None),
        (State.FAILED, None),
        (State.IN_FLIGHT, "expired"),
    ],
)
def test_retry_now_makes_the_delivery_due_now_and_queues_it(
    state, lease, service_admin, django_capture_on_commit_callbacks, monkeypatch
):
    # Given a delivery that is not done and that no worker holds
    queued = []
    monkeypatch.setattr("services.delivery.outbox.queue_deliveries", lambda ids: queued.extend(ids))
    delivery = make(
        state,
        lease=lease,
        next_attempt_at=timezone.now() + timedelta(hours=3),
        alerted_at=timezone.now(),
        first_attempt_at=timezone.now() - timedelta(days=2),
        attempts=7,
        last_error="503 from the back office",
    )
    before = timezone.now()

    # When a service admin chooses "Retry now"
    with django_capture_on_commit_callbacks(execute=True):
        retry_now(delivery, service_admin, "back office is up again")

    # Then it is pending and due now, queued after commit, and its history says who and why
    delivery.refresh_from_db()
    assert delivery.state == State.PENDING
    assert before <= delivery.next_attempt_at <= timezone.now()
    assert delivery.claim_token is None
    assert delivery.lease_expires_at is None
    assert queued == [delivery.pk]
    entry = LogEntry.objects.get(object_id=str(delivery.pk))
    assert entry.user == service_admin
    assert "Retry now" in entry.change_message
    assert "back office is up again" in entry.change_message
    # A failed delivery gets a fresh attempt budget and will be alerted about again
    if state == State.FAILED:
        assert delivery.first_attempt_at is None
        assert delivery.alerted_at is None
    else:
        assert delivery.first_attempt_at is not None
        assert delivery.alerted_at is not None


@pytest.mark.parametrize(
    ("state", "lease", "message"),
    [
        (State.DELIVERED, None, "already been delivered (back-office reference WST-1)"),
        (State.CANCELLED, None, "was cancelled"),
        (State.RESOLVED, None, "already resolved by hand"),
        (State.IN_FLIGHT, "live", "being sent right now"),
    ],
)
@pytest.mark.parametrize("action", ["retry", "cancel", "resolve"])
def test_every_action_refuses_a_finished_or_busy_delivery_and_changes_nothing(
    state, lease, message, action, service_admin, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr("services.delivery.outbox.queue_deliveries", lambda ids: queued.extend(ids))
    delivery = make(state, lease=lease, external_reference="WST-1" if state == "delivered" else "")
    before = snapshot(delivery)
    do = {
        "retry": lambda: retry_now(delivery, service_admin),
        "cancel": lambda: cancel(delivery, service_admin, "not needed"),
        "resolve": lambda: mark_resolved(delivery, service_admin, "sent by hand on 3 March"),
    }[action]

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ActionRefused) as refused:
        do()

    assert message in refused.value.message
    assert refused.value.message.startswith("Cannot ")
    assert snapshot(delivery) == before
    assert queued == []
    assert not LogEntry.objects.exists()


@pytest.mark.parametrize(
    ("state", "lease"),
    [
        (State.PENDING, None),
        (State.RETRYING, None),
        (State.FAILED, None),
        (State.IN_FLIGHT, "expired"),
    ],
)
@pytest.mark.parametrize(
    ("do", "result"), [(cancel, State.CANCELLED), (mark_resolved, State.RESOLVED)]
)
def test_cancel_and_mark_resolved_close_the_delivery_recording_who_and_why(
    state, lease, do, result, service_admin
):
    delivery = make(state, lease=lease, claim_token="6f1c8a36-9a43-4e0c-8d51-1b3f0f0f0f0f")

    do(delivery, service_admin, "  sent by hand on 3 March  ")

    delivery.refresh_from_db()
    assert delivery.state == result
    assert delivery.resolution_note == "sent by hand on 3 March"
    assert delivery.resolved_by == service_admin
    assert delivery.next_attempt_at is None
    # A worker whose lease ran out can no longer record an outcome over this one
    assert delivery.claim_token is None
    entry = LogEntry.objects.get(object_id=str(delivery.pk))
    assert entry.user == service_admin
    assert "sent by hand on 3 March" in entry.change_message


@pytest.mark.parametrize("do", [cancel, mark_resolved])
@pytest.mark.parametrize("note", ["", "   ", None, "x" * 2001])
def test_cancel_and_mark_resolved_need_a_sensible_note(do, note, service_admin):
    delivery = make(State.FAILED)
    before = snapshot(delivery)

    with pytest.raises(ActionRefused) as refused:
        do(delivery, service_admin, note)

    assert "note" in refused.value.message.lower()
    assert snapshot(delivery) == before


def test_an_action_on_a_delivery_that_is_gone_is_refused_clearly(service_admin):
    with pytest.raises(ActionRefused, match="no longer exists"):
        retry_now(999_999, service_admin)
    with pytest.raises(ActionRefused, match="no longer exists"):
        cancel(999_999, service_admin, "why")


def test_the_action_sees_the_state_in_the_database_not_a_stale_copy(service_admin):
    # Given a copy read while the delivery was failed, and a worker that delivered it since
    delivery = make(State.FAILED)
    stale = Delivery.objects.get(pk=delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(state=State.DELIVERED)

    # Then cancelling through the stale copy is refused
    with pytest.raises(ActionRefused, match="already been delivered"):
        cancel(stale, service_admin, "not needed")
    assert Delivery.objects.get(pk=delivery.pk).state == State.DELIVERED
