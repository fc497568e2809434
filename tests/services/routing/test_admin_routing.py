"""The routing admin: errors on the field (never a 500), write-only secrets, payload preview."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from integrations.registry import registry
from services.models import (
    AccessLog,
    Connection,
    Delivery,
    Destination,
    RoutingRule,
    RoutingRuleSet,
)
from tests.portal.accounts.factories import UserFactory
from tests.portal.accounts.helpers import activate_totp
from tests.services.routing.helpers import TicketAdapter, live_form, make_submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    user: Any = UserFactory(is_staff=True, is_superuser=True)
    activate_totp(user)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def tickets():
    with registry.replaced(TicketAdapter):
        yield


def connection_data(**extra: Any) -> dict[str, Any]:
    return {
        "name": "Tickets",
        "slug": "tickets",
        "adapter": "ticket",
        "config": json.dumps({"url": "https://tickets.example.gov.uk/api"}),
        "secret_options": json.dumps({"api_key": "s3cret-key"}),
        "owner_email": "it@example.gov.uk",
        "is_active": "on",
        "max_concurrency": "4",
        "attempt_budget": "1 00:00:00",
        "alert_after": "01:00:00",
        **extra,
    }


def test_a_connection_is_saved_with_its_secret_split_out_and_never_shown_again(
    admin_client, tickets
):
    response = admin_client.post(reverse("admin:services_connection_add"), connection_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    connection = Connection.objects.get(slug="tickets")
    assert connection.config == {"url": "https://tickets.example.gov.uk/api", "queue": "main"}
    assert connection.secrets == {"api_key": "s3cret-key"}

    page = admin_client.get(reverse("admin:services_connection_change", args=[connection.pk]))
    assert page.status_code == 200
    assert "s3cret-key" not in page.content.decode()
    assert "api_key" in page.content.decode()  # named as set, never shown

    # Leaving the secret out keeps it.
    data = connection_data(
        secret_options="", config=json.dumps({"url": "https://new.example.gov.uk"})
    )
    response = admin_client.post(
        reverse("admin:services_connection_change", args=[connection.pk]), data
    )
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.secrets == {"api_key": "s3cret-key"}
    assert connection.config["url"] == "https://new.example.gov.uk"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"config": json.dumps({"url": "not a url"})}, "config", "url: Enter a valid URL."),
        (
            {"config": json.dumps({"url": "https://portal:hunter2@x.example/api"})},
            "config",
            "url: Remove the user name and password from the address: addresses are shown in "
            "the admin and exported in plain text. Put credentials in this connection's secret "
            "options (Api key), which are stored encrypted and never shown again.",
        ),
        ({"secret_options": ""}, "secret_options", "api_key: This field is required."),
        (
            {"config": json.dumps({"url": "https://x.example", "api_key": "leak"})},
            "config",
            "“api_key” is secret: enter it under secret options instead.",
        ),
        ({"config": "[1, 2"}, "config", "Enter a valid JSON."),
        (
            # /callbacks/notify/ is GOV.UK Notify's, so this connection would never be called
            {"slug": "notify"},
            "slug",
            "The short name “notify” is kept for GOV.UK Notify’s delivery receipts "
            "(/callbacks/notify/): choose another",
        ),
        (
            {"adapter": "nope"},
            "adapter",
            "Select a valid choice. nope is not one of the available choices.",
        ),
    ],
)
def test_bad_connection_options_are_shown_on_the_field(admin_client, tickets, data, field, message):
    response = admin_client.post(reverse("admin:services_connection_add"), connection_data(**data))
    assert response.status_code == 200
    assert message in response.context["adminform"].form.errors[field]
    assert not Connection.objects.exists()


def test_a_misspelt_option_is_an_error_on_the_field_not_dropped(admin_client, tickets):
    config = json.dumps({"url": "https://tickets.example.gov.uk/api", "read_timout": 5})
    response = admin_client.post(
        reverse("admin:services_connection_add"), connection_data(config=config)
    )
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["config"]
    assert error.startswith("read_timout: There is no such option; those of Ticket system are:")
    assert not Connection.objects.exists()


def inline_data(prefix: str, rows: list[dict[str, Any]], initial: int = 0) -> dict[str, Any]:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for number, row in enumerate(rows):
        data.update({f"{prefix}-{number}-{key}": value for key, value in row.items()})
    return data


def rule_set_data(form, rules, destinations=(), initial_rules=0, initial_destinations=0):
    return {
        "form": str(form.pk),
        "mode": "first_match",
        **inline_data("rules", rules, initial_rules),
        **inline_data("destinations", list(destinations), initial_destinations),
    }


def test_a_rule_that_cannot_be_evaluated_is_refused_with_the_message_on_its_field(
    admin_client, tickets
):
    form = live_form()
    rules = [
        {
            "order": "1",
            "name": "Garden waste",
            "condition": json.dumps({"question": "bin_colour", "op": "equals", "value": "green"}),
            "is_active": "on",
        },
        {
            "order": "2",
            "name": "North",
            "condition": json.dumps({"area": {"name": "N", "polygon": [[0, 0]]}}),
            "is_active": "on",
        },
    ]
    response = admin_client.post(
        reverse("admin:services_routingruleset_add"), rule_set_data(form, rules)
    )
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.forms[0].errors["condition"] == [
        "Rule ‘Garden waste’: question ‘bin_colour’ is not in the form"
    ]
    assert formset.forms[1].errors["condition"] == [
        "Rule ‘North’: area ‘N’: polygon needs at least 3 points"
    ]
    assert not RoutingRuleSet.objects.exists()


def test_a_mapping_to_a_field_the_adapter_lacks_is_refused_on_the_field(admin_client, tickets):
    form = live_form()
    connection = Connection.objects.create(
        name="T", slug="t", adapter="ticket", owner_email="a@example.com"
    )
    rule_set = RoutingRuleSet.objects.create(form=form)
    destinations = [
        {
            "name": "Tickets",
            "rule": "",
            "connection": str(connection.pk),
            "mapping": json.dumps(
                {"reference": {"meta": "reference"}, "colour": {"const": "green"}}
            ),
        }
    ]
    response = admin_client.post(
        reverse("admin:services_routingruleset_change", args=[rule_set.pk]),
        rule_set_data(form, [], destinations),
    )
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][1].formset
    assert formset.forms[0].errors["mapping"] == [
        "Field ‘colour’: Ticket system has no field ‘colour’ (its fields: reference, service_code, "
        "postcode, summary, reported_on)"
    ]
    assert not Destination.objects.exists()


def test_good_rules_and_destinations_are_saved(admin_client, tickets):
    form = live_form()
    connection = Connection.objects.create(
        name="T", slug="t", adapter="ticket", owner_email="a@example.com"
    )
    rules = [
        {
            "order": "1",
            "name": "Garden",
            "condition": json.dumps({"question": "bin_type", "op": "equals", "value": "garden"}),
            "is_active": "on",
        }
    ]
    response = admin_client.post(
        reverse("admin:services_routingruleset_add"), rule_set_data(form, rules)
    )
    assert response.status_code == 302
    rule_set = RoutingRuleSet.objects.get(form=form)
    rule = RoutingRule.objects.get(rule_set=rule_set)
    existing = {"id": str(rule.pk), "rule_set": str(rule_set.pk), **rules[0]}
    destinations = [
        {
            "name": "Garden team",
            "rule": str(rule.pk),
            "connection": str(connection.pk),
            "mapping": json.dumps({"reference": {"meta": "reference"}}),
        }
    ]
    response = admin_client.post(
        reverse("admin:services_routingruleset_change", args=[rule_set.pk]),
        rule_set_data(form, [existing], destinations, initial_rules=1),
    )
    assert response.status_code == 302
    assert Destination.objects.get().rule == rule


def test_the_payload_preview_shows_the_mapped_payload_or_the_errors_and_sends_nothing(
    admin_client, tickets
):
    form = live_form()
    connection = Connection.objects.create(
        name="T", slug="t", adapter="ticket", owner_email="a@example.com"
    )
    rule_set = RoutingRuleSet.objects.create(form=form)
    good = Destination.objects.create(
        rule_set=rule_set,
        name="Good",
        connection=connection,
        mapping={
            "reference": {"meta": "reference"},
            "summary": {"template": "Missed {answer.bin_type} bin"},
        },
    )
    bad = Destination.objects.create(
        rule_set=rule_set,
        name="Bad",
        connection=connection,
        mapping={"service_code": {"answer": "bin_type", "transforms": [{"lookup": {"food": "F"}}]}},
    )
    submission = make_submission(form)
    url = reverse("admin:services_routingruleset_preview_payload", args=[rule_set.pk])

    page = admin_client.get(
        url, {"destination": good.pk, "reference": submission.reference.lower()}
    )
    assert page.status_code == 200
    assert json.loads(page.context["payload_json"]) == {
        "reference": "ABC-123",
        "summary": "Missed Garden bin",
    }

    page = admin_client.get(url, {"destination": bad.pk, "reference": submission.reference})
    assert page.status_code == 200
    assert (
        "Field ‘service_code’: the lookup table has no entry for ‘garden’ and no default"
        in page.content.decode()
    )

    page = admin_client.get(url, {"destination": good.pk, "reference": "NOPE-1"})
    assert page.status_code == 200
    assert "There is no submission with reference ‘NOPE-1’." in page.content.decode()

    assert not Delivery.objects.filter(submission=submission).exists()
    # Each preview that showed the resident's answers is in the access log
    assert AccessLog.objects.filter(submission=submission, where="admin:payload_preview").exists()


def test_the_payload_preview_needs_permission_to_see_submissions(tickets):
    form = live_form()
    rule_set = RoutingRuleSet.objects.create(form=form)
    from django.contrib.auth.models import Permission

    user: Any = UserFactory(is_staff=True)
    activate_totp(user)
    user.user_permissions.add(Permission.objects.get(codename="view_routingruleset"))
    client = Client()
    client.force_login(user)
    response = client.get(
        reverse("admin:services_routingruleset_preview_payload", args=[rule_set.pk])
    )
    assert response.status_code == 403
