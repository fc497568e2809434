"""Batched delivery to an SFTP file drop on loopback, with real rows: one batch, each recorded."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from integrations.sftp.adapter import SFTPAdapter
from integrations.simulators.sftp import SFTPSimulator
from services.delivery.batch import (
    CACHE_KEY,
    batch_id_for,
    claim_batch,
    deliver_batches,
    is_batched,
    run_due_batches,
)
from services.models import Attempt, Delivery
from tests.services.delivery.conftest import make_connection, make_routed_version, submit

State = Delivery.State
PASSWORD = "sftp-password-123"


@pytest.fixture
def drop(tmp_path):
    with SFTPSimulator(tmp_path / "server", password=PASSWORD) as simulator:
        (simulator.root / "in").mkdir()
        yield simulator


@pytest.fixture
def file_drop(db, drop):
    """A connection to the file drop, its options saved as the admin saves them."""
    options = SFTPAdapter.validate_config(
        {
            "host": "127.0.0.1",
            "port": drop.port,
            "host_key": drop.host_key_fingerprint,
            "username": "portal",
            "password": PASSWORD,
            "directory": "in",
            "schedule_minutes": 10,
            "timeout": 5,
        }
    )
    secret = SFTPAdapter.secret_option_names()
    return make_connection(
        "",
        adapter="sftp",
        config={k: v for k, v in options.items() if k not in secret},
        secrets={k: v for k, v in options.items() if k in secret},
    )


def due_deliveries(connection, bins=("garden", "general", "garden")):
    version = make_routed_version(connection)
    return [submit(version, bin_type=bin_type).deliveries.get() for bin_type in bins]


def rows_of(drop, batch_id):
    data = drop.files()[f"in/{batch_id}.csv"].decode()
    return list(csv.DictReader(io.StringIO(data)))


def test_due_deliveries_go_in_one_batch_and_each_is_delivered_with_its_row(drop, file_drop):
    # Given three submissions routed to the file drop
    deliveries = due_deliveries(file_drop)

    # When beat's task runs
    assert deliver_batches() == 1

    # Then one data file and one manifest hold all three, and each delivery has its row
    batch_id = batch_id_for([d.pk for d in deliveries])
    assert set(drop.files()) == {f"in/{batch_id}.csv", f"in/{batch_id}.manifest.json"}
    rows = rows_of(drop, batch_id)
    assert [row["bin"] for row in rows] == ["garden", "general", "garden"]
    for number, delivery in enumerate(deliveries, start=1):
        delivery.refresh_from_db()
        assert delivery.state == State.DELIVERED
        assert delivery.external_reference == f"{batch_id}#{number}"
        assert rows[number - 1]["portal_key"] == str(delivery.idempotency_key)
        assert rows[number - 1]["reference"] == delivery.submission.reference
        (attempt,) = delivery.attempt_set.all()
        assert (attempt.number, attempt.outcome) == (1, Attempt.Outcome.DELIVERED)
    file_drop.refresh_from_db()
    assert file_drop.last_success_at is not None


def test_the_next_batch_waits_for_the_schedule(drop, file_drop):
    due_deliveries(file_drop, bins=("garden",))
    run_due_batches()
    (later,) = due_deliveries(file_drop, bins=("general",))

    assert run_due_batches() == []
    later.refresh_from_db()
    assert later.state == State.PENDING

    (result,) = run_due_batches(timezone.now() + timedelta(minutes=10))
    later.refresh_from_db()
    assert later.state == State.DELIVERED
    assert result.batch_id == batch_id_for([later.pk])


def test_a_batch_dropped_mid_upload_is_retried_under_the_same_names_and_then_delivered(
    drop, file_drop
):
    # Given the server hangs up partway through the data file
    deliveries = due_deliveries(file_drop)
    drop.set_faults(drop_after_bytes=30)

    (first,) = run_due_batches()

    # Then every delivery waits to retry, with a transient attempt, and no manifest was written
    assert first.delivered == 0
    for delivery in deliveries:
        delivery.refresh_from_db()
        assert delivery.state == State.RETRYING
        assert delivery.attempt_set.get().outcome == Attempt.Outcome.TRANSIENT
    assert not any(name.endswith("manifest.json") for name in drop.files())

    # When their retry is due and the schedule comes round, the same set is sent again
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
        next_attempt_at=timezone.now()
    )
    cache.delete(CACHE_KEY.format(file_drop.pk))
    (second,) = run_due_batches()

    # Then it is the same batch, complete, and each delivery is delivered on its second attempt
    assert second.batch_id == first.batch_id
    assert set(drop.files()) == {
        f"in/{first.batch_id}.csv",
        f"in/{first.batch_id}.manifest.json",
    }
    assert len(rows_of(drop, first.batch_id)) == 3
    for delivery in deliveries:
        delivery.refresh_from_db()
        assert delivery.state == State.DELIVERED
        assert delivery.attempts == 2


def test_a_refused_login_fails_every_delivery_in_the_batch_permanently(drop, file_drop):
    deliveries = due_deliveries(file_drop, bins=("garden", "general"))
    drop.set_faults(refuse_auth=True)

    run_due_batches()

    for delivery in deliveries:
        delivery.refresh_from_db()
        assert delivery.state == State.FAILED
        assert "refused the user name" in delivery.last_error


def test_a_batch_in_flight_keeps_a_second_run_from_claiming(drop, file_drop):
    due_deliveries(file_drop, bins=("garden",))
    claimed = claim_batch(file_drop.pk)
    assert isinstance(claimed, list)
    assert len(claimed) == 1
    due_deliveries(file_drop, bins=("general",))

    assert claim_batch(file_drop.pk) is None


def test_only_batched_adapters_are_batched(db):
    assert is_batched("sftp")
    assert not is_batched("webhook")
    assert not is_batched("no-such-adapter")


def test_a_batch_id_depends_only_on_which_deliveries_are_in_it():
    assert batch_id_for([3, 1, 2]) == batch_id_for([1, 2, 3])
    assert batch_id_for([1, 2]) != batch_id_for([1, 2, 3])


def test_the_single_delivery_path_leaves_batched_deliveries_to_the_batch_task(drop, file_drop):
    # Given a due delivery to a file drop (as the outbox queues one after every submission)
    from services.delivery.engine import attempt_delivery

    (delivery,) = due_deliveries(file_drop, bins=("garden",))

    # When a worker runs the ordinary task for it
    result = attempt_delivery(delivery.pk)

    # Then nothing is sent or failed: it waits, untouched, for the next batch
    delivery.refresh_from_db()
    assert result.outcome == "skipped"
    assert (delivery.state, delivery.attempts) == (Delivery.State.PENDING, 0)
    assert not Attempt.objects.filter(delivery=delivery).exists()
