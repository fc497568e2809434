"""The resident view: finding a person, and their page within the agent's scope."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from services.models import AccessLog
from services.staff.casework import add_note, log_contact
from tests.portal.accounts.factories import UserFactory
from tests.portal.dashboard.factories import MISSED_BIN_ANSWERS, DraftFactory, live_version
from tests.portal.staff.conftest import STREETS, WASTE, signed_in

pytestmark = pytest.mark.django_db

ELSEWHERE = {
    **MISSED_BIN_ANSWERS,
    "collection_address": {"line1": "9 Mill Lane", "town": "Otherton", "postcode": "ZZ99 9ZZ"},
}


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.fixture
def olwen(db):
    return UserFactory(
        full_name="Olwen Pritchard",
        email="olwen@example.org",
        phone="07700 900982",
        address={"line1": "1 High Street", "town": "Exampleton", "postcode": "ZZ99 1AA"},
    )


@pytest.fixture
def agent_client(waste_agent):
    return signed_in(waste_agent)


def found_links(client, q) -> list[str]:
    response = client.get(reverse("staff:residents"), {"q": q})
    assert response.status_code == 200
    return re.findall(r'href="(/staff/residents/[^"]+)"', response.content.decode())


@pytest.mark.parametrize(
    "typed",
    [
        "olwen pritchard",
        "PRITCHARD",
        "OLWEN@example.org",
        "+44 7700 900982",
        "(07700) 900-982",
        "zz991aa",
        "high street",
    ],
)
def test_an_agent_finds_a_resident_by_name_email_phone_postcode_or_address(
    agent_client, make_case, olwen, typed
):
    make_case(WASTE, user=olwen)
    make_case(WASTE, answers=ELSEWHERE)  # someone else's, to be left out

    assert found_links(agent_client, typed) == [reverse("staff:resident", args=[olwen.pk])]


def test_a_resident_with_several_cases_is_one_row(agent_client, make_case, olwen):
    make_case(WASTE, user=olwen)
    make_case(WASTE, user=olwen)

    assert found_links(agent_client, "Pritchard") == [reverse("staff:resident", args=[olwen.pk])]
    assert "1 resident" in text_of(agent_client.get(reverse("staff:residents"), {"q": "olwen"}))


def test_each_person_a_search_lists_is_recorded_in_the_access_log(
    waste_agent, agent_client, make_case, olwen
):
    case = make_case(WASTE, user=olwen)
    make_case(WASTE)

    found_links(agent_client, "Pritchard")

    [row] = AccessLog.objects.filter(actor=waste_agent, where="staff:residents")
    assert row.submission == case


def test_an_empty_search_lists_nobody(agent_client, make_case, olwen):
    make_case(WASTE, user=olwen)
    response = agent_client.get(reverse("staff:residents"))
    assert response.status_code == 200
    assert "olwen@example.org" not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_a_guest_is_found_by_the_email_on_the_cases_they_sent(agent_client, make_case):
    first = make_case(WASTE, user=None, contact_email="Guest@Example.org")
    newest = make_case(WASTE, user=None, contact_email="guest@example.org")

    links = found_links(agent_client, "guest@example.org")

    # One person, named by a case of theirs, never by the address
    assert len(links) == 1
    assert links == [reverse("staff:guest_resident", args=[newest.reference])]
    page = agent_client.get(links[0])
    assert page.status_code == 200
    text = text_of(page)
    assert "Resident without an account" in text
    assert first.reference in text
    assert newest.reference in text


def test_the_resident_page_shows_details_cases_in_scope_drafts_and_contacts(
    waste_agent, agent_client, make_case, olwen
):
    # Given Olwen's missed-bin case (the waste team's) and her pothole case (the streets team's)
    bin_case = make_case(WASTE, user=olwen)
    pothole = make_case(STREETS, user=olwen)
    log_contact(bin_case, waste_agent, kind="phone", outcome="resolved", text="Bin collected")
    add_note(bin_case, waste_agent, "Internal only: not a contact")
    log_contact(pothole, waste_agent, kind="phone", outcome="resolved", text="About the pothole")
    DraftFactory(user=olwen)  # a missed-bin form she has not finished
    DraftFactory(user=olwen, form_version=live_version(STREETS))

    # When the waste agent opens her page
    response = agent_client.get(reverse("staff:resident", args=[olwen.pk]))

    # Then they see her details and only the cases their team handles
    assert response.status_code == 200
    text = text_of(response)
    for shown in ("Olwen Pritchard", "olwen@example.org", "07700 900982", "ZZ99 1AA"):
        assert shown in text
    assert bin_case.reference in text
    assert pothole.reference not in text
    assert "They have 1 other case that teams you are not in handle" in text
    # Her unfinished missed-bin form, and that there is one other
    assert "Report a missed bin" in text
    assert "Report a pothole" not in text
    assert "They have 1 unfinished form for a service your teams do not handle" in text
    # The contact logged on her case in scope, not notes, not the other team's contact
    assert "Phone call about case " + bin_case.reference in text
    assert "Bin collected" in text
    assert "Internal only" not in text
    assert "About the pothole" not in text
    # And the view is recorded, with her as its subject
    [row] = AccessLog.objects.filter(where="staff:resident")
    assert (row.actor, row.subject, row.submission) == (waste_agent, olwen, None)


def test_a_guest_page_is_recorded_against_the_case_that_names_them(
    waste_agent, agent_client, make_case
):
    case = make_case(WASTE, user=None, contact_email="guest@example.org")

    agent_client.get(reverse("staff:guest_resident", args=[case.reference]))

    [row] = AccessLog.objects.filter(where="staff:resident")
    assert (row.actor, row.subject, row.submission) == (waste_agent, None, case)


def test_a_guest_is_never_merged_with_an_account_of_the_same_address(
    agent_client, make_case, olwen
):
    account_case = make_case(WASTE, user=olwen)
    guest_case = make_case(WASTE, user=None, contact_email="OLWEN@example.org")

    text = text_of(agent_client.get(reverse("staff:guest_resident", args=[guest_case.reference])))

    assert guest_case.reference in text
    assert account_case.reference not in text


def test_a_guest_link_to_an_account_holders_case_goes_to_their_page(agent_client, make_case, olwen):
    case = make_case(WASTE, user=olwen)
    response = agent_client.get(reverse("staff:guest_resident", args=[case.reference]))
    assert response["Location"] == reverse("staff:resident", args=[olwen.pk])


def test_the_case_view_links_to_the_residents_page(agent_client, make_case, olwen):
    case = make_case(WASTE, user=olwen)
    guest_case = make_case(WASTE, user=None, contact_email="guest@example.org")

    for shown, page in (
        (case, reverse("staff:resident", args=[olwen.pk])),
        (guest_case, reverse("staff:guest_resident", args=[guest_case.reference])),
    ):
        html = agent_client.get(reverse("staff:case", args=[shown.reference])).content.decode()
        assert f'href="{page}"' in html


def test_an_agent_of_another_team_finds_and_opens_nobody(streets_agent, make_case, olwen):
    case = make_case(WASTE, user=olwen)
    guest_case = make_case(WASTE, user=None, contact_email="guest@example.org")
    client = signed_in(streets_agent)

    assert found_links(client, "Pritchard") == []
    assert found_links(client, "guest@example.org") == []
    assert client.get(reverse("staff:resident", args=[olwen.pk])).status_code == 404
    assert (
        client.get(reverse("staff:guest_resident", args=[guest_case.reference])).status_code == 404
    )
    assert not AccessLog.objects.exists()
    assert case.reference  # (the case exists: the 404 is scope, not absence)


def test_a_supervisor_reads_contacts_outside_their_teams_only_after_giving_a_reason(
    supervisor, waste_agent, make_case, olwen
):
    # Given Olwen's pothole case, outside the supervisor's own (waste) team, with a logged call
    pothole = make_case(STREETS, user=olwen)
    log_contact(pothole, waste_agent, kind="phone", outcome="resolved", text="About the pothole")
    client = signed_in(supervisor)
    page = reverse("staff:resident", args=[olwen.pk])

    # The page lists the contact but sends them to the case (and its reason prompt) to read it
    text = text_of(client.get(page))
    assert f"Open case {pothole.reference} to read what was said" in text
    assert "About the pothole" not in text

    # Once they have said why they opened that case, the page shows what was said
    client.post(reverse("staff:case_reason", args=[pothole.reference]), {"reason": "Caller"})
    assert "About the pothole" in text_of(client.get(page))


def test_the_resident_page_uses_the_same_number_of_queries_however_much_it_shows(
    waste_agent, agent_client, make_case, olwen
):
    other = UserFactory()

    def queries(person) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = agent_client.get(reverse("staff:resident", args=[person.pk]))
            assert response.status_code == 200
        return len(captured)

    make_case(WASTE, user=other)
    for _ in range(6):
        case = make_case(WASTE, user=olwen)
        log_contact(case, waste_agent, kind="phone", outcome="resolved", text="Called")
        DraftFactory(user=olwen)
    make_case(STREETS, user=olwen)
    queries(other)  # the first request warms Django's caches
    assert queries(olwen) == queries(other)


def test_the_resident_search_uses_the_same_number_of_queries_whatever_it_lists(
    agent_client, make_case
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert agent_client.get(reverse("staff:residents"), {"q": "example"}).status_code == 200
        return len(captured)

    make_case(WASTE, user=None, contact_email="one@example.org")
    make_case(WASTE)  # an account holder's: their accounts are read in one query
    one = queries()
    for number in range(12):
        make_case(
            WASTE,
            user=None if number % 2 else UserFactory(),
            contact_email=f"g{number}@example.org",
        )
    assert queries() == one


@pytest.mark.parametrize(
    "path",
    [
        "/staff/residents/0/",
        "/staff/residents/99999999999999999999999/",
        "/staff/residents/guest/junk/",
        "/staff/residents/guest/%F0%9F%99%82/",
        "/staff/residents/guest/K7WP-3XMR%00/",
        "/staff/residents/guest/" + "A" * 500 + "/",
    ],
)
def test_junk_ids_are_not_found(agent_client, make_case, path):
    make_case(WASTE)
    assert agent_client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("q", "status", "error"),
    [
        ("a\x00b", 200, "Remove the special characters from your search"),
        ("\u202e\u0000", 200, "Remove the special characters"),
        ("x" * 201, 200, "Search for 200 characters or fewer"),
        ("🙂", 200, "0 residents"),
        ("ＯＬＷＥＮ", 200, ""),
        ("%", 200, "0 residents"),
        ("_", 200, "0 residents"),
    ],
)
def test_odd_search_text_gets_a_clear_answer_never_a_500(agent_client, make_case, q, status, error):
    make_case(WASTE)
    response = agent_client.get(reverse("staff:residents"), {"q": q})
    assert response.status_code == status
    assert error in text_of(response)


def test_text_that_is_not_utf_8_gets_a_clear_answer(agent_client):
    response = agent_client.get(reverse("staff:residents") + "?q=%ED%A0%80%FF")
    assert response.status_code in (200, 400)


def test_a_page_number_that_is_no_number_or_past_the_end_shows_a_real_page(agent_client, make_case):
    make_case(WASTE, user=None, contact_email="guest@example.org")
    for page in ("junk", "99999999999999999999", "-1"):
        response = agent_client.get(
            reverse("staff:residents"), {"q": "guest@example.org", "page": page}
        )
        assert response.status_code == 200
        assert "1 resident" in text_of(response)
