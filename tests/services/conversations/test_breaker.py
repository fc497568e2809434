"""Residents' updates and the circuit breaker: an update calls the same back office as its case's
delivery, so its transient failures count toward the connection's breaker, a permanent refusal
does not, a success closes it, and while it is open updates and deliveries alike wait without
spending an attempt. Against the real claim, engine, breaker and database."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.base import PermanentError, TransientError
from services.conversations import send, sweeper
from services.conversations.resident import reply
from services.delivery.breaker import CLOSED, HALF_OPEN, OPEN
from services.delivery.claim import ClaimedDelivery, Deferred, claim
from services.models import Connection, OutgoingUpdate, Submission
from services.staff.status import change_status
from tests.services.conversations.conftest import a_case, connection_to
from tests.services.delivery.conftest import make_routed_version, submit

pytestmark = pytest.mark.django_db

State = OutgoingUpdate.State
THRESHOLD = 3


@pytest.fixture(autouse=True)
def breaker_settings(settings):
    settings.DELIVERY_BREAKER_THRESHOLD = THRESHOLD
    settings.DELIVERY_BREAKER_COOLDOWN_SECONDS = 60.0


def replies_to(connection: Connection, officer, count: int) -> list[OutgoingUpdate]:
    """`count` residents' replies, each on its own case delivered to `connection`."""
    updates = []
    for _ in range(count):
        case = a_case(connection)
        change_status(case, officer, status=Submission.Status.NEEDS_INFORMATION, message="Which?")
        reply(case, author=None, text="That one")
        updates.append(OutgoingUpdate.objects.get(message__submission=case))
    return updates


def down(back_office, times: int) -> None:
    back_office.fail_next = [
        TransientError("Connection failed: connection refused") for _ in range(times)
    ]


def breaker_of(connection: Connection) -> tuple[str, int]:
    connection.refresh_from_db()
    return connection.breaker_state, connection.breaker_failures


def sweeper_ids(now) -> list[int]:
    queued: list[int] = []
    sweeper.sweep(now, queued.append, grace=timedelta(0))
    return queued


def test_transient_update_failures_open_the_breaker_at_the_threshold(back_office, officer):
    # Given a back office holding four cases, each with a resident's reply to send
    connection = connection_to()
    updates = replies_to(connection, officer, THRESHOLD + 1)
    down(back_office, THRESHOLD)

    # When the first replies fail for a passing reason, it counts each, closed below the threshold
    for n, update in enumerate(updates[: THRESHOLD - 1], start=1):
        assert send.send_update(update.pk).outcome == "transient"
        assert breaker_of(connection) == (CLOSED, n)

    # Then the failure at the threshold opens it, and the connection shows why
    assert send.send_update(updates[THRESHOLD - 1].pk).outcome == "transient"
    assert breaker_of(connection) == (OPEN, THRESHOLD)
    assert connection.breaker_open_until > timezone.now()
    assert connection.last_failure_message == "Connection failed: connection refused"

    # And the next reply does not reach the back office at all
    assert send.send_update(updates[THRESHOLD].pk).outcome == "deferred"
    assert len(back_office.calls) == THRESHOLD


def test_while_open_updates_and_deliveries_wait_without_spending_an_attempt(back_office, officer):
    # Given an open breaker, a reply never tried and one that failed once and waits to retry
    connection = connection_to()
    fresh, retried = replies_to(connection, officer, 2)
    # and a new case for the same back office
    delivery = submit(make_routed_version(connection)).deliveries.get()
    now = timezone.now()
    OutgoingUpdate.objects.filter(pk=retried.pk).update(
        state=State.RETRYING, attempts=1, first_attempt_at=now - timedelta(minutes=5)
    )
    reopens = now + timedelta(seconds=60)
    Connection.objects.filter(pk=connection.pk).update(
        breaker_state=OPEN, breaker_failures=THRESHOLD, breaker_open_until=reopens
    )

    # When each is tried during the cooldown
    results = [send.claim(update.pk, now, uuid.uuid4()) for update in (fresh, retried)]
    delivered = claim(delivery.pk, now=now)

    # Then each is put off to the end of the cooldown, no attempt counted, nothing sent
    assert results == [Deferred(reopens, "breaker_open")] * 2
    assert delivered == Deferred(reopens, "breaker_open")
    fresh.refresh_from_db()
    retried.refresh_from_db()
    delivery.refresh_from_db()
    assert (fresh.state, fresh.attempts, fresh.next_attempt_at) == (State.PENDING, 0, reopens)
    assert (retried.state, retried.attempts, retried.next_attempt_at) == (
        State.RETRYING,
        1,
        reopens,
    )
    assert (delivery.attempts, delivery.next_attempt_at) == (0, reopens)
    assert back_office.calls == []
    # and the sweeper queues none of them meanwhile
    assert sweeper_ids(now + timedelta(seconds=30)) == []


