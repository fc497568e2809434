"""Every studio page, tried by everyone who must not open it, and by those who may.

URL_NAMES lists each studio page with the path parts it needs, and a test checks that list
against the URLconf, so a page added later without an entry here fails until it is tried too.
"""

from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from portal.accounts.roles import AGENT, SERVICE_ADMIN, SUPERVISOR
from services.forms import edits
from services.models import (
    Connection,
    Destination,
    FormVersion,
    RoutingRule,
    RoutingRuleSet,
    StatusMapping,
)
from tests.portal.accounts.factories import UserFactory
from tests.portal.staff.conftest import signed_in, with_mfa

pytestmark = pytest.mark.django_db

# url name -> how to build its path parts from a service and a connection
URL_NAMES: dict[str, Any] = {
    "studio:services": lambda service, connection: {},
    "studio:service_create": lambda service, connection: {},
    "studio:service_edit": lambda service, connection: {"service_id": service.pk},
    "studio:form": lambda service, connection: {"service_id": service.pk},
    "studio:draft_create": lambda service, connection: {"service_id": service.pk},
    "studio:draft": lambda service, connection: {"service_id": service.pk},
    "studio:publish": lambda service, connection: {"service_id": service.pk},
    "studio:preview": lambda service, connection: {
        "service_id": service.pk,
        "number": draft_of(service).number,
    },
    "studio:question_add": lambda service, connection: {"service_id": service.pk},
    "studio:question_edit": lambda service, connection: first_question(service),
    "studio:question_type": lambda service, connection: first_question(service),
    "studio:question_move": lambda service, connection: first_question(service),
    "studio:question_delete": lambda service, connection: first_question(service),
    "studio:item_question_add": lambda service, connection: a_list(service),
    "studio:item_question_edit": lambda service, connection: an_item_question(service),
    "studio:item_question_move": lambda service, connection: an_item_question(service),
    "studio:item_question_delete": lambda service, connection: an_item_question(service),
    "studio:exit_page_add": lambda service, connection: {"service_id": service.pk},
    "studio:page_edit": lambda service, connection: first_page(service),
    "studio:page_branching": lambda service, connection: first_page(service),
    "studio:page_move": lambda service, connection: first_page(service),
    "studio:page_delete": lambda service, connection: first_page(service),
    "studio:routing": lambda service, connection: {"service_id": service.pk},
    "studio:routing_settings": lambda service, connection: {"service_id": service.pk},
    "studio:routing_rule_create": lambda service, connection: {"service_id": service.pk},
    "studio:routing_rule_edit": lambda service, connection: rule_of(service, connection),
    "studio:routing_rule_delete": lambda service, connection: rule_of(service, connection),
    "studio:routing_rule_move": lambda service, connection: rule_of(service, connection),
    "studio:routing_condition_choose": lambda service, connection: rule_of(service, connection),
    "studio:routing_condition_add": lambda service, connection: {
        **rule_of(service, connection),
        "kind": "channel",
    },
    "studio:routing_condition_edit": lambda service, connection: {
        **rule_of(service, connection),
        "index": 0,
    },
    "studio:routing_condition_remove": lambda service, connection: {
        **rule_of(service, connection),
        "index": 0,
    },
    "studio:connections": lambda service, connection: {},
    "studio:connection_choose": lambda service, connection: {},
    "studio:connection_create": lambda service, connection: {"adapter": "webhook"},
    "studio:connection_edit": lambda service, connection: {"connection_id": connection.pk},
    "studio:connection_test": lambda service, connection: {"connection_id": connection.pk},
    "studio:connection_statuses": lambda service, connection: {"connection_id": connection.pk},
    "studio:connection_status": lambda service, connection: {
        "connection_id": connection.pk,
        "mapping_id": status_of(connection).pk,
    },
    "studio:destination_mapping": lambda service, connection: {
        "destination_id": destination_of(service, connection).pk
    },
    "studio:destination_mapping_new": lambda service, connection: {
        "destination_id": destination_of(service, connection).pk
    },
    "studio:destination_mapping_field": lambda service, connection: {
        "destination_id": destination_of(service, connection).pk,
        "target": "reference",
    },
}
# What a GET answers those who may open a page, when it is not 200: moving only takes a POST,
# and "Create a draft" sends to the draft these tests make.
GET_STATUS = {
    "studio:question_move": 405,
    "studio:item_question_move": 405,
    "studio:page_move": 405,
    "studio:routing_rule_move": 405,
    "studio:routing_condition_remove": 405,
    "studio:draft_create": 302,
}


def rule_of(service: Any, connection: Connection) -> dict[str, int]:
    """The path parts of a routing rule of the service (made the first time it is asked for)."""
    rule_set, _created = RoutingRuleSet.objects.get_or_create(form=service.form)
    rule, _created = RoutingRule.objects.get_or_create(
        rule_set=rule_set,
        name="Phoned in",
        defaults={"condition": {"channel": ["phone"]}, "is_active": False},
    )
    return {"service_id": service.pk, "rule_id": rule.pk}


def status_of(connection: Connection) -> StatusMapping:
    mapping, _created = StatusMapping.objects.get_or_create(
        connection=connection, external_status="FIXED", defaults={"portal_status": "closed_fixed"}
    )
    return mapping


# The Connections section: system admins only.
CONNECTION_PAGES = {name for name in URL_NAMES if name.startswith("studio:connection")}


def destination_of(service: Any, connection: Any) -> Destination:
    """The service's destination through `connection` (made the first time it is asked for)."""
    rule_set, _created = RoutingRuleSet.objects.get_or_create(form=service.form)
    destination, _created = Destination.objects.get_or_create(
        rule_set=rule_set,
        name="Waste team",
        defaults={"connection": connection, "mapping": {"reference": {"meta": "reference"}}},
    )
    return destination


