"""Scope: an agent sees the cases of the services their teams cover; a supervisor sees all."""

import pytest

from portal.accounts.roles import AGENT, SERVICE_ADMIN
from services.models import Team
from services.staff.scope import cases_visible_to, is_outside_own_teams
from tests.portal.accounts.factories import UserFactory
from tests.portal.staff.conftest import with_mfa

pytestmark = pytest.mark.django_db


def test_an_agent_sees_only_the_cases_of_the_services_their_teams_cover(
    waste_agent, waste_case, streets_case
):
    # Given a waste agent, a missed-bin case and a pothole case
    # When we ask which cases the agent may see
    visible = set(cases_visible_to(waste_agent))

    # Then only the missed-bin case
    assert visible == {waste_case}


def test_a_team_covering_every_service_sees_every_case(teams, waste_case, streets_case):
    # Given an agent in a general enquiries team
    desk = Team.objects.create(name="General enquiries", all_services=True)
    agent = with_mfa(UserFactory(roles=[AGENT]))
    desk.members.add(agent)

    # Then they see both cases, each once
    assert sorted(cases_visible_to(agent), key=lambda c: c.pk) == [waste_case, streets_case]


def test_an_agent_in_two_teams_sees_each_case_once(teams, waste_agent, waste_case, streets_case):
    # Given an agent in both teams, one of which covers the same service twice over
    teams["streets"].members.add(waste_agent)
    teams["streets"].services.add(waste_case.service)

    # Then each case is listed once
    assert sorted(cases_visible_to(waste_agent), key=lambda c: c.pk) == [waste_case, streets_case]


def test_an_agent_in_no_team_sees_nothing(catalogue, waste_case):
    agent = with_mfa(UserFactory(roles=[AGENT]))
    assert not cases_visible_to(agent).exists()


@pytest.mark.parametrize("roles", [[], [SERVICE_ADMIN]])
def test_people_without_the_workspace_permission_see_nothing_even_in_a_team(
    teams, waste_case, roles
):
    # Given a resident (or a service admin) somebody put in the waste team
    person = UserFactory(roles=roles)
    teams["waste"].members.add(person)

    # Then the workspace shows them no case
    assert not cases_visible_to(person).exists()


def test_a_supervisor_sees_every_case_and_is_told_which_are_outside_their_teams(
    supervisor, waste_case, streets_case
):
    assert set(cases_visible_to(supervisor)) == {waste_case, streets_case}
    assert not is_outside_own_teams(supervisor, waste_case)
    assert is_outside_own_teams(supervisor, streets_case)
