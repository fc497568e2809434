"""A message whose Celery task never reached Redis is sent by the sweeper, once, by a worker."""

import time
import uuid

import pytest
from django.db import transaction

from services.delivery import tasks
from services.messages.outbox import queue_message
from services.models import OutgoingMessage
from tests.faults.conftest import free_port, publishing_to

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_message_queued_while_redis_is_gone_is_sent_later_by_the_sweeper_exactly_once(
    settings, celery_worker_process
):
    settings.DELIVERY_SWEEP_GRACE_SECONDS = 0
    # An address of this test's own: the session's worker also sends other tests' late mail
    recipient = f"resident-{uuid.uuid4().hex[:12]}@example.org"
    # Given a message committed while the broker could not be reached
    with publishing_to(f"redis://127.0.0.1:{free_port()}/0"), transaction.atomic():
        message = queue_message(
            kind="status_update",
            recipient=recipient,
            subject="Your request MC-0002 has been updated",
            body="It is done.",
        )
    assert OutgoingMessage.objects.get(pk=message.pk).state == OutgoingMessage.State.PENDING

    # When the broker is back and the sweeper runs, twice before the worker gets to it
    tasks.sweep()
    tasks.sweep()

    # Then the worker sends it, exactly once, with its Message-ID
    celery_worker_process.wait_for_mail_to(recipient)
    celery_worker_process.wait_for(
        lambda: OutgoingMessage.objects.get(pk=message.pk).state == OutgoingMessage.State.SENT,
        what="the message to be marked sent",
    )
    time.sleep(1)  # room for a second copy, were there one
    [copy] = celery_worker_process.mail_to(recipient)
    assert message.message_id in copy
    # And a later sweep queues nothing more
    tasks.sweep()
    time.sleep(1)
    assert len(celery_worker_process.mail_to(recipient)) == 1
