"""Claiming: one worker per delivery at a time, leases, per-connection limits, the breaker."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.utils import timezone

from services.delivery.claim import ClaimedDelivery, Deferred, claim
from services.models import Connection, Delivery, Submission
from tests.conftest import default_queue
from tests.portal.accounts.factories import UserFactory
from tests.services.delivery.conftest import (
    SECRET,
    make_connection,
    make_routed_version,
    submit,
)

State = Delivery.State


@pytest.fixture
def back_office(db):
    return make_connection("http://127.0.0.1:9/records")


def a_delivery(connection) -> Delivery:
    return submit(make_routed_version(connection)).deliveries.get()


def test_of_two_claims_at_the_same_moment_only_one_wins(back_office):
    delivery = a_delivery(back_office)
    now = timezone.now()

    first = claim(delivery.pk, now=now, lease_seconds=60)
    second = claim(delivery.pk, now=now, lease_seconds=60)

    assert isinstance(first, ClaimedDelivery)
    assert second is None
    delivery.refresh_from_db()
    assert delivery.state == State.IN_FLIGHT
    assert delivery.attempts == 1
    assert delivery.claim_token == first.token
    assert delivery.first_attempt_at == now
    assert delivery.lease_expires_at == now + timedelta(seconds=60)


@pytest.mark.django_db(transaction=True)
def test_racing_workers_on_separate_connections_claim_a_delivery_once():
    # Given one due delivery and eight threads, each with its own database connection (its task
    # goes to a queue no worker reads: a real worker from another test must not claim it first)
    with default_queue(f"nobody-{uuid.uuid4().hex}"):
        delivery = a_delivery(make_connection("http://127.0.0.1:9/records", max_concurrency=20))
    start = threading.Barrier(8)
    results = []
    errors = []

    def race():
        start.wait()
        try:
            results.append(claim(delivery.pk, lease_seconds=60))
        except Exception as exc:  # a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            db_connection.close()

    # When they all claim it at once
    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then exactly one holds it, and one attempt is counted
    assert errors == []
    assert sum(isinstance(r, ClaimedDelivery) for r in results) == 1
    assert results.count(None) == 7
    assert Delivery.objects.get(pk=delivery.pk).attempts == 1


def test_a_delivery_whose_lease_ran_out_can_be_claimed_again(back_office):
    delivery = a_delivery(back_office)
    now = timezone.now()
    first = claim(delivery.pk, now=now, lease_seconds=10)

    assert claim(delivery.pk, now=now + timedelta(seconds=9), lease_seconds=10) is None
    second = claim(delivery.pk, now=now + timedelta(seconds=11), lease_seconds=10)

    assert isinstance(second, ClaimedDelivery)
    assert second.token != first.token
    assert second.attempt_number == 2
    assert second.first_attempt_at == now  # the budget still counts from the first attempt


def test_delivered_cancelled_and_waiting_deliveries_are_not_claimed(back_office):
    delivery = a_delivery(back_office)
    now = timezone.now()
    for state, due_at in (
        (State.DELIVERED, now),
        (State.CANCELLED, now),
        (State.FAILED, now),
        (State.RETRYING, now + timedelta(seconds=30)),
    ):
        Delivery.objects.filter(pk=delivery.pk).update(state=state, next_attempt_at=due_at)
        assert claim(delivery.pk, now=now) is None
    assert Delivery.objects.get(pk=delivery.pk).attempts == 0


def test_a_busy_connection_defers_the_claim_without_spending_an_attempt(back_office):
    # Given a connection allowed two calls at once, and two already in flight
    Connection.objects.filter(pk=back_office.pk).update(max_concurrency=2)
    version = make_routed_version(back_office)
    first, second, third = (submit(version).deliveries.get() for _ in range(3))
    now = timezone.now()
    assert isinstance(claim(first.pk, now=now), ClaimedDelivery)
    assert isinstance(claim(second.pk, now=now), ClaimedDelivery)

    # When a third is claimed
    result = claim(third.pk, now=now)

    # Then it waits a few seconds, with no attempt counted
    assert isinstance(result, Deferred)
    assert result.reason == "busy"
    assert now < result.until <= now + timedelta(seconds=5)
    third.refresh_from_db()
    assert (third.state, third.attempts, third.next_attempt_at) == (
        State.PENDING,
        0,
        result.until,
    )
    # and a call whose lease has run out no longer counts against the limit
    later = now + timedelta(seconds=200)
    assert isinstance(claim(third.pk, now=later), ClaimedDelivery)


def test_an_open_breaker_defers_to_the_end_of_its_cooldown_without_an_attempt(back_office):
    delivery = a_delivery(back_office)
    now = timezone.now()
    reopens = now + timedelta(seconds=60)
    Connection.objects.filter(pk=back_office.pk).update(
        breaker_state="open", breaker_failures=5, breaker_open_until=reopens
    )

    result = claim(delivery.pk, now=now)

    assert result == Deferred(reopens, "breaker_open")
    delivery.refresh_from_db()
    assert delivery.attempts == 0
    assert delivery.first_attempt_at is None
    assert delivery.next_attempt_at == reopens


def test_after_the_cooldown_one_probe_goes_through_and_the_rest_wait(back_office):
    version = make_routed_version(back_office)
    probe, other = (submit(version).deliveries.get() for _ in range(2))
    now = timezone.now()
    Connection.objects.filter(pk=back_office.pk).update(
        breaker_state="open", breaker_failures=5, breaker_open_until=now
    )

    claimed = claim(probe.pk, now=now, lease_seconds=30)
    waiting = claim(other.pk, now=now, lease_seconds=30)

    assert isinstance(claimed, ClaimedDelivery)
    assert claimed.probe
    back_office.refresh_from_db()
    assert back_office.breaker_state == "half_open"
    assert waiting == Deferred(now + timedelta(seconds=2), "breaker_open")


def test_an_abandoned_delivery_deferred_by_the_breaker_goes_back_to_retrying(back_office):
    delivery = a_delivery(back_office)
    now = timezone.now()
    claim(delivery.pk, now=now, lease_seconds=10)
    later = now + timedelta(seconds=20)
    Connection.objects.filter(pk=back_office.pk).update(
        breaker_state="open", breaker_failures=5, breaker_open_until=later + timedelta(seconds=60)
    )

    assert isinstance(claim(delivery.pk, now=later), Deferred)

    delivery.refresh_from_db()
    assert delivery.state == State.RETRYING
    assert delivery.claim_token is None
    assert delivery.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_racing_claims_of_a_connections_deliveries_respect_its_limit():
    # Given a connection allowed two calls at once and eight due deliveries, each claimed by a
    # thread with its own database connection (their tasks go to a queue no worker reads)
    connection = make_connection("http://127.0.0.1:9/records", max_concurrency=2)
    with default_queue(f"nobody-{uuid.uuid4().hex}"):
        version = make_routed_version(connection)
        deliveries = [submit(version).deliveries.get() for _ in range(8)]
    start = threading.Barrier(8)
    results: list[object] = []
    errors: list[Exception] = []

    def race(delivery_id: int) -> None:
        start.wait()
        try:
            results.append(claim(delivery_id, lease_seconds=60))
        except Exception as exc:  # a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            db_connection.close()

    # When they all claim at once
    threads = [threading.Thread(target=race, args=(d.pk,)) for d in deliveries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then two are sent and the other six wait, none of them spending an attempt
    assert errors == []
    assert sum(isinstance(r, ClaimedDelivery) for r in results) == 2
    assert [r.reason for r in results if isinstance(r, Deferred)] == ["busy"] * 6
    assert Delivery.objects.filter(state=State.IN_FLIGHT).count() == 2
    assert sum(Delivery.objects.values_list("attempts", flat=True)) == 2


def loaded(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.mark.parametrize("with_account", [False, True])
def test_a_claimed_delivery_has_what_the_orm_would_load(back_office, with_account):
    # Given a delivery of a resident's submission (signed in, or not), to a connection with
    # secret options
    delivery = a_delivery(back_office)
    if with_account:
        resident = UserFactory(full_name="Rhian Jones", phone="01234 567890")
        Submission.objects.filter(pk=delivery.submission_id).update(user=resident)

    # When it is claimed
    claimed = claim(delivery.pk)

    # Then it, its submission, service, resident, destination and connection are what
    # select_related loads after the claim, field by field, secrets decrypted
    assert isinstance(claimed, ClaimedDelivery)
    expected = Delivery.objects.select_related(
        "submission__service", "submission__user", "destination", "connection"
    ).get(pk=delivery.pk)
    got = claimed.delivery
    assert loaded(got) == loaded(expected)
    assert loaded(got.submission) == loaded(expected.submission)
    assert loaded(got.submission.service) == loaded(expected.submission.service)
    assert loaded(got.destination) == loaded(expected.destination)
    assert loaded(got.connection) == loaded(expected.connection)
    assert got.connection.secrets == {"signing_secret": SECRET}
    if with_account:
        assert loaded(got.submission.user) == loaded(expected.submission.user)
    else:
        assert got.submission.user is None
    assert got.submission.form_version.pk == expected.submission.form_version_id
