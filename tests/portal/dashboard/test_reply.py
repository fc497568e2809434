"""The resident answers the council's question and reopens a closed request, in the portal:
signed in or through a guest's tracking link, with GOV.UK errors for anything wrong, nothing
changed by bad input, and nobody else's request found."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.dashboard import tracking
from services.models import CaseMessage, CaseUpdate, Submission, SubmissionFile
from services.staff.status import change_status
from tests.file_samples import jpeg_bytes
from tests.portal.accounts.factories import UserFactory
from tests.portal.accounts.helpers import assert_clear_error, error_summary_targets
from tests.portal.catalogue.helpers import texts
from tests.portal.dashboard.factories import SubmissionFactory

pytestmark = pytest.mark.django_db

Status = Submission.Status


@pytest.fixture
def storage(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


@pytest.fixture
def officer():
    return UserFactory(full_name="Olive Officer")


@pytest.fixture
def asked(catalogue, officer):
    """A signed-in resident's request the council asked a question about."""
    submission = SubmissionFactory()
    change_status(submission, officer, status=Status.NEEDS_INFORMATION, message="Which bin?")
    return submission


def signed_in_as(client, user):
    client.force_login(user)
    return client


def reply_url(submission: Submission) -> str:
    return f"/account/requests/{submission.reference}/reply/"


def photo(name: str = "bin.jpg", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else jpeg_bytes(), "image/jpeg")


def test_the_request_page_shows_the_question_and_the_reply_form(client, asked):
    page = signed_in_as(client, asked.user).get(f"/account/requests/{asked.reference}/")
    html = page.content.decode()
    assert 'id="reply"' in html
    assert '<div class="govuk-inset-text">Which bin?</div>' in html
    assert f'action="{reply_url(asked)}"' in html
    assert 'enctype="multipart/form-data"' in html


