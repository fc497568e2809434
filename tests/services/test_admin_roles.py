"""Who configures what in the admin: the roles of portal/accounts/roles.py, through real pages.

Service admins configure the catalogue, forms and routing; connections (a back office's
credentials) are the system admin's, and a service admin only sees them; agents configure
nothing.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.accounts.roles import AGENT, SERVICE_ADMIN, SYSTEM_ADMIN
from services.models import FormVersion, RoutingRuleSet, Service
from tests.portal.accounts.factories import UserFactory
from tests.services.delivery.conftest import make_connection, make_routed_version
from tests.services.delivery_admin.conftest import signed_in
from tests.services.factories import FormVersionFactory, TopicFactory

pytestmark = pytest.mark.django_db

SIGNING_SECRET = "a-signing-secret-for-tests-0123456789"  # make_connection's


def staff(role: str):
    return signed_in(UserFactory(is_staff=True, roles=[role]))


def can_save(page: str) -> bool:
    return 'name="_save"' in page


def test_a_service_admin_adds_a_service_and_publishes_a_form_version():
    client = staff(SERVICE_ADMIN)
    topic = TopicFactory()

    index = client.get(reverse("admin:index")).content.decode()
    for model in ("service", "formversion", "routingruleset"):
        assert reverse(f"admin:services_{model}_changelist") in index

    response = client.post(
        reverse("admin:services_service_add"),
        {
            "name_en": "Report a dead animal",
            "name_cy": "Rhoi gwybod am anifail marw",
            "slug": "report-a-dead-animal",
            "summary_en": "Tell us about a dead animal on a road or pavement.",
            "topic": topic.pk,
            "order": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Service.objects.filter(slug="report-a-dead-animal").exists()

    draft = FormVersionFactory(form__service__is_live=False)  # routed and made live later
    response = client.post(
        reverse("admin:services_formversion_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == FormVersion.Status.LIVE


def test_a_service_admin_edits_routing_but_only_sees_connections():
    client = staff(SERVICE_ADMIN)
    connection = make_connection("https://cases.example.gov.uk/records")
    rule_set = RoutingRuleSet.objects.get(form__versions=make_routed_version(connection))

    routing = client.get(reverse("admin:services_routingruleset_change", args=[rule_set.pk]))
    assert routing.status_code == 200
    assert can_save(routing.content.decode())

    change_url = reverse("admin:services_connection_change", args=[connection.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    assert not can_save(page.content.decode())
    assert "Test connection" not in page.content.decode()  # a change's, refused to a viewer
    assert SIGNING_SECRET not in page.content.decode()
    assert client.post(change_url, {"name": "Renamed"}).status_code == 403
    assert client.get(reverse("admin:services_connection_add")).status_code == 403
    connection.refresh_from_db()
    assert connection.name != "Renamed"


def test_a_system_admin_changes_connections():
    client = staff(SYSTEM_ADMIN)
    connection = make_connection("https://cases.example.gov.uk/records")

    page = client.get(reverse("admin:services_connection_change", args=[connection.pk]))

    assert can_save(page.content.decode())
    assert "Test connection" in page.content.decode()
    assert SIGNING_SECRET not in page.content.decode()


@pytest.mark.parametrize(
    "url_name", ["services_service_changelist", "services_routingruleset_changelist"]
)
def test_an_agent_configures_nothing(url_name):
    client = staff(AGENT)
    assert client.get(reverse(f"admin:{url_name}")).status_code == 403


def test_the_service_admin_role_cannot_delete_what_submissions_point_at():
    client = staff(SERVICE_ADMIN)
    service = FormVersionFactory().form.service
    response = client.post(
        reverse("admin:services_service_delete", args=[service.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Service.objects.filter(pk=service.pk).exists()


@pytest.mark.parametrize("role", [SERVICE_ADMIN, SYSTEM_ADMIN])
def test_admins_who_watch_deliveries_also_see_the_message_outbox(role):
    # Given an admin who looks after deliveries, when they open the outgoing messages
    page = staff(role).get(reverse("admin:services_outgoingmessage_changelist"))

    # Then they see the list (a failed acknowledgement is as much theirs as a failed delivery)
    assert page.status_code == 200
    assert staff(AGENT).get(reverse("admin:services_outgoingmessage_changelist")).status_code == 403
