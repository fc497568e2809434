"""The outbox: deliveries are written with the submission and queued on Redis only after commit."""

import base64
import json
import uuid

import pytest
import redis
from django.conf import settings
from django.db import transaction

from services.models import Delivery, Draft, Submission
from services.submissions import submit_draft
from tests.conftest import default_queue
from tests.services.delivery.conftest import make_connection, make_routed_version, submit
from tests.services.factories import FormVersionFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queue():
    """A queue of this test's own on the test Redis, and what has been put on it."""
    name = f"outbox-test-{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    with default_queue(name):
        yield lambda: [
            _task_argument(raw) for raw in client.lrange(name, 0, -1) if _is_delivery(raw)
        ]
    client.delete(name)


def _is_delivery(raw: bytes) -> bool:
    # The acknowledgement e-mail's send_message task shares the queue.
    return json.loads(raw)["headers"]["task"] == "services.delivery.tasks.deliver"


def _task_argument(raw: bytes) -> int:
    args, _kwargs, _embed = json.loads(base64.b64decode(json.loads(raw)["body"]))
    return args[0]


def test_a_submission_and_its_deliveries_are_written_together_and_queued_once(queue):
    first = make_connection("http://127.0.0.1:9/a")
    second = make_connection("http://127.0.0.1:9/b")
    version = make_routed_version(first, second)

    submission = submit(version)

    deliveries = list(submission.deliveries.order_by("pk"))
    assert [d.connection_id for d in deliveries] == [first.pk, second.pk]
    assert all(d.state == Delivery.State.PENDING and d.routing_round == 1 for d in deliveries)
    assert len({d.idempotency_key for d in deliveries}) == 2
    submission.refresh_from_db()
    assert submission.routing_round == 1
    assert submission.routing_decision["routed"] is True
    assert submission.routing_decision["destination_ids"] == [d.destination_id for d in deliveries]
    assert sorted(queue()) == [d.pk for d in deliveries]


def test_nothing_is_queued_before_commit_or_after_a_rollback(queue):
    version = make_routed_version(make_connection("http://127.0.0.1:9/a"))
    draft = Draft.objects.create(form_version=version, answers={"bin_type": "garden"})

    seen_inside = []

    def submit_then_fail():
        with transaction.atomic():
            submit_draft(draft, user=None, contact_email="r@example.org", language="en")
            seen_inside.append((Delivery.objects.count(), queue()))
            raise RuntimeError("the request failed after submitting")

    with pytest.raises(RuntimeError):
        submit_then_fail()

    assert seen_inside == [(1, [])]  # written inside the transaction, not queued

    assert not Submission.objects.exists()
    assert not Delivery.objects.exists()
    assert queue() == []


def test_a_submission_no_rule_routes_is_recorded_as_not_routed(queue):
    version = FormVersionFactory(number=1)  # a form with no routing rules at all

    submission = submit(version)

    submission.refresh_from_db()
    assert submission.routing_decision["routed"] is False
    assert submission.routing_decision["reasons"]
    assert submission.routing_round == 1
    assert not submission.deliveries.exists()
    assert queue() == []
