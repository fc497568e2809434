"""The case page (answers, files, contact details, other cases) and its timeline."""

import re
from datetime import UTC, datetime

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from services.models import AccessLog, CaseUpdate, Delivery, FileFetch, Submission, SubmissionFile
from tests.portal.accounts.factories import UserFactory
from tests.portal.staff.conftest import STREETS, WASTE, signed_in
from tests.services.delivery_admin.factories import (
    AttemptFactory,
    ConnectionFactory,
    DeliveryFactory,
)
from tests.services.stored_files import pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db


PDF = pdf_bytes()


@pytest.fixture
def agent_client(waste_agent):
    return signed_in(waste_agent)


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def text_of_element(response, element_id: str) -> str:
    """The words of the element with this id (one that holds no element of its own kind)."""
    html = response.content.decode()
    found = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>(.*?)</\1>', html, re.DOTALL)
    assert found, f"no element with id {element_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(2)).split())


def test_the_case_page_shows_the_answers_as_the_resident_saw_the_questions_in_welsh(
    agent_client, make_case
):
    # Given a case sent in Welsh
    case = make_case(WASTE, language="cy")

    # When an agent opens it (in English)
    response = agent_client.get(reverse("staff:case", args=[case.reference]))

    # Then the questions are the Welsh ones the resident answered, marked as Welsh
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="cy"' in html
    assert "Cyfeiriad casglu" in text_of(response) or "cyfeiriad" in text_of(response).lower()


def test_the_case_page_shows_contact_details_and_only_the_other_cases_the_agent_may_see(
    agent_client, make_case
):
    resident = UserFactory(full_name="Olwen Pritchard", phone="+447700900982")
    case = make_case(WASTE, user=resident)
    earlier = make_case(WASTE, user=resident)
    elsewhere = make_case(STREETS, user=resident)  # the streets team's, not this agent's

    response = agent_client.get(reverse("staff:case", args=[case.reference]))

    text = text_of(response)
    assert "Olwen Pritchard" in text
    assert "+447700900982" in text
    assert earlier.reference in text
    assert elsewhere.reference not in text


def test_the_case_page_lists_each_file_with_its_name_type_and_size(
    streets_agent, make_case, stored_files
):
    # Given a pothole case with a photo and a PDF
    case = make_case(STREETS)
    photo = stored_files(case, "photo", png_bytes(), "hole.png")
    stored_files(case, "evidence", PDF, "letter.pdf")

    # When the team's agent opens it
    response = signed_in(streets_agent).get(reverse("staff:case", args=[case.reference]))

    # Then each file is listed by the question it answered, linked, with its type and size
    files = text_of_element(response, "files")
    size = " ".join(filesizeformat(photo.size).split())  # "140 bytes", its space unbroken
    assert f"Upload a photo of the pothole (optional) hole.png PNG image, {size}" in files
    # (a question the form no longer has is named by its id)
    assert "evidence letter.pdf PDF document" in files
    html = response.content.decode()
    for question in ("photo", "evidence"):
        assert reverse("staff:case_attachment", args=[case.reference, question]) in html


def test_a_file_is_downloaded_through_the_scope_check_and_each_download_recorded(
    waste_agent, agent_client, streets_agent, make_case, stored_files
):
    # Given a pothole case (the streets team's) with a PDF
    case = make_case(STREETS)
    stored_files(case, "photo", PDF, "hole.pdf")
    url = reverse("staff:case_attachment", args=[case.reference, "photo"])

    # An agent of another team gets nothing, a resident is refused, a guest asked to sign in
    assert agent_client.get(url).status_code == 404
    assert signed_in(UserFactory()).get(url).status_code == 403
    assert Client().get(url)["Location"].startswith(reverse("account_login"))
    assert not AccessLog.objects.exists()

    # The team's agent gets the file, as a download, and each download is recorded
    streets = signed_in(streets_agent)
    for _ in range(2):
        response = streets.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="hole.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
    rows = AccessLog.objects.filter(where="staff:attachment")
    assert [(row.actor, row.submission) for row in rows] == [(streets_agent, case)] * 2
    assert {row.file_id for row in rows} == {case.files.get().pk}

    # A question with no file, or no such question, is not found
    for other in ("details", "nope"):
        missing = reverse("staff:case_attachment", args=[case.reference, other])
        assert streets.get(missing).status_code == 404
    assert rows.count() == 2


