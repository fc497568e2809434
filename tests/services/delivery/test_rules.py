"""One claim rule: the single claim, the batch claim and the sweeper agree on every state."""

from datetime import timedelta

import pytest
from django.utils import timezone

from services.delivery import sweeper
from services.delivery.batch import claim_batch
from services.delivery.claim import ClaimedDelivery, claim
from services.models import Connection, Delivery
from tests.services.delivery.conftest import make_connection, make_routed_version, submit

State = Delivery.State
NOW = timezone.now()
PAST = NOW - timedelta(minutes=5)
FUTURE = NOW + timedelta(minutes=5)

# (state, next_attempt_at, lease_expires_at) -> may a worker claim it at NOW?
STATES = {
    "pending, its time come": ((State.PENDING, PAST, None), True),
    "pending, no time set": ((State.PENDING, None, None), True),
    "pending, its time to come": ((State.PENDING, FUTURE, None), False),
    "retrying, its time come": ((State.RETRYING, PAST, None), True),
    "retrying, its time to come": ((State.RETRYING, FUTURE, None), False),
    "in flight, its lease run out": ((State.IN_FLIGHT, None, PAST), True),
    "in flight, its lease live": ((State.IN_FLIGHT, None, FUTURE), False),
    "delivered": ((State.DELIVERED, PAST, None), False),
    "failed": ((State.FAILED, PAST, None), False),
    "cancelled": ((State.CANCELLED, PAST, None), False),
    "resolved by hand": ((State.RESOLVED, PAST, None), False),
}


@pytest.fixture
def delivery_in(db):
    """A delivery of its own connection, put in a state of STATES."""

    def make(name: str) -> Delivery:
        (state, next_attempt_at, lease_expires_at), _ = STATES[name]
        connection = make_connection("http://127.0.0.1:9/records", max_concurrency=4)
        delivery = submit(make_routed_version(connection)).deliveries.get()
        Delivery.objects.filter(pk=delivery.pk).update(
            state=state, next_attempt_at=next_attempt_at, lease_expires_at=lease_expires_at
        )
        return delivery

    return make


@pytest.mark.parametrize("name", STATES)
def test_the_single_claim_takes_exactly_the_due_states(delivery_in, name):
    # Given a delivery in this state
    delivery = delivery_in(name)

    # When a worker claims it
    result = claim(delivery.pk, now=NOW)

    # Then it is claimed if and only if the rule says it is due
    assert isinstance(result, ClaimedDelivery) is STATES[name][1]


@pytest.mark.parametrize("name", STATES)
def test_the_batch_claim_takes_exactly_the_due_states(delivery_in, name):
    # Given a delivery in this state
    delivery = delivery_in(name)

    # When the batch task claims its connection's due deliveries
    result = claim_batch(delivery.connection_id, now=NOW)

    # Then it is in the batch if and only if the rule says it is due
    claimed = [one.delivery.pk for one in result] if isinstance(result, list) else []
    assert (claimed == [delivery.pk]) is STATES[name][1]


@pytest.mark.parametrize("name", STATES)
def test_the_sweeper_queues_exactly_the_due_states(delivery_in, name):
    delivery = delivery_in(name)

    queued: list[int] = []
    sweeper.sweep(NOW, queued.append, grace=timedelta(0))

    assert (queued == [delivery.pk]) is STATES[name][1]


@pytest.mark.parametrize("name", [name for name, (_, due) in STATES.items() if due])
def test_a_due_delivery_of_a_busy_connection_is_deferred_on_both_paths(delivery_in, name):
    # Given a due delivery whose connection already has its one call in flight
    delivery = delivery_in(name)
    Connection.objects.filter(pk=delivery.connection_id).update(max_concurrency=1)
    other = submit(make_routed_version(delivery.connection)).deliveries.get()
    Delivery.objects.filter(pk=other.pk).update(state=State.IN_FLIGHT, lease_expires_at=FUTURE)

    # Then neither the single claim nor the batch claim takes it
    assert claim(delivery.pk, now=NOW).reason == "busy"
    assert claim_batch(delivery.connection_id, now=NOW) is None
    assert Delivery.objects.get(pk=delivery.pk).attempts == 0
