"""Real Celery worker processes send a resident's reply with a photo to the webhook simulator
over loopback: once, even when the back office's answer to the first attempt is lost, the task
runs twice, and the sweeper queues it again."""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from services.conversations.ask import ask_resident
from services.conversations.outbox import queue_updates
from services.conversations.resident import StoredFile, reply
from services.conversations.sweeper import sweep
from services.conversations.tasks import send_update
from services.models import Delivery, OutgoingUpdate, SubmissionFile
from tests.conftest import default_queue, start_celery_worker, stop_worker
from tests.file_samples import jpeg_bytes, stored_upload
from tests.services.delivery.conftest import (
    make_connection,
    make_routed_version,
    submit,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# Retries within a second or two, so a lost answer is retried while the test waits.
WORKER_ENV = {"DELIVERY_RETRY_BASE_SECONDS": "0.5", "DELIVERY_RETRY_CAP_SECONDS": "1"}


@pytest.fixture(scope="module")
def update_worker(django_db_setup):
    queue = f"updates-test-{uuid.uuid4().hex[:8]}"
    workdir = Path(tempfile.mkdtemp(prefix="updates-worker-"))
    with default_queue(queue):
        worker = start_celery_worker(queue, workdir=workdir, concurrency=2, env=WORKER_ENV)
        try:
            yield worker, workdir
        finally:
            stop_worker(worker)
            shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def shared_storage(update_worker, settings):
    """Uploads stored where the worker reads them: the private storage of its VAR_DIR."""
    _, workdir = update_worker
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(workdir / "var" / "private")},
        },
    }
    from django.core.files.storage import default_storage

    return default_storage


def test_a_reply_with_a_photo_reaches_the_back_office_once(
    simulator, update_worker, shared_storage
):
    worker, _ = update_worker
    officer = get_user_model().objects.create_user(email="officer@council.example")
    # Given a case the worker delivered to the webhook back office
    submission = submit(make_routed_version(make_connection(simulator.records_url)))
    delivery = submission.deliveries.get()
    worker.wait_for(
        lambda: Delivery.objects.filter(pk=delivery.pk, state="delivered").exists(),
        timeout=30,
        what="the case's delivery",
    )
    delivery.refresh_from_db()
    ask_resident(submission, officer, "Can you send a photo?")

    # When the back office's answer to the first attempt is lost (it made the update)
    simulator.set_faults(drop_response=True, times=1)
    photo = jpeg_bytes()
    upload = stored_upload(photo, "hole.jpg", shared_storage)
    reply(
        submission,
        author=None,
        text="Here it is",
        files=[StoredFile(upload["reference"], upload["name"])],
    )
    update = OutgoingUpdate.objects.get()

    # Then the worker retries with the same key and the update is delivered
    worker.wait_for(
        lambda: OutgoingUpdate.objects.filter(pk=update.pk, state="delivered").exists(),
        timeout=45,
        what="the reply's update",
    )
    # And however often it is queued again (a duplicate task, the sweeper), it is not resent
    send_update.delay(update.pk)
    queue_updates([update.pk])
    assert sweep(timezone.now(), send_update.delay, grace=timezone.timedelta(0)) == 0
    time.sleep(2)

    [made] = simulator.updates
    assert made["reference"] == delivery.external_reference
    assert made["idempotency_key"] == str(update.idempotency_key)
    assert simulator.update_count_for(str(update.idempotency_key)) == 1
    # the photo as the back office is told of it (here by a signed link to fetch it by)
    [sent_file] = made["data"]["files"]
    stored = SubmissionFile.objects.get(submission=submission)
    assert (sent_file["name"], sent_file["sha256"]) == ("hole.jpg", stored.sha256)
    assert stored.sha256 == upload_sha(shared_storage.open(stored.storage_name).read())
    update.refresh_from_db()
    assert update.attempts >= 2
    assert update.external_id == made["id"]
    assert update.attempt_set.filter(outcome="transient").exists()


def upload_sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_an_update_whose_task_was_lost_is_sent_by_the_sweep(
    simulator, update_worker, shared_storage, settings
):
    worker, _ = update_worker
    settings.DELIVERY_SWEEP_GRACE_SECONDS = 0
    officer = get_user_model().objects.create_user(email="officer2@council.example")
    submission = submit(make_routed_version(make_connection(simulator.records_url)))
    worker.wait_for(
        lambda: not submission.deliveries.exclude(state="delivered").exists(),
        timeout=30,
        what="the case's delivery",
    )
    ask_resident(submission, officer, "Which bin?")

    # Given a reply whose task went where no worker listens (as if Redis lost it)
    with default_queue(f"nobody-{uuid.uuid4().hex}"):
        reply(submission, author=None, text="The green one")
    update = OutgoingUpdate.objects.get(message__submission=submission)
    time.sleep(1)
    assert OutgoingUpdate.objects.get(pk=update.pk).state == "pending"

    # When beat's sweep task runs
    from services.delivery.tasks import sweep as sweep_task

    sweep_task()

    # Then the worker sends it, once
    worker.wait_for(
        lambda: OutgoingUpdate.objects.filter(pk=update.pk, state="delivered").exists(),
        timeout=30,
        what="the swept update",
    )
    assert simulator.update_count_for(str(update.idempotency_key)) == 1
