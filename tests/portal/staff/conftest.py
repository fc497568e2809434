"""Fixtures of the staff workspace tests: two teams, their agents, a supervisor, and cases.

The waste team covers missed bins; the streets team covers potholes. Every staff member has set
up an authenticator app (the workspace is behind MFA) unless a test says otherwise.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from portal.accounts.roles import AGENT, SUPERVISOR
from services.models import Submission, Team
from services.seed import seed_catalogue
from tests.portal.accounts.factories import UserFactory
from tests.portal.accounts.helpers import activate_totp
from tests.portal.conftest import CommittingClient
from tests.portal.dashboard.factories import SubmissionFactory, live_version
from tests.services.stored_files import stored_files

__all__ = ["stored_files"]

WASTE = "report-missed-bin"
STREETS = "report-pothole"


def with_mfa(user: Any) -> Any:
    activate_totp(user)
    return user


def signed_in(user: Any) -> Client:
    client = CommittingClient()
    client.force_login(user)
    return client


@pytest.fixture
def catalogue(db: None) -> dict[str, Any]:
    """The seeded services by slug."""
    return {service.slug: service for service in seed_catalogue()}


@pytest.fixture
def teams(catalogue: dict[str, Any]) -> dict[str, Team]:
    waste = Team.objects.create(name="Waste")
    waste.services.add(catalogue[WASTE])
    streets = Team.objects.create(name="Streets")
    streets.services.add(catalogue[STREETS])
    return {"waste": waste, "streets": streets}


@pytest.fixture
def waste_agent(teams: dict[str, Team]) -> Any:
    agent = with_mfa(UserFactory(roles=[AGENT], full_name="Wendy Waste"))
    teams["waste"].members.add(agent)
    return agent


@pytest.fixture
def streets_agent(teams: dict[str, Team]) -> Any:
    agent = with_mfa(UserFactory(roles=[AGENT], full_name="Stan Streets"))
    teams["streets"].members.add(agent)
    return agent


@pytest.fixture
def supervisor(teams: dict[str, Team]) -> Any:
    boss = with_mfa(UserFactory(roles=[SUPERVISOR], full_name="Sue Pervisor"))
    teams["waste"].members.add(boss)
    return boss


@pytest.fixture
def make_case(catalogue: dict[str, Any]) -> Callable[..., Submission]:
    """A case of the given service; answers default to the missed-bin ones for that form."""

    def make(slug: str = WASTE, **fields: Any) -> Submission:
        if slug != WASTE:
            fields.setdefault("answers", {})
        case: Submission = SubmissionFactory.create(form_version=live_version(slug), **fields)
        return case

    return make


@pytest.fixture
def waste_case(make_case: Callable[..., Submission]) -> Submission:
    return make_case(WASTE)


@pytest.fixture
def streets_case(make_case: Callable[..., Submission]) -> Submission:
    return make_case(STREETS)
