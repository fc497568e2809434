"""A message whose Celery task never reached Redis is sent by the sweeper, once, by a worker."""

import time

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
    # Given a message committed while the broker could not be reached
    with publishing_to(f"redis://127.0.0.1:{free_port()}/0"), transaction.atomic():
        message = queue_message(
            kind="status_update",
            recipient="resident@example.org",
            subject="Your request MC-0002 has been updated",
            body="It is done.",
        )
    assert OutgoingMessage.objects.get(pk=message.pk).state == OutgoingMessage.State.PENDING

    # When the broker is back and the sweeper runs, twice before the worker gets to it
    tasks.sweep()
    tasks.sweep()

    # Then the worker sends it, exactly once, with its Message-ID
    mail = celery_worker_process.wait_for_mail()
    celery_worker_process.wait_for(
        lambda: OutgoingMessage.objects.get(pk=message.pk).state == OutgoingMessage.State.SENT,
        what="the message to be marked sent",
    )
    time.sleep(1)  # room for a second copy, were there one
    mail += [path.read_text() for path in celery_worker_process.new_mail()]
    copies = [text for text in mail if message.message_id in text]
    assert len(copies) == 1
    assert "To: resident@example.org" in copies[0]
    # And a later sweep queues nothing more
    tasks.sweep()
    time.sleep(1)
    assert celery_worker_process.new_mail() == []
