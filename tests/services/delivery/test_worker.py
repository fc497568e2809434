"""A real Celery worker process delivers a real submission to the simulator over loopback."""

import pytest

from services.models import Delivery
from tests.services.delivery.conftest import make_connection, make_routed_version, submit

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_submission_is_delivered_by_the_worker(simulator, delivery_worker):
    # Given a form routed to two back-office connections
    version = make_routed_version(
        make_connection(simulator.records_url), make_connection(simulator.records_url)
    )

    # When a resident sends it (the tasks are queued on commit, to the worker's queue)
    submission = submit(version)

    # Then the worker delivers each once, and the references are the simulator's
    def delivered():
        return not submission.deliveries.exclude(state=Delivery.State.DELIVERED).exists()

    delivery_worker.wait_for(delivered, timeout=30, what="both deliveries")
    records = {r["idempotency_key"]: r for r in simulator.records}
    assert len(records) == len(simulator.records) == 2
    for delivery in submission.deliveries.all():
        record = records[str(delivery.idempotency_key)]
        assert delivery.external_reference == record["id"]
        assert record["data"]["reference"] == submission.reference
