"""Submitted files are deleted by retention: their bytes go, their rows stay marked, links stop
working and a delivery that still needs one fails permanently, saying why. Deliveries before
that carry the files byte-identical (the e-mail adapter against its simulator, through the
real engine)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import FileSystemStorage
from django.utils import timezone

from portal.celery import app
from services import file_retention, tasks
from services.delivery.engine import attempt_delivery
from services.file_links import signed_file_url
from services.models import (
    Connection,
    Delivery,
    Destination,
    Draft,
    FormVersion,
    RoutingRuleSet,
    Submission,
)
from services.submissions import submit_draft
from tests.file_samples import jpeg_bytes, pdf_bytes, png_bytes, stored_upload
from tests.services.factories import FormVersionFactory
from tests.services.helpers import page

pytestmark = pytest.mark.django_db

SCHEMA = {
    "pages": [
        page(
            "files",
            {"id": "photo", "type": "file", "label": {"en": "Photo"}},
            {"id": "close_up", "type": "file", "label": {"en": "Close-up"}},
            {"id": "letter", "type": "file", "label": {"en": "Letter"}},
        )
    ]
}


@pytest.fixture
def storage(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    from django.core.files.storage import default_storage

    return default_storage


@pytest.fixture
def smtp():
    from integrations.simulators.smtp import SMTPSimulator

    with SMTPSimulator() as simulator:
        yield simulator


def email_connection(smtp) -> Connection:
    return Connection.objects.create(
        name="Team mailbox",
        slug="team-mailbox",
        adapter="email",
        config={
            "to": ["team@council.example"],
            "from_email": "portal@council.example",
            "host": "127.0.0.1",
            "port": smtp.port,
            "security": "none",
            "timeout": 5,
        },
        owner_email="owner@council.example",
    )


def submitted(storage, connection: Connection | None = None, days_ago: int = 0) -> Submission:
    """A submission with two photos and a letter, made `days_ago`, routed to `connection`."""
    version = FormVersionFactory.create(
        schema=SCHEMA, number=1, status=FormVersion.Status.LIVE, published_at=timezone.now()
    )
    if connection is not None:
        Destination.objects.create(
            rule_set=RoutingRuleSet.objects.create(form=version.form),
            name="Team",
            connection=connection,
            mapping={
                "reference": {"meta": "reference"},
                "Photo": {"answer": "photo"},
                "Evidence": {"files": "all"},
            },
        )
    answers = {
        "photo": stored_upload(jpeg_bytes(), "pothole.jpg", storage),
        "close_up": stored_upload(png_bytes(), "close-up.png", storage),
        "letter": stored_upload(pdf_bytes(), "letter.pdf", storage),
    }
    draft = Draft.objects.create(
        form_version=version, answers=answers, uploads=[a["reference"] for a in answers.values()]
    )
    submission = submit_draft(draft, user=None, contact_email="r@example.org", language="en")
    made = timezone.now() - timedelta(days=days_ago)
    Submission.objects.filter(pk=submission.pk).update(created_at=made)
    return submission


def test_a_delivery_carries_the_three_files_byte_identical(storage, smtp):
    # Given a submission with two photos and a letter, routed to a team's mailbox
    submission = submitted(storage, email_connection(smtp))

    # When its delivery is attempted
    result = attempt_delivery(submission.deliveries.get().pk)

    # Then the mail carries each file once, with the type, size and hash it was stored with
    assert result.outcome == "delivered"
    (record,) = smtp.records()
    received = {f["name"]: f for f in record["files"]}
    for row in submission.files.all():
        assert received[row.name] == {
            "name": row.name,
            "content_type": row.content_type,
            "size": row.size,
            "sha256": row.sha256,
        }
    assert len(record["files"]) == 5  # and answers.json, answers.csv


def test_files_past_the_retention_period_lose_their_bytes_and_keep_their_rows(storage, settings):
    # Given a year's retention, a submission made 366 days ago and one made 364 days ago
    settings.SUBMISSION_FILE_RETENTION_DAYS = 365
    old, recent = submitted(storage, days_ago=366), submitted(storage, days_ago=364)

    # When retention runs
    deleted = file_retention.delete_expired_files()

    # Then the old submission's files are gone from storage and marked deleted
    assert deleted == 3
    for row in old.files.all():
        assert row.deleted_at is not None
        assert not storage.exists(row.storage_name)
    # and the recent one's are untouched
    for row in recent.files.all():
        assert row.deleted_at is None
        assert storage.exists(row.storage_name)
    # and a second run finds nothing to do
    assert file_retention.delete_expired_files() == 0


def test_a_file_storage_will_not_delete_keeps_its_row_for_the_next_run(
    storage, settings, tmp_path, caplog
):
    # Given an expired submission and a storage that refuses to delete its letter just now
    settings.SUBMISSION_FILE_RETENTION_DAYS = 30
    old = submitted(storage, days_ago=31)
    letter = old.files.get(question_id="letter")

    class Refusing(FileSystemStorage):
        def delete(self, name: str) -> None:
            if name == letter.storage_name:
                raise PermissionError(f"cannot delete {name}")
            super().delete(name)

    # When retention runs with it
    deleted = file_retention.delete_expired_files(storage=Refusing(location=str(tmp_path)))

    # Then the other files went, the letter and its row wait for the next run
    assert deleted == 2
    letter.refresh_from_db()
    assert letter.deleted_at is None
    assert storage.exists(letter.storage_name)
    # and the log names the file's id, not its name or where it is stored
    logged = caplog.text
    assert f"'file_id': {letter.pk}" in logged
    assert "letter.pdf" not in logged
    assert letter.storage_name not in logged

    # When the next run can delete it, it goes
    assert file_retention.delete_expired_files() == 1


def test_after_retention_links_404_and_a_delivery_needing_the_file_fails_saying_why(
    storage, smtp, settings, client
):
    # Given a submission whose delivery has not been made yet, and a link to its photo
    settings.SUBMISSION_FILE_RETENTION_DAYS = 30
    submission = submitted(storage, email_connection(smtp), days_ago=31)
    photo = submission.files.get(question_id="photo")
    delivery = submission.deliveries.get()
    link = signed_file_url(photo, delivery.connection_id)
    assert client.get(link).status_code == 200

    # When retention deletes its files
    file_retention.delete_expired_files()

    # Then the link is not found
    assert client.get(link).status_code == 404
    # and the delivery fails permanently, saying the file was deleted under the policy, and when
    result = attempt_delivery(delivery.pk)
    delivery.refresh_from_db()
    assert result.outcome == "permanent"
    assert delivery.state == Delivery.State.FAILED
    day = timezone.localdate().strftime("%-d %B %Y")
    assert (
        f"The file 'pothole.jpg' was deleted under the retention policy on {day}, "
        "so it can no longer be sent"
    ) in delivery.last_error
    assert smtp.messages == []


def test_beat_runs_retention_every_day():
    entry = app.conf.beat_schedule["delete-expired-submission-files"]

    assert entry["task"] == "services.tasks.delete_expired_submission_files"
    assert entry["schedule"] == 24 * 60 * 60
    assert tasks.delete_expired_submission_files.name == entry["task"]


def test_the_daily_task_deletes_expired_files_with_the_default_storage(storage, settings):
    settings.SUBMISSION_FILE_RETENTION_DAYS = 10
    old = submitted(storage, days_ago=11)

    assert tasks.delete_expired_submission_files() == 3

    assert not any(storage.exists(row.storage_name) for row in old.files.all())
