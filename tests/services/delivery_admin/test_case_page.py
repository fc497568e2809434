"""The admin's submission page shows the case (answers, contact details, files) and finds it by
what a caller says; the reading is the domain's (services/cases.py), every view is recorded."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from services.cases import answer_rows, case_files, contact_details
from services.forms.references import new_reference
from services.models import AccessLog, SubmissionFile
from tests.portal.accounts.factories import UserFactory
from tests.services.delivery_admin.conftest import signed_in
from tests.services.delivery_admin.factories import SubmissionFactory
from tests.services.factories import FormVersionFactory
from tests.services.helpers import page, radios, text
from tests.services.stored_files import png_bytes, stored_files

__all__ = ["stored_files"]

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


def a_case(language: str = "en", **extra):
    version = FormVersionFactory(schema=SCHEMA)
    answers = {
        "bin_type": "garden",
        "address": {"line1": "1 High Street", "town": "Northampton", "postcode": "NN1 1AA"},
        "your_name": "Rhian Evans",
    }
    return SubmissionFactory(
        form_version=version,
        answers=answers,
        language=language,
        contact_email="rhian@example.org",
        reference=new_reference(),  # one the staff workspace can open
        **extra,
    )


def test_a_case_is_read_as_the_resident_saw_the_questions_in_their_language(stored_files):
    # Given a case sent in Welsh, with a photo
    submission = a_case(language="cy")
    photo = stored_files(submission, "photo", png_bytes(), "bin.png")

    # When the domain reads it
    rows = answer_rows(submission)

    # Then the questions are the Welsh ones of the version the resident filled in
    assert [row.question for row in rows] == ["bin_type", "Cyfeiriad", "Eich enw"]
    assert "NN1 1AA" in rows[1].answer
    assert contact_details(submission).email == "rhian@example.org"
    [file] = case_files(submission)
    assert (file.question, file.name, file.kind, file.size) == (
        "Llun",
        "bin.png",
        "PNG image",
        photo.size,
    )


def test_only_the_cases_file_rows_are_its_files():
    # Given a file answer with no file row (so no file the portal stored and checked)
    submission = a_case()
    submission.answers["photo"] = {"reference": "../settings.py", "name": "x.jpg"}
    submission.save()

    # Then it is not a file of the case
    assert case_files(submission) == []


def test_the_submission_page_shows_the_answers_contact_details_and_files(
    service_admin, service_admin_client, stored_files
):
    # Given a case with answers, a contact e-mail address and a photo
    submission = a_case()
    stored_files(submission, "photo", png_bytes(), "bin.png")

    # When a service admin opens its page
    response = service_admin_client.get(f"/admin/services/submission/{submission.pk}/change/")

    # Then they see what the resident told us, once recorded
    assert response.status_code == 200
    shown = response.content.decode()
    for expected in ("Your name", "Rhian Evans", "NN1 1AA", "rhian@example.org", "bin.png"):
        assert expected in shown
    assert "PNG image" in shown
    assert AccessLog.objects.filter(where="admin:submission").count() == 1


def test_a_system_admin_gets_each_file_as_a_link_to_the_staff_download(system_admin, stored_files):
    # Given a case with a photo
    submission = a_case()
    photo = stored_files(submission, "photo", png_bytes(), "bin.png")
    download = reverse("staff:case_attachment", args=[submission.reference, "photo"])
    client = signed_in(system_admin)

    # When a system admin opens its page, the photo links to the staff workspace's download
    page = client.get(f"/admin/services/submission/{submission.pk}/change/").content.decode()
    assert f'href="{download}"' in page

    # Which asks them why first (the case is no team's of theirs), then sends it and records it
    assert client.get(download)["Location"] == reverse(
        "staff:case_reason", args=[submission.reference]
    )
    client.post(
        reverse("staff:case_reason", args=[submission.reference]), {"reason": "Checking a photo"}
    )
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="bin.png"'
    entry = AccessLog.objects.get(where="staff:attachment")
    assert (entry.actor, entry.submission, entry.reason) == (
        system_admin,
        submission,
        "Checking a photo",
    )
    # naming the file the admin downloaded: the photo, the case's only file
    assert (entry.file, entry.file_question, entry.file_number, entry.file_count) == (
        photo,
        "Photo",
        1,
        1,
    )
    # which the admin's access log says too
    shown = client.get(f"/admin/services/accesslog/{entry.pk}/change/").content.decode()
    assert "“Photo”, file 1 of 1: bin.png" in shown


def test_a_service_admin_sees_the_files_named_but_not_linked(service_admin_client, stored_files):
    submission = a_case()
    stored_files(submission, "photo", png_bytes(), "bin.png")
    download = reverse("staff:case_attachment", args=[submission.reference, "photo"])

    page = service_admin_client.get(f"/admin/services/submission/{submission.pk}/change/")

    assert "bin.png" in page.content.decode()
    assert download not in page.content.decode()
    assert service_admin_client.get(download).status_code == 403
    assert not AccessLog.objects.filter(where="staff:attachment").exists()


def test_a_file_deleted_by_retention_says_so_instead_of_linking(system_admin, stored_files):
    submission = a_case()
    photo = stored_files(submission, "photo", png_bytes(), "bin.png")
    SubmissionFile.objects.filter(pk=photo.pk).update(
        deleted_at=datetime(2027, 3, 5, 12, tzinfo=UTC)
    )

    page = signed_in(system_admin).get(f"/admin/services/submission/{submission.pk}/change/")

    shown = page.content.decode()
    assert "Deleted under the retention policy on 5 March 2027" in shown
    assert reverse("staff:case_attachment", args=[submission.reference, "photo"]) not in shown


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