@pytest.fixture
def connection(db: None) -> Connection:
    return Connection.objects.create(
        name="Waste system",
        slug="waste-system",
        adapter="webhook",
        config={"url": "https://waste.example.gov.uk/records"},
        secrets={"signing_secret": "a-signing-secret-0123456789"},
        owner_email="waste@example.gov.uk",
    )


def draft_of(service: Any) -> FormVersion:
    """The service's draft (the form builder's pages need one), made from the live version."""
    draft = FormVersion.objects.filter(form__service=service, status="draft").first()
    return draft or FormVersion.new_draft_from(service.form.live_version)


def first_page(service: Any) -> dict[str, Any]:
    return {"service_id": service.pk, "page_id": draft_of(service).schema["pages"][0]["id"]}


def first_question(service: Any) -> dict[str, Any]:
    question = draft_of(service).schema["pages"][0]["questions"][0]
    return {"service_id": service.pk, "question_id": question["id"]}


def a_list(service: Any) -> dict[str, Any]:
    """The path parts of a list question of the draft (added the first time it is asked for)."""
    draft = draft_of(service)
    lists = [
        q
        for page in draft.schema["pages"]
        for q in page.get("questions", [])
        if q["type"] == "repeat"
    ]
    if not lists:
        bags = {
            "type": "repeat",
            "label": {"en": "Bags", "cy": "Bagiau"},
            "questions": [{"id": "colour", "type": "short_text", "label": {"en": "Colour"}}],
        }
        draft.schema = edits.add_page(draft.schema, bags).schema
        draft.save(update_fields=["schema"])
        return a_list(service)
    return {"service_id": service.pk, "question_id": lists[0]["id"]}


def an_item_question(service: Any) -> dict[str, Any]:
    return {**a_list(service), "item_question_id": "colour"}


def studio_urls(service: Any, connection: Any, *, names: Any = None) -> list[str]:
    return [
        reverse(name, kwargs=kwargs(service, connection))
        for name, kwargs in URL_NAMES.items()
        if names is None or name in names
    ]


def test_every_studio_url_is_tried_by_these_tests():
    names = {
        f"studio:{pattern.name}"
        for pattern in get_resolver("portal.studio.urls").url_patterns
        if getattr(pattern, "name", None)
    }
    assert names == set(URL_NAMES)


def test_a_guest_is_asked_to_sign_in_for_every_studio_page(catalogue, connection):
    for url in studio_urls(catalogue["report-missed-bin"], connection):
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


@pytest.mark.parametrize("role", [None, AGENT, SUPERVISOR], ids=["resident", "agent", "supervisor"])
def test_residents_agents_and_supervisors_are_refused_every_studio_page(
    role, catalogue, connection
):
    # Given someone of the contact centre (MFA set up) or a resident
    user = UserFactory(roles=[role] if role else [])
    client = signed_in(with_mfa(user) if role else user)
    service = catalogue["report-missed-bin"]
    name_before = service.name_en
    urls = studio_urls(service, connection)
    schema_before = draft_of(service).schema

    # Every page is refused, and a POST changes nothing
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name_en": "Changed", "summary_en": "x"}).status_code == 403
    service.refresh_from_db()
    assert service.name_en == name_before
    assert draft_of(service).schema == schema_before


def test_staff_without_mfa_are_sent_to_set_it_up_before_any_studio_page(catalogue, connection):
    admin = UserFactory(is_staff=True, roles=[SERVICE_ADMIN])  # no authenticator app
    for url in studio_urls(catalogue["report-missed-bin"], connection):
        response = signed_in(admin).get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp"), url


def test_a_service_admin_opens_the_services_pages_but_not_the_connections_pages(
    service_admin_client, catalogue, connection
):
    service = catalogue["report-missed-bin"]
    draft_of(service)  # the draft's pages (publish among them) need one, whatever comes first
    for name in sorted(set(URL_NAMES) - CONNECTION_PAGES):
        url = reverse(name, kwargs=URL_NAMES[name](service, connection))
        assert service_admin_client.get(url).status_code == GET_STATUS.get(name, 200), url
    for url in studio_urls(service, connection, names=CONNECTION_PAGES):
        assert service_admin_client.get(url).status_code == 403, url
        assert service_admin_client.post(url, {"name": "Changed"}).status_code == 403, url
    connection.refresh_from_db()
    assert (connection.name, connection.last_success_at, connection.last_failure_at) == (
        "Waste system",
        None,
        None,
    )


def test_a_system_admin_opens_every_studio_page(system_admin_client, catalogue, connection):
    for url in studio_urls(catalogue["report-missed-bin"], connection):
        assert system_admin_client.get(url).status_code in (200, 302, 405), url


def test_the_studio_is_in_the_navigation_of_admins_only(
    service_admin_client, system_admin_client, catalogue, db
):
    studio_link = f'href="{reverse("studio:services")}"'
    # A service admin sees the studio, and not the contact centre's pages they cannot open
    page = service_admin_client.get(reverse("studio:services")).content.decode()
    assert studio_link in page
    assert reverse("staff:residents") not in page
    assert reverse("studio:connections") not in page
    # A system admin sees both
    page = system_admin_client.get(reverse("studio:services")).content.decode()
    assert studio_link in page
    assert reverse("staff:residents") in page
    assert reverse("studio:connections") in page
    # An agent's workspace does not offer the studio
    agent = with_mfa(UserFactory(roles=[AGENT]))
    page = signed_in(agent).get(reverse("staff:home")).content.decode()
    assert studio_link not in page