def test_each_download_names_the_file_by_its_question_and_place_among_the_cases_files(
    streets_agent, make_case, stored_files
):
    # Given a pothole case with a photo, a PDF, and a file the resident sent with a reply
    case = make_case(STREETS)
    photo = stored_files(case, "photo", png_bytes(), "hole.png")
    stored_files(case, "evidence", PDF, "letter.pdf")
    reply = stored_files(case, "reply-7-1", PDF, "more.pdf")
    client = signed_in(streets_agent)

    # When the team's agent downloads the first and the third
    for question in ("photo", "reply-7-1"):
        url = reverse("staff:case_attachment", args=[case.reference, question])
        assert client.get(url).status_code == 200

    # Then each download's entry names that file, and keeps what is not the resident's words:
    # its question as the case page names it, and where it stands among the case's files
    entries = AccessLog.objects.filter(where="staff:attachment").order_by("pk")
    assert [(e.file, e.file_question, e.file_number, e.file_count, e.reason) for e in entries] == [
        (photo, "Upload a photo of the pothole (optional)", 1, 3, ""),
        (reply, "Sent with the resident’s reply", 3, 3, ""),
    ]


def test_a_file_deleted_by_retention_says_when_and_is_not_downloaded(
    streets_agent, make_case, stored_files
):
    # Given a case whose photo retention has deleted
    case = make_case(STREETS)
    photo = stored_files(case, "photo", png_bytes(), "hole.png")
    SubmissionFile.objects.filter(pk=photo.pk).update(
        deleted_at=datetime(2027, 3, 5, 9, 30, tzinfo=UTC)
    )
    client = signed_in(streets_agent)
    url = reverse("staff:case_attachment", args=[case.reference, "photo"])

    # The case page names it and says when it went, with no link
    response = client.get(reverse("staff:case", args=[case.reference]))
    files = text_of_element(response, "files")
    assert "hole.png" in files
    assert "Deleted under the retention policy on 5 March 2027" in files
    assert url not in response.content.decode()

    # And it cannot be downloaded, so no download is recorded
    assert client.get(url).status_code == 404
    assert not AccessLog.objects.filter(where="staff:attachment").exists()


def test_a_file_whose_bytes_are_gone_is_not_found(streets_agent, make_case, stored_files):
    case = make_case(STREETS)
    photo = stored_files(case, "photo", png_bytes(), "hole.png")
    default_storage.delete(photo.storage_name)

    url = reverse("staff:case_attachment", args=[case.reference, "photo"])
    assert signed_in(streets_agent).get(url).status_code == 404
    assert not AccessLog.objects.filter(where="staff:attachment").exists()


def test_the_timeline_shows_each_fetch_of_a_file_by_a_back_office(
    streets_agent, make_case, stored_files
):
    # Given a case whose photo the highways system fetched: headers, then part, then whole
    case = make_case(STREETS)
    photo = stored_files(case, "photo", png_bytes(), "hole.png")
    highways = ConnectionFactory(name="Highways system")
    for method, status in (("HEAD", 200), ("GET", 206), ("GET", 200)):
        FileFetch.objects.create(file=photo, connection=highways, method=method, status=status)
    gone = ConnectionFactory(name="Old CRM")
    FileFetch.objects.create(file=photo, connection=gone, method="GET", status=200)
    gone.delete()

    # When the team's agent opens the timeline
    response = signed_in(streets_agent).get(reverse("staff:case_timeline", args=[case.reference]))

    # Then each fetch is an entry naming the system and the file
    text = text_of(response)
    assert text.count("Fetched by Highways system") == 3
    assert text.count("hole.png") == 4
    assert "hole.png Checked the file without downloading it" in text
    assert "hole.png Downloaded part of the file" in text
    assert text.count("hole.png Downloaded the file") == 2
    assert "Fetched by a system since removed" in text


def _with_history(case: Submission, deliveries: int, files: int = 0) -> None:
    now = timezone.now()
    Submission.objects.filter(pk=case.pk).update(
        routing_round=1,
        routing_decision={
            "round": 1,
            "decided_at": now.isoformat(),
            "routed": True,
            "destinations": ["Waste system"],
            "reasons": ["The bin type is garden"],
        },
    )
    for _ in range(deliveries):
        delivery = DeliveryFactory.create(
            submission=case,
            state=Delivery.State.DELIVERED,
            delivered_at=now,
            external_reference="WX-1",
        )
        AttemptFactory(delivery=delivery, number=1, status_code="503")
        AttemptFactory(delivery=delivery, number=2, outcome="delivered", status_code="201")
        CaseUpdate.objects.create(
            submission=case,
            connection=delivery.connection,
            update_id=f"u-{delivery.pk}",
            external_status="COLLECTED",
            portal_status=Submission.Status.CLOSED_FIXED,
            occurred_at=now,
            outcome=CaseUpdate.Outcome.APPLIED,
            source=CaseUpdate.Source.CALLBACK,
            applied=True,
        )
    for number in range(files):
        # Rows only: neither page reads a file's bytes
        kept = SubmissionFile.objects.create(
            submission=case,
            question_id=f"photo-{number}",
            name=f"photo {number}.png",
            storage_name=f"uploads/{number:032d}.png",
            content_type="image/png",
            size=1000 * (number + 1),
            sha256="0" * 64,
            deleted_at=now if number % 2 else None,
        )
        for delivery in case.deliveries.all():
            FileFetch.objects.create(
                file=kept, connection=delivery.connection, method="GET", status=200
            )


