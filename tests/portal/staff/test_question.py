"""Asking the resident a question from the workspace, and reading their answer on the case."""

import re

import pytest
from django.urls import reverse

from services.conversations.resident import reply
from services.models import AccessLog, CaseMessage, OutgoingMessage, Submission
from tests.portal.accounts.factories import UserFactory
from tests.portal.accounts.helpers import assert_clear_error
from tests.portal.staff.conftest import signed_in

pytestmark = pytest.mark.django_db
S = Submission.Status


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def ask(client, case, question: str):
    url = reverse("staff:case_question", args=[case.reference])
    return client.post(url, {"question": question}, follow=True)


def test_an_agent_asks_and_the_welsh_resident_is_asked_in_welsh(
    waste_agent, make_case, mail_through_celery
):
    # Given a case of a resident who uses the portal in Welsh
    resident = UserFactory(email="olwen@example.org")
    case = make_case(user=resident, language="cy")
    client = signed_in(waste_agent)
    assert client.get(reverse("staff:case_question", args=[case.reference])).status_code == 200

    # When the agent asks a question
    response = ask(client, case, "Pa fin sydd heb ei gasglu?")

    # Then the case waits for the resident, and the timeline shows the question
    assert response.redirect_chain[-1][0] == reverse("staff:case_timeline", args=[case.reference])
    case.refresh_from_db()
    assert case.status == S.NEEDS_INFORMATION
    text = text_of(response)
    assert "Question sent. The case is waiting for the resident’s reply." in text
    assert "Question from the council by Wendy Waste" in text
    # And the resident is asked once, in Welsh, by a message of its own kind
    [email] = mail_through_celery
    assert email.to == ["olwen@example.org"]
    assert "Pa fin sydd heb ei gasglu?" in email.body
    assert OutgoingMessage.objects.get(kind="information_request").language == "cy"
    assert "Mae angen rhagor o wybodaeth" in email.body
    # And the staff member's looking at the case is audited as any other case page
    assert AccessLog.objects.filter(actor=waste_agent, submission=case).exists()


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "Enter your question"),
        ("x" * 301, "The question must be 300 characters or fewer"),
        ("ok\x00", "Remove the special characters from the question"),
    ],
)
def test_a_bad_question_gets_a_clear_error_and_changes_nothing(
    waste_agent, make_case, question, message
):
    case = make_case()
    response = signed_in(waste_agent).post(
        reverse("staff:case_question", args=[case.reference]), {"question": question}
    )
    assert_clear_error(response)
    assert message in text_of(response)
    case.refresh_from_db()
    assert case.status == S.RECEIVED
    assert not CaseMessage.objects.exists()


def test_another_teams_case_is_not_found(streets_agent, make_case):
    case = make_case()
    response = signed_in(streets_agent).post(
        reverse("staff:case_question", args=[case.reference]), {"question": "Which bin?"}
    )
    assert response.status_code == 404
    assert not CaseMessage.objects.exists()


def test_the_residents_reply_shows_on_the_staff_timeline(waste_agent, make_case):
    case = make_case()
    client = signed_in(waste_agent)
    ask(client, case, "Which bin?")
    reply(case, author=None, text="The brown one")

    page = client.get(reverse("staff:case_timeline", args=[case.reference]))
    text = text_of(page)
    assert "Reply from the resident by the resident" in text
    assert "The brown one" in text
    assert "Status changed to In progress by the resident" in text
