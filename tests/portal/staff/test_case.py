"""The case page (answers, files, contact details, other cases) and its timeline."""

import io
import re

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfWriter

from services.forms.uploads import inspect_upload, store_upload
from services.models import AccessLog, CaseUpdate, Delivery, Submission
from tests.portal.accounts.factories import UserFactory
from tests.portal.staff.conftest import STREETS, WASTE, signed_in
from tests.services.delivery_admin.factories import AttemptFactory, DeliveryFactory

pytestmark = pytest.mark.django_db


def a_pdf() -> bytes:
    """A real one-page PDF (uploads are parsed, so a bare "%PDF" header is refused)."""
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PDF = a_pdf()


@pytest.fixture
def agent_client(waste_agent):
    return signed_in(waste_agent)


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


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


def test_a_file_is_downloaded_through_the_scope_check_and_recorded(
    waste_agent, agent_client, streets_agent, make_case
):
    # Given a pothole case with a photo... here a PDF, on the streets team's service
    stored = store_upload(io.BytesIO(PDF), inspect_upload(io.BytesIO(PDF)))
    case = make_case(STREETS, answers={"photo": {"reference": stored, "name": "hole.pdf"}})
    url = reverse("staff:case_attachment", args=[case.reference, "photo"])
    try:
        # An agent of another team gets nothing
        assert agent_client.get(url).status_code == 404
        # The team's agent gets the file, as a download, and the access log says so
        response = signed_in(streets_agent).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert AccessLog.objects.filter(
            actor=streets_agent, where="staff:attachment", submission=case
        ).exists()
        # A question that is no file question, or not there, is not found
        other = reverse("staff:case_attachment", args=[case.reference, "details"])
        assert signed_in(streets_agent).get(other).status_code == 404
    finally:
        default_storage.delete(stored)


def _with_history(case: Submission, deliveries: int) -> None:
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
    _with_history(short, deliveries=1)
    _with_history(long, deliveries=4)
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
