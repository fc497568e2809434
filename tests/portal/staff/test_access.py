"""Every /staff/ page, tried by everyone who must not see a team's case there.

URL_NAMES lists each workspace page with the path parts it needs, and a test checks that list
against the URLconf, so a page added later without an entry here fails until it is tried too.
"""

from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from portal.accounts.roles import AGENT
from tests.portal.accounts.factories import UserFactory
from tests.portal.staff.conftest import signed_in

pytestmark = pytest.mark.django_db

# url name -> how to build its path parts from the waste team's case
URL_NAMES: dict[str, Any] = {
    "staff:home": lambda case: {},
    "staff:case": lambda case: {"reference": case.reference},
    "staff:case_timeline": lambda case: {"reference": case.reference},
    "staff:case_reason": lambda case: {"reference": case.reference},
    "staff:case_note": lambda case: {"reference": case.reference},
    "staff:case_contact": lambda case: {"reference": case.reference},
    "staff:case_status": lambda case: {"reference": case.reference},
    "staff:case_question": lambda case: {"reference": case.reference},
    "staff:case_delivery_retry": lambda case: {"reference": case.reference, "delivery_id": 1},
    "staff:case_update_resend": lambda case: {"reference": case.reference, "update_id": 1},
    "staff:case_attachment": lambda case: {"reference": case.reference, "question_id": "photo"},
    "staff:residents": lambda case: {},
    "staff:resident": lambda case: {"user_id": case.user_id},
    "staff:guest_resident": lambda case: {"reference": case.reference},
    "staff:assist": lambda case: {},
    "staff:assist_resident": lambda case: {},
    "staff:assist_caller": lambda case: {},
    "staff:assist_stop": lambda case: {"draft_id": "00000000-0000-4000-8000-000000000000"},
    "staff:assist_sent": lambda case: {"reference": case.reference},
    # The audit log: for the data protection officer (and system admins) only
    "staff:audit_log": lambda case: {},
    "staff:audit_export": lambda case: {},
    # What retention anonymises next: for system admins and the data protection officer only
    "staff:retention": lambda case: {},
}
# Pages of no one case or person, which every agent may open (what they list is scoped: tested
# with them).
NOT_OF_A_CASE = {
    "staff:home",
    "staff:residents",
    "staff:assist",
    "staff:assist_resident",
    "staff:assist_caller",
}
AUDIT_URL_NAMES = {"staff:audit_log", "staff:audit_export", "staff:retention"}


def staff_urls(case: Any, *, only_of_the_case: bool = False) -> list[str]:
    return [
        reverse(name, kwargs=kwargs(case))
        for name, kwargs in URL_NAMES.items()
        if not (only_of_the_case and name in NOT_OF_A_CASE)
    ]


def test_every_staff_url_is_tried_by_these_tests():
    names = {
        f"staff:{pattern.name}"
        for pattern in get_resolver("portal.staff.urls").url_patterns
        if getattr(pattern, "name", None)
    }
    assert names == set(URL_NAMES)


def test_a_guest_is_asked_to_sign_in_for_every_staff_page(waste_case):
    for url in staff_urls(waste_case):
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


def test_a_resident_is_refused_every_staff_page(waste_case):
    resident = signed_in(UserFactory())
    for url in staff_urls(waste_case):
        assert resident.get(url).status_code == 403, url


def test_staff_without_mfa_are_sent_to_set_it_up_before_any_staff_page(teams, waste_case):
    # Given a waste agent who has not set up an authenticator app
    agent = UserFactory(roles=[AGENT])
    teams["waste"].members.add(agent)
    for url in staff_urls(waste_case):
        response = signed_in(agent).get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp"), url


def test_an_agent_of_another_team_never_sees_the_case(streets_agent, waste_case):
    # Given a streets agent and a missed-bin case (the waste team's)
    client = signed_in(streets_agent)

    # Every page of the case is not found (no hint that it exists); POSTing changes nothing
    # (retrying is for supervisors only: refused before the case is even looked up)
    for url in staff_urls(waste_case, only_of_the_case=True):
        # (the audit log refuses agents outright: 403)
        assert client.get(url).status_code in (403, 404, 405), url
        posted = {"text": "x", "reason": "x", "status": "closed_fixed", "message": "x"}
        assert client.post(url, posted).status_code in (403, 404, 405), url
    assert not waste_case.activities.exists()
    assert not waste_case.case_updates.exists()
    # And the search, even for its exact reference, does not list it
    response = client.get(reverse("staff:home"), {"q": waste_case.reference})
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("staff:case", args=[waste_case.reference]) not in html
    assert "0 cases" in html
    assert waste_case.contact_email not in html
    # Nor does the resident search list its resident
    response = client.get(reverse("staff:residents"), {"q": waste_case.contact_email})
    html = response.content.decode()
    assert "0 residents" in html
    assert reverse("staff:resident", args=[waste_case.user_id]) not in html


def test_the_agent_of_the_team_sees_the_case(waste_agent, waste_case):
    client = signed_in(waste_agent)
    response = client.get(reverse("staff:case", args=[waste_case.reference]))
    assert response.status_code == 200
    assert waste_case.contact_email in response.content.decode()


def test_agents_and_supervisors_are_refused_the_audit_log(waste_agent, supervisor, waste_case):
    for person in (waste_agent, supervisor):
        client = signed_in(person)
        for name in AUDIT_URL_NAMES:
            assert client.get(reverse(name)).status_code == 403, (person, name)