def test_the_timeline_shows_routing_every_attempt_the_back_office_reference_and_updates(
    agent_client, waste_case
):
    _with_history(waste_case, deliveries=1)

    response = agent_client.get(reverse("staff:case_timeline", args=[waste_case.reference]))

    text = text_of(response)
    assert "Sent on to Waste system" in text
    assert "The bin type is garden" in text
    assert "Delivery attempt 1 to" in text
    assert "Delivery attempt 2 to" in text
    assert "Response: 503" in text
    assert "Back-office reference: WX-1" in text
    assert "Status update from" in text
    assert "COLLECTED" in text


@pytest.mark.parametrize("url_name", ["staff:case", "staff:case_timeline"])
def test_a_case_page_uses_the_same_number_of_queries_however_long_its_history(
    agent_client, make_case, url_name
):
    def queries(case: Submission) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = agent_client.get(reverse(url_name, args=[case.reference]))
            assert response.status_code == 200
        return len(captured)

    short, long = make_case(WASTE), make_case(WASTE)
    _with_history(short, deliveries=1, files=1)
    _with_history(long, deliveries=4, files=5)
    for _ in range(5):
        make_case(WASTE, user=long.user)
    queries(short)  # the first request fills Django's content-type cache
    assert queries(long) == queries(short)


@pytest.mark.parametrize("url_name", ["staff:case", "staff:case_timeline"])
def test_opening_a_case_is_recorded_in_the_access_log(
    waste_agent, agent_client, waste_case, url_name
):
    agent_client.get(reverse(url_name, args=[waste_case.reference]))
    row = AccessLog.objects.get(actor=waste_agent)
    assert row.submission == waste_case
    assert row.subject == waste_case.user


@pytest.mark.parametrize("reference", ["NOPE", "ABCD-EFGH", "a\x00b", "x" * 500, "%00", "ÆØÅ-ÆØÅ"])
def test_a_made_up_reference_is_not_found(agent_client, waste_case, reference):
    assert agent_client.get(f"/staff/cases/{reference}/").status_code == 404
    assert agent_client.get(f"/staff/cases/{reference}/timeline/").status_code == 404


def test_a_message_notify_could_not_deliver_is_shown_on_the_case_and_its_timeline(
    agent_client, make_case
):
    from services.messages.outbox import queue_message
    from services.models import OutgoingMessage

    # Given a status update sent to the resident that Notify said was undeliverable for good
    case = make_case(WASTE)
    message = queue_message(
        kind="status_update", recipient="typo@example.org", subject="s", body="b", submission=case
    )
    at = datetime(2026, 12, 5, 10, 30, tzinfo=UTC)
    OutgoingMessage.objects.filter(pk=message.pk).update(
        state="sent",
        sent_at=at,
        delivery_status=OutgoingMessage.DeliveryStatus.PERMANENT_FAILURE,
        delivery_status_at=at,
    )

    # When an agent opens the case and its timeline
    details = text_of(agent_client.get(reverse("staff:case", args=[case.reference])))
    timeline = text_of(agent_client.get(reverse("staff:case_timeline", args=[case.reference])))

    # Then both warn that the resident's address is wrong, and the timeline says what happened
    warning = "A message to the resident (E-mail) could not be delivered on 5 December 2026"
    assert warning in details
    assert warning in timeline
    assert "Message to the resident sent: status update (E-mail)" in timeline
    assert (
        "Message to the resident not delivered: status update (E-mail) "
        "5 December 2026 10:30:00 Not delivered: the address or number is wrong"
    ) in timeline
    # And never the address itself
    assert "typo@example.org" not in timeline


def test_a_guest_who_gave_no_name_is_said_to_have_given_none(agent_client, make_case):
    case = make_case(WASTE, user=None, contact_name="", contact_email="guest@example.org")

    page = agent_client.get(reverse("staff:case", args=[case.reference])).content.decode()

    assert "Not given (sent without an account)" in page