def test_after_the_cooldown_one_call_of_either_kind_is_the_probe(back_office, officer):
    # Given a breaker whose cooldown is over, a reply and a new case waiting for it
    connection = connection_to()
    [update] = replies_to(connection, officer, 1)
    delivery = submit(make_routed_version(connection)).deliveries.get()
    now = timezone.now()
    Connection.objects.filter(pk=connection.pk).update(
        breaker_state=OPEN, breaker_failures=THRESHOLD, breaker_open_until=now
    )
    # The sweeper offers the oldest waiting reply as a probe (and the deliveries' sweeper its own)
    assert sweeper_ids(now) == [update.pk]

    # When the reply is claimed first, it is the probe; the delivery waits for its answer
    assert send.claim(update.pk, now, uuid.uuid4()) is True
    assert breaker_of(connection)[0] == HALF_OPEN
    assert claim(delivery.pk, now=now) == Deferred(now + timedelta(seconds=2), "breaker_open")
    delivery.refresh_from_db()
    assert delivery.attempts == 0


def test_a_permanent_refusal_of_an_update_does_not_count(back_office, officer):
    # Given a back office one failure short of opening its breaker
    connection = connection_to()
    [update] = replies_to(connection, officer, 1)
    Connection.objects.filter(pk=connection.pk).update(breaker_failures=THRESHOLD - 1)
    back_office.fail_next = [PermanentError("case CASE-1 is archived", status_code=410)]

    # When it refuses a reply for good
    assert send.send_update(update.pk).outcome == "permanent"

    # Then it answered: the refusal neither counts nor clears the count
    assert breaker_of(connection) == (CLOSED, THRESHOLD - 1)
    assert connection.last_failure_message == ""


def test_a_successful_update_closes_the_breaker(back_office, officer):
    # Given a breaker opened by failed replies, its cooldown over
    connection = connection_to()
    updates = replies_to(connection, officer, THRESHOLD + 1)
    down(back_office, THRESHOLD)
    for update in updates[:THRESHOLD]:
        send.send_update(update.pk)
    assert breaker_of(connection)[0] == OPEN
    Connection.objects.filter(pk=connection.pk).update(breaker_open_until=timezone.now())

    # When the next reply, the probe, goes through
    assert send.send_update(updates[THRESHOLD].pk).outcome == "delivered"

    # Then the breaker is closed, its count cleared, and new cases go straight through
    assert breaker_of(connection) == (CLOSED, 0)
    assert connection.breaker_open_until is None
    assert connection.last_success_at is not None
    delivery = submit(make_routed_version(connection)).deliveries.get()
    claimed = claim(delivery.pk)
    assert isinstance(claimed, ClaimedDelivery)
    assert not claimed.probe


def test_a_successful_update_clears_a_count_below_the_threshold(back_office, officer):
    connection = connection_to()
    first, second = replies_to(connection, officer, 2)
    down(back_office, 1)

    assert send.send_update(first.pk).outcome == "transient"
    assert breaker_of(connection) == (CLOSED, 1)
    assert send.send_update(second.pk).outcome == "delivered"

    assert breaker_of(connection) == (CLOSED, 0)


def test_a_failure_after_the_back_office_took_part_of_an_update_does_not_count(
    back_office, officer, monkeypatch
):
    # Given a back office one failure short of opening, that takes the first part of an update
    # (its note) and then fails before the rest
    connection = connection_to()
    [update] = replies_to(connection, officer, 1)
    Connection.objects.filter(pk=connection.pk).update(breaker_failures=THRESHOLD - 1)

    def half_way(self, reference, update, idempotency_key, progress=None):
        progress.record_reference("NOTE-1")
        raise TransientError("Connection reset while sending the photo")

    monkeypatch.setattr(back_office, "send_update", half_way)

    # When the update fails after that step
    assert send.send_update(update.pk).outcome == "transient"

    # Then the back office answered, as a delivery's would have: the breaker closes, the
    # failure is still shown on the connection, and the update keeps what was done
    assert breaker_of(connection) == (CLOSED, 0)
    assert connection.last_failure_message == "Connection reset while sending the photo"
    update.refresh_from_db()
    assert (update.state, update.progress["reference"]) == (State.RETRYING, "NOTE-1")
