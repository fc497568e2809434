"""Adding to a case: an internal note and a logged contact, shown on the timeline."""

import re

import pytest
from django.urls import reverse

from services.models import AccessLog, CaseActivity
from tests.portal.staff.conftest import signed_in

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_an_agent_adds_a_note_that_shows_on_the_timeline(waste_agent, waste_case):
    client = signed_in(waste_agent)
    url = reverse("staff:case_note", args=[waste_case.reference])
    assert client.get(url).status_code == 200

    response = client.post(url, {"text": "Resident says the bin is behind the gate"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse(
        "staff:case_timeline", args=[waste_case.reference]
    )
    text = text_of(response)
    assert "Note added" in text
    assert "Internal note" in text
    assert "Resident says the bin is behind the gate" in text
    assert "by Wendy Waste" in text
    note = CaseActivity.objects.get()
    assert (note.author, note.kind, note.submission) == (waste_agent, "note", waste_case)


def test_an_agent_logs_a_phone_call_with_its_outcome(waste_agent, waste_case):
    client = signed_in(waste_agent)
    url = reverse("staff:case_contact", args=[waste_case.reference])
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {"kind": "phone", "outcome": "follow_up", "text": "Will check with the crew"},
        follow=True,
    )

    text = text_of(response)
    assert "Contact logged" in text
    assert "Phone call" in text
    assert "Outcome: Needs follow-up" in text
    assert CaseActivity.objects.get().outcome == "follow_up"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("case_note", {}),
        ("case_note", {"text": "  "}),
        ("case_note", {"text": "a\x00b"}),
        ("case_note", {"text": "x" * 2001}),
        ("case_contact", {"text": "hello"}),
        ("case_contact", {"kind": "carrier pigeon", "outcome": "resolved", "text": "hi"}),
        ("case_contact", {"kind": "note", "outcome": "resolved", "text": "hi"}),
        ("case_contact", {"kind": "phone", "outcome": "lost", "text": "hi"}),
    ],
)
def test_bad_input_gets_a_clear_error_and_adds_nothing(waste_agent, waste_case, name, data):
    client = signed_in(waste_agent)
    response = client.post(reverse(f"staff:{name}", args=[waste_case.reference]), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error:" in html
    for target in re.findall(r"govuk-error-summary.*?</ul>", html, re.S)[0:1]:
        for anchor in re.findall(r'href="#([^"]+)"', target):
            assert f'id="{anchor}"' in html, anchor
    assert not CaseActivity.objects.exists()


@pytest.mark.parametrize("name", ["case_note", "case_contact"])
def test_an_agent_of_another_team_cannot_add_to_the_case(streets_agent, waste_case, name):
    client = signed_in(streets_agent)
    url = reverse(f"staff:{name}", args=[waste_case.reference])
    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"text": "x", "kind": "phone", "outcome": "resolved"}).status_code == 404
    )
    assert not CaseActivity.objects.exists()
    assert not AccessLog.objects.exists()
