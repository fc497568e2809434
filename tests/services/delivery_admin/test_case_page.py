"""The admin's submission page shows the case (answers, contact details, files) and finds it by
what a caller says; the reading is the domain's (services/cases.py), every view is recorded."""

from __future__ import annotations

import secrets

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from services.cases import answer_rows, case_files, contact_details
from services.models import AccessLog
from tests.portal.accounts.factories import UserFactory
from tests.services.delivery_admin.factories import SubmissionFactory
from tests.services.factories import FormVersionFactory
from tests.services.helpers import page, radios, text

pytestmark = pytest.mark.django_db

SCHEMA = {
    "pages": [
        page("which-bin", radios("bin_type", "general", "garden")),
        page(
            "where",
            {"id": "address", "type": "address", "label": text("Address", "Cyfeiriad")},
            {"id": "your_name", "type": "short_text", "label": text("Your name", "Eich enw")},
        ),
        page(
            "photo",
            {"id": "photo", "type": "file", "label": text("Photo", "Llun"), "required": False},
        ),
    ]
}


def stored_photo() -> str:
    return default_storage.save(
        f"uploads/{secrets.token_urlsafe(24)}.jpg", ContentFile(b"\xff\xd8 a photo")
    )


def a_case(language: str = "en", **extra):
    version = FormVersionFactory(schema=SCHEMA)
    answers = {
        "bin_type": "garden",
        "address": {"line1": "1 High Street", "town": "Northampton", "postcode": "NN1 1AA"},
        "your_name": "Rhian Evans",
        "photo": {"reference": stored_photo(), "name": "bin.jpg"},
    }
    return SubmissionFactory(
        form_version=version,
        answers=answers,
        language=language,
        contact_email="rhian@example.org",
        **extra,
    )


def test_a_case_is_read_as_the_resident_saw_the_questions_in_their_language():
    # Given a case sent in Welsh
    submission = a_case(language="cy")

    # When the domain reads it
    rows = answer_rows(submission)

    # Then the questions are the Welsh ones of the version the resident filled in
    assert [row.question for row in rows] == ["bin_type", "Cyfeiriad", "Eich enw", "Llun"]
    assert "NN1 1AA" in rows[1].answer
    assert contact_details(submission).email == "rhian@example.org"
    [photo] = case_files(submission)
    assert (photo.question, photo.name) == ("Llun", "bin.jpg")


def test_an_answer_that_only_looks_like_a_file_is_not_offered_as_one():
    # Given a file answer whose reference is not a stored upload's
    submission = a_case()
    submission.answers["photo"] = {"reference": "../settings.py", "name": "x.jpg"}

    # Then it is not a file of the case
    assert case_files(submission) == []


def test_the_submission_page_shows_the_answers_contact_details_and_files(
    service_admin, service_admin_client
):
    # Given a case with answers, a contact e-mail address and a photo
    submission = a_case()

    # When a service admin opens its page
    response = service_admin_client.get(f"/admin/services/submission/{submission.pk}/change/")

    # Then they see what the resident told us, once recorded
    assert response.status_code == 200
    shown = response.content.decode()
    for expected in ("Your name", "Rhian Evans", "NN1 1AA", "rhian@example.org", "bin.jpg"):
        assert expected in shown
    assert AccessLog.objects.filter(where="admin:submission").count() == 1


def test_a_file_of_the_case_downloads_and_the_opening_is_recorded(
    service_admin, service_admin_client
):
    # Given a case with a photo
    submission = a_case()

    # When a service admin opens the photo from the case's page
    response = service_admin_client.get(f"/admin/services/submission/{submission.pk}/files/1/")

    # Then it downloads under the resident's name for it, and who opened it is recorded
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\xff\xd8 a photo"
    assert "bin.jpg" in response["Content-Disposition"]
    entry = AccessLog.objects.get()
    assert (entry.actor, entry.submission, entry.where) == (
        service_admin,
        submission,
        "admin:submission_file",
    )


@pytest.mark.parametrize("number", [0, 2, 99])
def test_a_file_the_case_does_not_have_is_not_found(service_admin_client, number):
    submission = a_case()

    response = service_admin_client.get(
        f"/admin/services/submission/{submission.pk}/files/{number}/"
    )

    assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_a_post_to_the_read_only_page_is_refused_and_records_nothing(service_admin_client):
    # Given a case
    submission = a_case()

    # When someone posts to its page (it has nothing to change)
    response = service_admin_client.post(f"/admin/services/submission/{submission.pk}/change/", {})

    # Then it is refused, and no view is recorded: nothing was shown
    assert response.status_code == 403
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize(
    "query", ["Rhian Evans", "rhian@example.org", "NN1 1AA", "nn1 1aa", "account.holder@example"]
)
def test_cases_are_found_by_name_e_mail_address_or_postcode(service_admin_client, query):
    # Given a case, one of another resident, and one sent from an account
    wanted = a_case(user=UserFactory(email="account.holder@example.org"))
    other = SubmissionFactory(contact_email="someone@example.org")

    # When an admin searches for what a caller told them
    response = service_admin_client.get("/admin/services/submission/", {"q": query})

    # Then the case is listed and the other is not
    assert response.status_code == 200
    listed = response.content.decode()
    assert wanted.reference in listed
    assert other.reference not in listed