def test_a_reply_with_a_photo_is_saved_and_the_case_goes_back_in_progress(client, asked, storage):
    response = signed_in_as(client, asked.user).post(
        reply_url(asked), {"text": "The green one", "attachments": [photo()]}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/account/requests/{asked.reference}/"
    asked.refresh_from_db()
    assert asked.status == Status.IN_PROGRESS
    message = CaseMessage.objects.get(kind="reply")
    assert (message.text, message.author) == ("The green one", asked.user)
    assert [f.name for f in message.files.all()] == ["bin.jpg"]
    page = client.get(f"/account/requests/{asked.reference}/")
    assert "You replied" in texts(page, "strong")
    assert "The green one" in texts(page, "p")


@pytest.mark.parametrize(
    ("data", "target", "message"),
    [
        ({"text": ""}, "id_text", "Enter your reply"),
        ({"text": "x" * 2001}, "id_text", "Your reply must be 2000 characters or fewer"),
        ({"text": "ok\x00"}, "id_text", "Remove the special characters from your answer"),
        (
            {"text": "ok", "attachments": [photo("x.jpg", b"not a picture at all")]},
            "id_attachments",
            "The selected file must be a JPG, PNG, WebP or PDF",
        ),
        (
            {"text": "ok", "attachments": [photo("empty.jpg", b"")]},
            "id_attachments",
            "The selected file is empty",
        ),
        (
            {"text": "ok", "attachments": [photo(f"{n}.jpg") for n in range(6)]},
            "id_attachments",
            "Select up to 5 files",
        ),
    ],
)
def test_bad_replies_get_a_clear_error_and_change_nothing(
    client, asked, storage, data, target, message
):
    response = signed_in_as(client, asked.user).post(reply_url(asked), data)

    assert_clear_error(response)
    assert target in error_summary_targets(response)
    assert message in response.content.decode()
    asked.refresh_from_db()
    assert asked.status == Status.NEEDS_INFORMATION
    assert not CaseMessage.objects.filter(kind="reply").exists()
    assert not SubmissionFile.objects.exists()


def test_a_reply_when_no_question_waits_is_refused(client, catalogue, storage):
    submission = SubmissionFactory()
    signed_in_as(client, submission.user)
    assert client.get(reply_url(submission)).status_code == 302
    response = client.post(reply_url(submission), {"text": "Hello"})
    assert_clear_error(response)
    assert "We are not waiting for a reply to this request." in response.content.decode()
    assert not CaseMessage.objects.exists()


def test_other_residents_and_bad_references_get_404(client, asked):
    stranger = signed_in_as(client, UserFactory())
    assert stranger.get(reply_url(asked)).status_code == 404
    assert stranger.post(reply_url(asked), {"text": "Mine now"}).status_code == 404
    assert stranger.post(f"/account/requests/{asked.reference}/reopen/", {}).status_code == 404
    assert stranger.get("/account/requests/not-a-ref!/reply/").status_code == 404
    assert not CaseMessage.objects.filter(kind="reply").exists()


def test_signed_out_residents_are_sent_to_sign_in(client, asked):
    response = client.post(reply_url(asked), {"text": "Hello"})
    assert response.status_code == 302
    assert "/login/" in response["Location"] or "/sign-in/" in response["Location"]


def test_a_guest_replies_through_their_tracking_link(client, catalogue, officer, storage):
    guest = SubmissionFactory(user=None, contact_email="guest@example.org")
    change_status(guest, officer, status=Status.NEEDS_INFORMATION, message="Which bin?")
    token = tracking.make_token(guest)

    page = client.get(f"/track/{token}/")
    assert f'action="/track/{token}/reply/"' in page.content.decode()
    response = client.post(f"/track/{token}/reply/", {"text": "Green", "attachments": [photo()]})

    assert response.status_code == 302
    assert response["Location"] == f"/track/{token}/"
    message = CaseMessage.objects.get(kind="reply")
    assert message.author is None
    assert message.files.count() == 1
    assert client.post("/track/forged/reply/", {"text": "x"}).status_code == 400


def close(submission: Submission, officer, status=Status.CLOSED_FIXED, days_ago: float = 1):
    change_status(submission, officer, status=status, message="Done")
    CaseUpdate.objects.filter(submission=submission, portal_status=status).update(
        occurred_at=timezone.now() - timedelta(days=days_ago)
    )


def test_a_resident_says_a_closed_request_is_not_fixed(client, catalogue, officer):
    submission = SubmissionFactory()
    close(submission, officer)
    signed_in_as(client, submission.user)
    page = client.get(f"/account/requests/{submission.reference}/")
    assert "Reopen this request" in texts(page, "a")

    url = f"/account/requests/{submission.reference}/reopen/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "not_fixed", "text": "Still not emptied"})

    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == Status.IN_PROGRESS
    assert CaseMessage.objects.get().kind == "not_fixed"


@pytest.mark.parametrize(
    ("data", "target"),
    [
        ({"kind": "not_fixed", "text": ""}, "id_text"),
        ({"kind": "", "text": "Still there"}, "id_kind"),
        ({"kind": "sideways", "text": "Still there"}, "id_kind"),
    ],
)
def test_bad_reopening_gets_a_clear_error_and_changes_nothing(
    client, catalogue, officer, data, target
):
    submission = SubmissionFactory()
    close(submission, officer)
    response = signed_in_as(client, submission.user).post(
        f"/account/requests/{submission.reference}/reopen/", data
    )
    assert_clear_error(response)
    assert target in error_summary_targets(response)
    submission.refresh_from_db()
    assert submission.status == Status.CLOSED_FIXED
    assert not CaseMessage.objects.exists()


def test_a_request_closed_too_long_ago_cannot_be_reopened(client, catalogue, officer, settings):
    settings.REOPEN_WITHIN_DAYS = 28
    submission = SubmissionFactory()
    close(submission, officer, days_ago=30)
    signed_in_as(client, submission.user)
    url = f"/account/requests/{submission.reference}/reopen/"
    assert "Reopen this request" not in texts(
        client.get(f"/account/requests/{submission.reference}/"), "a"
    )
    response = client.post(url, {"kind": "reopen", "text": "Again"})
    assert_clear_error(response)
    submission.refresh_from_db()
    assert submission.status == Status.CLOSED_FIXED


def test_the_upload_is_checked_by_content_not_by_name(client, asked, storage):
    pdf_named_jpg = SimpleUploadedFile("photo.jpg", io.BytesIO(b"%PDF-1.4 junk").read())
    response = signed_in_as(client, asked.user).post(
        reply_url(asked), {"text": "ok", "attachments": [pdf_named_jpg]}
    )
    assert_clear_error(response)


def test_the_account_home_links_to_the_question_waiting_for_a_reply(client, asked):
    page = signed_in_as(client, asked.user).get("/account/")
    html = page.content.decode()
    assert f'href="/account/requests/{asked.reference}/#reply">Reply' in html
