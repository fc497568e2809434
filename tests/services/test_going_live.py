"""A service takes submissions only when its routing sends them somewhere: making it live,
publishing a version of it while live, and `routing import` all ask Service.unrouted_reason."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.test import Client

from services.catalogue import publish_version
from services.models import Connection, Destination, FormVersion, RoutingRule, RoutingRuleSet
from services.models.forms import VersionStateError
from services.routing.config_file import ImportProblems, import_document
from tests.portal.accounts.factories import UserFactory
from tests.portal.accounts.helpers import activate_totp
from tests.services.delivery_admin.page_forms import press
from tests.services.factories import FormVersionFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def team_mailbox() -> Connection:
    """A named manual-handling route: an e-mail to the team that handles cases by hand."""
    return Connection.objects.create(
        name="Environmental health team mailbox",
        slug="env-health-mailbox",
        adapter="email",
        config={"to": ["env.health@council.example.gov.uk"], "host": "127.0.0.1"},
        owner_email="it@council.example.gov.uk",
    )


def a_service_with_a_live_form(**service: Any):
    version: Any = FormVersionFactory(form__service=ServiceFactory(is_live=False, **service))
    publish_version(version)
    return version.form.service


def route(service, *, rule_active: bool | None = None) -> Destination:
    """A destination for `service`: the fallback, or that of a rule (active or not)."""
    rule_set = RoutingRuleSet.objects.create(form=service.form)
    rule = None
    if rule_active is not None:
        rule = RoutingRule.objects.create(
            rule_set=rule_set, name="Garden", condition={}, is_active=rule_active
        )
    return Destination.objects.create(
        rule_set=rule_set, rule=rule, name="Team", connection=team_mailbox(), mapping={}
    )


@pytest.fixture
def admin_client() -> Client:
    user: Any = UserFactory(is_staff=True, is_superuser=True)
    activate_totp(user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_a_service_with_no_routing_cannot_be_made_live_and_is_told_why():
    # Given a service whose form is published but not routed
    service = a_service_with_a_live_form(name_en="Report noise")

    # When someone makes it live
    with pytest.raises(ValidationError) as refused:
        service.go_live()

    # Then it is refused, saying what to do, and it stays off
    assert "“Report noise” cannot take submissions: its form has no routing" in str(refused.value)
    service.refresh_from_db()
    assert not service.is_live


def test_a_service_routed_to_a_team_mailbox_may_go_live():
    # Given a service whose fallback is an e-mail to the team that handles cases by hand
    service = a_service_with_a_live_form()
    route(service)

    # When it is made live
    service.go_live()

    # Then it is
    service.refresh_from_db()
    assert service.is_live


@pytest.mark.parametrize(("rule_active", "routed"), [(True, True), (False, False)])
def test_only_a_destination_a_case_can_reach_counts_as_a_route(rule_active, routed):
    # Given a service whose only destination belongs to an active or a switched-off rule
    service = a_service_with_a_live_form()
    route(service, rule_active=rule_active)

    # Then it is routed only if the rule can match
    reason = service.unrouted_reason()
    assert (reason is None) is routed
    if not routed:
        assert "no destination a case can reach" in reason


def test_ticking_live_in_the_admin_without_routing_shows_the_reason_on_the_field(admin_client):
    # Given a published but unrouted service
    service = a_service_with_a_live_form(name_en="Report noise")

    # When an admin ticks "live" on its page and saves
    response = press(
        admin_client,
        f"/admin/services/service/{service.pk}/change/",
        "Save",
        is_live="on",
    )

    # Then the page says why, and the service is not live
    assert response.status_code == 200
    assert "its form has no routing" in response.content.decode()
    service.refresh_from_db()
    assert not service.is_live


def test_publishing_a_version_of_a_live_service_that_lost_its_routing_is_refused():
    # Given a live service whose routing was removed afterwards
    service = a_service_with_a_live_form()
    destination = route(service)
    service.go_live()
    destination.rule_set.delete()
    draft = FormVersion.new_draft_from(service.form.live_version)

    # When a new version is published
    with pytest.raises(VersionStateError, match="its form has no routing"):
        publish_version(draft)

    # Then it stays a draft
    draft.refresh_from_db()
    assert draft.status == FormVersion.Status.DRAFT


def test_an_import_that_would_leave_a_live_service_with_no_destination_changes_nothing():
    # Given a live service routed to a team mailbox
    service = a_service_with_a_live_form(slug="report-noise")
    route(service)
    service.go_live()

    # When a routing file lists the service with no destination at all
    document = {"version": 1, "forms": [{"service": "report-noise", "rules": [], "fallback": []}]}
    with pytest.raises(ImportProblems) as refused:
        import_document(yaml.safe_dump(document))

    # Then it is refused and the route is kept
    assert any("cases would go nowhere" in p for p in refused.value.problems)
    assert Destination.objects.filter(rule_set__form__service=service).count() == 1
