"""Audit: a supervisor says why before opening a case outside their teams; the reason is kept
with every view of it. (Each view's own access-log row is tested beside the view.)"""

import pytest
from django.urls import reverse

from services.models import AccessLog
from tests.portal.accounts.factories import UserFactory
from tests.portal.staff.conftest import STREETS, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def outside_case(make_case):
    """A pothole case: the streets team's, not the supervisor's own (waste) team's."""
    return make_case(STREETS, user=UserFactory(email="private.person@example.org"))


@pytest.mark.parametrize("url_name", ["staff:case", "staff:case_timeline"])
def test_a_supervisor_is_asked_why_before_opening_a_case_outside_their_teams(
    supervisor, outside_case, url_name
):
    client = signed_in(supervisor)

    # When they open the case, they are asked why first, and the prompt shows no personal data
    response = client.get(reverse(url_name, args=[outside_case.reference]))
    reason_url = reverse("staff:case_reason", args=[outside_case.reference])
    assert response.status_code == 302
    assert response["Location"] == reason_url
    prompt = client.get(reason_url)
    assert prompt.status_code == 200
    assert "private.person@example.org" not in prompt.content.decode()
    assert not AccessLog.objects.exists()


def test_the_reason_is_recorded_and_kept_with_every_view_of_the_case(supervisor, outside_case):
    client = signed_in(supervisor)
    reason_url = reverse("staff:case_reason", args=[outside_case.reference])

    response = client.post(reason_url, {"reason": "Resident phoned; the streets desk is closed"})

    assert response.status_code == 302
    assert response["Location"] == reverse("staff:case", args=[outside_case.reference])
    assert client.get(response["Location"]).status_code == 200
    client.get(reverse("staff:case_timeline", args=[outside_case.reference]))
    rows = AccessLog.objects.filter(actor=supervisor, submission=outside_case).order_by("at")
    assert [row.where for row in rows] == ["staff:reason", "staff:case", "staff:timeline"]
    assert {row.reason for row in rows} == {"Resident phoned; the streets desk is closed"}


@pytest.mark.parametrize("reason", ["", "   ", "a\x00b", "x" * 501])
def test_no_reason_or_a_bad_one_gets_a_clear_error_and_opens_nothing(
    supervisor, outside_case, reason
):
    client = signed_in(supervisor)
    reason_url = reverse("staff:case_reason", args=[outside_case.reference])

    response = client.post(reason_url, {"reason": reason})

    assert response.status_code == 200
    assert "<title>Error:" in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    assert client.get(reverse("staff:case", args=[outside_case.reference])).status_code == 302
    assert not AccessLog.objects.exists()


def test_a_supervisor_opens_a_case_of_their_own_team_without_a_reason(supervisor, waste_case):
    client = signed_in(supervisor)
    assert client.get(reverse("staff:case", args=[waste_case.reference])).status_code == 200
    assert client.get(reverse("staff:case_reason", args=[waste_case.reference])).status_code == 302
    assert AccessLog.objects.get(actor=supervisor).reason == ""


def test_an_agent_cannot_reach_another_teams_case_through_the_reason_page(
    waste_agent, outside_case
):
    client = signed_in(waste_agent)
    reason_url = reverse("staff:case_reason", args=[outside_case.reference])
    assert client.get(reason_url).status_code == 404
    assert client.post(reason_url, {"reason": "curious"}).status_code == 404
    assert not AccessLog.objects.exists()
