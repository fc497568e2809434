"""A delivery's progress is kept in its row: a retry resumes where the last attempt stopped, and
a worker that lost its claim cannot record any more. Against a fake adapter registered for the
test, the real engine and the real database."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, ClassVar

import pytest
from django.utils import timezone
from rest_framework import serializers

from integrations.base import Adapter, Progress, TransientError, files_in
from integrations.registry import registry
from services.delivery.claim import ClaimedDelivery, claim
from services.delivery.engine import attempt_claimed, attempt_delivery
from services.models import (
    Connection,
    Delivery,
    Destination,
    Draft,
    FormVersion,
    RoutingRuleSet,
)
from services.submissions import submit_draft
from tests.file_samples import jpeg_bytes, pdf_bytes, png_bytes, stored_upload
from tests.services.delivery.conftest import make_connection
from tests.services.factories import FormVersionFactory
from tests.services.helpers import page

State = Delivery.State


class CaseThenFiles(Adapter):
    """Makes a case, then sends each file: the pattern of integrations/base.py, with a switch
    that makes the call for one file fail."""

    id = "case_then_files"
    name = "Case then files"
    config_serializer = serializers.Serializer
    accepts_any_fields = True

    cases: ClassVar[list[str]] = []
    sent: ClassVar[list[str]] = []
    seen: ClassVar[list[tuple[str, dict[str, str]]]] = []  # the progress each call started with
    fail_on: ClassVar[str | None] = None

    def deliver(
        self, payload: Mapping[str, Any], idempotency_key: str, progress: Progress | None = None
    ) -> str:
        progress = progress or Progress()
        self.seen.append((progress.reference, dict(progress.files)))
        reference = progress.reference
        if not reference:
            reference = f"CASE-{len(self.cases) + 1}"
            self.cases.append(reference)
        progress.record_reference(reference)
        for upload in files_in(payload):
            if progress.done(upload):
                continue
            if upload.id == self.fail_on:
                raise TransientError(f"the back office refused {upload.id} just now")
            upload.read()
            self.sent.append(upload.id)
            progress.record_file(upload, f"remote-{upload.id}")
        return reference


@pytest.fixture
def case_then_files(storage):
    CaseThenFiles.cases, CaseThenFiles.sent, CaseThenFiles.seen = [], [], []
    CaseThenFiles.fail_on = None
    with registry.replaced(CaseThenFiles):
        yield CaseThenFiles


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


def a_delivery_with_three_files(storage) -> Delivery:
    connection = make_connection("", adapter="case_then_files", config={}, secrets={})
    version = FormVersionFactory.create(
        schema=SCHEMA, number=1, status=FormVersion.Status.LIVE, published_at=timezone.now()
    )
    Destination.objects.create(
        rule_set=RoutingRuleSet.objects.create(form=version.form),
        name="Case system",
        connection=connection,
        mapping={"files": {"files": "all"}},
    )
    answers = {
        "photo": stored_upload(jpeg_bytes(), "pothole.jpg", storage),
        "close_up": stored_upload(png_bytes(), "close-up.png", storage),
        "letter": stored_upload(pdf_bytes(), "letter.pdf", storage),
    }
    draft = Draft.objects.create(
        form_version=version,
        answers=answers,
        uploads=[a["reference"] for a in answers.values()],
    )
    submission = submit_draft(draft, user=None, contact_email="r@example.org", language="en")
    return submission.deliveries.get()


@pytest.mark.django_db
def test_a_retry_resumes_at_the_file_that_failed_without_a_second_case(case_then_files, storage):
    # Given a back office that takes the case and the first two files, then fails on the third
    delivery = a_delivery_with_three_files(storage)
    case_then_files.fail_on = "letter"

    # When the delivery is attempted
    first = attempt_delivery(delivery.pk)

    # Then the attempt failed, and what it got done is kept on the delivery
    delivery.refresh_from_db()
    assert first.outcome == "transient"
    assert delivery.progress == {
        "reference": "CASE-1",
        "files": {"photo": "remote-photo", "close_up": "remote-close_up"},
    }

    # When the back office is well again and the retry is due
    case_then_files.fail_on = None
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    second = attempt_delivery(delivery.pk)

    # Then the retry started from that progress, made no second case and sent only the third
    assert second.outcome == "delivered"
    assert case_then_files.seen[1] == (
        "CASE-1",
        {"photo": "remote-photo", "close_up": "remote-close_up"},
    )
    assert case_then_files.cases == ["CASE-1"]
    assert case_then_files.sent == ["photo", "close_up", "letter"]
    delivery.refresh_from_db()
    assert delivery.state == State.DELIVERED
    assert delivery.external_reference == "CASE-1"
    assert delivery.progress["files"]["letter"] == "remote-letter"


@pytest.mark.django_db
def test_a_worker_whose_claim_was_taken_over_stops_and_records_no_progress(
    case_then_files, storage
):
    # Given a worker whose lease ran out before it called the back office, and a second worker
    # that took the delivery over
    delivery = a_delivery_with_three_files(storage)
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=now - timedelta(seconds=400))
    stale = claim(delivery.pk, now=now - timedelta(seconds=300), lease_seconds=60)
    fresh = claim(delivery.pk, now=now, lease_seconds=60)
    assert isinstance(stale, ClaimedDelivery)
    assert isinstance(fresh, ClaimedDelivery)

    # When the first worker's attempt runs
    late = attempt_claimed(stale)

    # Then it stopped at its first record (the case), sent no file and wrote no progress
    assert late.outcome == "transient"
    assert case_then_files.sent == []
    delivery.refresh_from_db()
    assert delivery.progress == {}
    assert delivery.claim_token == fresh.token


@pytest.mark.django_db
def test_a_failure_after_the_back_office_took_part_of_the_case_does_not_open_the_breaker(
    case_then_files, storage, settings
):
    # Given a breaker that opens at the first failed attempt
    settings.DELIVERY_BREAKER_THRESHOLD = 1
    delivery = a_delivery_with_three_files(storage)

    # When an attempt fails after the back office took the case and two files
    case_then_files.fail_on = "letter"
    assert attempt_delivery(delivery.pk).outcome == "transient"

    # Then the back office answered, so its breaker stays closed; the failure is still shown
    connection = Connection.objects.get(pk=delivery.connection_id)
    assert connection.breaker_state == Connection.Breaker.CLOSED
    assert connection.breaker_failures == 0
    assert "letter" in connection.last_failure_message


@pytest.mark.django_db
def test_a_failure_before_anything_was_accepted_still_counts_against_the_breaker(
    case_then_files, storage, settings
):
    settings.DELIVERY_BREAKER_THRESHOLD = 1
    delivery = a_delivery_with_three_files(storage)
    # The case was made by an earlier attempt; this one fails on its first file
    Delivery.objects.filter(pk=delivery.pk).update(progress={"reference": "CASE-0", "files": {}})
    case_then_files.fail_on = "photo"

    assert attempt_delivery(delivery.pk).outcome == "transient"

    connection = Connection.objects.get(pk=delivery.connection_id)
    assert connection.breaker_state == Connection.Breaker.OPEN
