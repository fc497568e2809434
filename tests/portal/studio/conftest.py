"""Fixtures of the studio tests: a service admin and a system admin (both with MFA set up, as
the workspace requires), the seeded catalogue, and a signed-in client for each; for the form
builder's tests, the seeded "Report a missed bin" service and a draft of its form."""

from typing import Any

import pytest
from django.test import Client

from portal.accounts.roles import SERVICE_ADMIN, SYSTEM_ADMIN
from services.models import FormVersion, Service
from services.seed import seed_catalogue
from tests.portal.accounts.factories import UserFactory
from tests.portal.staff.conftest import signed_in, with_mfa


@pytest.fixture
def catalogue(db: None) -> dict[str, Service]:
    return {service.slug: service for service in seed_catalogue()}


@pytest.fixture
def service_admin(db: None) -> Any:
    return with_mfa(UserFactory(is_staff=True, roles=[SERVICE_ADMIN], full_name="Sam Services"))


@pytest.fixture
def system_admin(db: None) -> Any:
    return with_mfa(UserFactory(is_staff=True, roles=[SYSTEM_ADMIN], full_name="Sys Admin"))


@pytest.fixture
def service_admin_client(service_admin: Any) -> Client:
    return signed_in(service_admin)


@pytest.fixture
def system_admin_client(system_admin: Any) -> Client:
    return signed_in(system_admin)


@pytest.fixture
def service(catalogue: dict[str, Service]) -> Service:
    return catalogue["report-missed-bin"]


@pytest.fixture
def draft(service: Service) -> FormVersion:
    live = service.form.live_version
    assert live is not None
    return FormVersion.new_draft_from(live)
