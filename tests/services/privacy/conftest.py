"""Cases with files, made through the real submit path, for the retention and privacy tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from services.models import (
    CaseUpdate,
    Connection,
    Destination,
    Draft,
    FormVersion,
    OutgoingMessage,
    RoutingRuleSet,
    Submission,
)
from services.submissions import submit_draft
from tests.file_samples import jpeg_bytes, pdf_bytes, stored_upload
from tests.services.factories import FormVersionFactory
from tests.services.helpers import page

SCHEMA = {
    "pages": [
        page(
            "report",
            {"id": "details", "type": "long_text", "label": {"en": "Details"}},
            {"id": "photo", "type": "file", "label": {"en": "Photo"}},
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


def file_form(**service: Any) -> FormVersion:
    version = FormVersionFactory.create(
        schema=SCHEMA, number=1, status=FormVersion.Status.LIVE, published_at=timezone.now()
    )
    if service:
        type(version.form.service).objects.filter(pk=version.form.service_id).update(**service)
        version.form.service.refresh_from_db()
    return version


def make_case(
    storage,
    *,
    version: FormVersion | None = None,
    user: Any = None,
    email: str = "resident@example.org",
    details: str = "Pothole outside number 12",
    days_ago: int = 0,
) -> Submission:
    """A case with a photo and a letter, made `days_ago` by `user` (or a guest at `email`)."""
    version = version or file_form()
    answers = {
        "details": details,
        "photo": stored_upload(jpeg_bytes(), "pothole.jpg", storage),
        "letter": stored_upload(pdf_bytes(), "letter.pdf", storage),
    }
    uploads = [a["reference"] for a in answers.values() if isinstance(a, dict)]
    draft = Draft.objects.create(form_version=version, answers=answers, uploads=uploads)
    submission = submit_draft(
        draft, user=user, contact_email=user.email if user else email, language="en"
    )
    made = timezone.now() - timedelta(days=days_ago)
    Submission.objects.filter(pk=submission.pk).update(created_at=made)
    # The acknowledgement went, as a worker would have sent it long ago.
    OutgoingMessage.objects.filter(submission=submission).update(
        state=OutgoingMessage.State.SENT, sent_at=made
    )
    submission.refresh_from_db()
    return submission


def close(submission: Submission, *, days_ago: int, by: Any) -> CaseUpdate:
    """Close the case through a staff status update received `days_ago`."""
    at = timezone.now() - timedelta(days=days_ago)
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.CLOSED_FIXED)
    return CaseUpdate.objects.create(
        submission=submission,
        changed_by=by,
        source=CaseUpdate.Source.STAFF,
        update_id=f"staff-{submission.pk}-{days_ago}",
        external_status="",
        portal_status=Submission.Status.CLOSED_FIXED,
        occurred_at=at,
        received_at=at,
        description="Spoke to Mrs Jones at number 12",
        public_text_en="Fixed, thank you Mrs Jones",
        applied=True,
        outcome=CaseUpdate.Outcome.APPLIED,
    )


def route_to_mailbox(version: FormVersion) -> Destination:
    """A destination (never contacted in these tests) to hang deliveries on."""
    connection = Connection.objects.create(
        name="Team mailbox",
        slug=f"team-mailbox-{version.pk}",
        adapter="email",
        config={
            "to": ["team@council.example"],
            "from_email": "portal@council.example",
            "host": "127.0.0.1",
            "port": 9,
            "security": "none",
            "timeout": 5,
        },
        owner_email="owner@council.example",
    )
    return Destination.objects.create(
        rule_set=RoutingRuleSet.objects.create(form=version.form),
        name="Team",
        connection=connection,
        mapping={"reference": {"meta": "reference"}},
    )
