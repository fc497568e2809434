"""The outbox of updates to back offices: claims, retries, giving up, leases and the sweeper,
with the delivery engine's rules, against a back office registered for the test."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.utils import timezone

from integrations.base import PermanentError, TransientError
from services.conversations import send, sweeper
from services.conversations.resident import reply
from services.delivery.claim import Deferred
from services.models import OutgoingUpdate, Submission
from services.staff.status import change_status
from services.staff.timeline import case_events
from tests.conftest import default_queue
from tests.services.conversations.conftest import a_case

State = OutgoingUpdate.State


def a_reply(officer, case: Submission | None = None) -> OutgoingUpdate:
    case = case or a_case()
    change_status(case, officer, status=Submission.Status.NEEDS_INFORMATION, message="Which?")
    reply(case, author=None, text="That one")
    return OutgoingUpdate.objects.get(message__submission=case)


@pytest.mark.django_db
def test_a_transient_failure_is_retried_later_with_the_same_key(back_office, officer):
    update = a_reply(officer)
    back_office.fail_next = [TransientError("the back office is restarting", status_code=503)]

    # When the first attempt fails for a passing reason
    assert send.send_update(update.pk).outcome == "transient"

    # Then it waits to retry, the attempt recorded without what the resident wrote
    update.refresh_from_db()
    assert update.state == State.RETRYING
    assert update.next_attempt_at > timezone.now() - timedelta(seconds=1)
    assert update.lease_expires_at is None
    assert update.claim_token is None
    [attempt] = update.attempt_set.all()
    assert (attempt.number, attempt.outcome, attempt.status_code) == (1, "transient", "503")
    assert "That one" not in f"{attempt.excerpt}{update.last_error}"

    # And it is not taken again before its time
    OutgoingUpdate.objects.filter(pk=update.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert send.send_update(update.pk).outcome == "skipped"

    # When its time comes, the retry carries the same key and is delivered
    OutgoingUpdate.objects.filter(pk=update.pk).update(next_attempt_at=timezone.now())
    assert send.send_update(update.pk).outcome == "delivered"
    assert back_office.calls == [str(update.idempotency_key)] * 2
    update.refresh_from_db()
    assert (update.state, update.attempts) == (State.DELIVERED, 2)


@pytest.mark.django_db
def test_a_permanent_failure_stops_and_staff_see_it_on_the_case(back_office, officer):
    update = a_reply(officer)
    back_office.fail_next = [PermanentError("case CASE-1 is archived", status_code=410)]

    assert send.send_update(update.pk).outcome == "permanent"

    update.refresh_from_db()
    assert (update.state, update.next_attempt_at) == (State.FAILED, None)
    assert update.last_error == "case CASE-1 is archived"
    assert send.send_update(update.pk).outcome == "skipped"
    lines = [line for event in case_events(update.message.submission) for line in event.lines]
    assert "Not sent to Back office 1: case CASE-1 is archived" in lines


@pytest.mark.django_db
def test_when_the_budget_is_spent_it_gives_up(back_office, officer):
    update = a_reply(officer)
    update.connection.attempt_budget = timedelta(seconds=0)
    update.connection.save()
    back_office.fail_next = [TransientError("still down")]

    assert send.send_update(update.pk).outcome == "transient"

    update.refresh_from_db()
    assert update.state == State.FAILED
    assert update.last_error.startswith("Gave up after 1 attempts")


@pytest.mark.django_db
def test_an_abandoned_update_is_taken_over_and_the_old_claim_records_nothing(back_office, officer):
    update = a_reply(officer)
    now = timezone.now()
    old_token = uuid.uuid4()
    assert send.claim(update.pk, now, old_token)
    # Its worker died mid-call: the lease runs out
    OutgoingUpdate.objects.filter(pk=update.pk).update(lease_expires_at=now)
    assert update.pk in sweeper_ids(now + timedelta(seconds=1))

    # Another worker takes it over and delivers it, as a resend
    assert send.send_update(update.pk).outcome == "delivered"
    # The first worker, back at last, cannot record its outcome over it
    stale = OutgoingUpdate.objects.select_related("connection").get(pk=update.pk)
    send._record(stale, old_token, send._Try("transient", error_class="Late"), now, 5)
    update.refresh_from_db()
    assert (update.state, update.attempts) == (State.DELIVERED, 2)
    assert list(update.attempt_set.values_list("outcome", flat=True)) == ["delivered"]


def sweeper_ids(now, grace=timedelta(0)) -> list[int]:
    queued: list[int] = []
    sweeper.sweep(now, queued.append, grace=grace)
    return queued


@pytest.mark.django_db
def test_the_sweeper_queues_due_updates_of_delivered_cases_only(back_office, officer):
    # Given an update due now, one waiting for its retry time, and one whose case is not
    # delivered yet
    due = a_reply(officer)
    later = a_reply(officer)
    OutgoingUpdate.objects.filter(pk=later.pk).update(
        state=State.RETRYING, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    waiting = a_reply(officer, a_case(deliver=False))
    now = timezone.now() + timedelta(seconds=1)

    # Then the sweeper queues the due one only
    assert sweeper_ids(now) == [due.pk]
    # and leaves alone what became due within the grace (its own task is on its way)
    assert sweeper_ids(now, grace=timedelta(minutes=1)) == []
    assert waiting.state == State.PENDING


@pytest.mark.django_db(transaction=True)
def test_racing_workers_on_separate_connections_claim_an_update_once(back_office):
    from django.contrib.auth import get_user_model

    officer = get_user_model().objects.create_user(email="officer@council.example")
    with default_queue(f"nobody-{uuid.uuid4().hex}"):
        update = a_reply(officer)
    start = threading.Barrier(8)
    results: list[bool | Deferred] = []
    errors: list[Exception] = []

    def race() -> None:
        start.wait()
        try:
            results.append(send.claim(update.pk, timezone.now(), uuid.uuid4()))
        except Exception as exc:  # a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            db_connection.close()

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert results.count(True) == 1
    assert OutgoingUpdate.objects.get(pk=update.pk).attempts == 1
