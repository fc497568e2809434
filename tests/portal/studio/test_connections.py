"""The studio's Connections section (system admins): a connection made and changed through a
form built from its adapter's declared options, checked by apply_connection_options; secrets
write-only; "Test connection" against the webhook simulator on loopback."""

import re
from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.urls import reverse

from integrations.simulators.webhook import WebhookSimulator
from services.models import Connection

pytestmark = pytest.mark.django_db

SIGNING = "a-webhook-signing-secret-0123456789"
NEW_SIGNING = "another-signing-secret-9876543210"


def webhook_form(**fields: Any) -> dict[str, Any]:
    return {
        "name": "Waste system",
        "slug": "waste-system",
        "owner_email": "waste@council.example",
        "is_active": "on",
        "max_concurrency": "4",
        "option_url": "https://waste.example.gov.uk/records",
        "option_signing_secret": SIGNING,
        "option_auth_type": "none",
        "option_connect_timeout": "",
        "option_read_timeout": "2.5",
        **fields,
    }


@pytest.fixture
def simulator():
    with WebhookSimulator(SIGNING) as sim:
        yield sim


@pytest.fixture
def webhook(system_admin_client) -> Connection:
    response = system_admin_client.post(
        reverse("studio:connection_create", args=["webhook"]), webhook_form()
    )
    assert response.status_code == 302
    return Connection.objects.get(slug="waste-system")


def test_choosing_the_kind_of_system_leads_to_its_options(system_admin_client):
    page = system_admin_client.get(reverse("studio:connection_choose"))
    assert "JSON webhook" in page.content.decode()

    response = system_admin_client.get(reverse("studio:connection_choose"), {"adapter": "webhook"})
    assert response["Location"] == reverse("studio:connection_create", args=["webhook"])

    refused = system_admin_client.get(reverse("studio:connection_choose"), {"adapter": "fax"})
    assert "Choose the kind of system from the list" in refused.content.decode()


def test_the_options_form_is_made_from_the_adapters_declared_options(system_admin_client):
    html = system_admin_client.get(
        reverse("studio:connection_create", args=["webhook"])
    ).content.decode()

    # Labels and help text are the serializer's; choices are radios; secrets are passwords
    assert '<label class="govuk-label" for="id_option_url">Address</label>' in html
    assert "Where each submission is sent as a JSON POST" in html
    assert 'type="radio" value="api_key"' in html
    assert 'type="password" name="option_signing_secret"' in html
    # Defaults are filled in; numbers are asked with a numeric keyboard
    assert 'name="option_api_key_header" value="X-API-Key"' in html
    number = re.search(r'<input[^>]*name="option_inline_files_max_bytes"[^>]*>', html)
    assert number is not None
    assert 'value="0"' in number.group(0)
    assert 'inputmode="numeric"' in number.group(0)


def test_a_system_admin_creates_a_webhook_connection(system_admin_client, system_admin, webhook):
    assert webhook.adapter == "webhook"
    # Stored as the adapter's schema cleaned it: numbers as numbers, defaults filled in
    assert webhook.config["read_timeout"] == 2.5
    assert webhook.config["connect_timeout"] == 5.0
    assert "signing_secret" not in webhook.config
    assert webhook.secrets == {"signing_secret": SIGNING}
    entry = LogEntry.objects.get(object_id=str(webhook.pk))
    assert (entry.user, entry.action_flag) == (system_admin, ADDITION)


def test_bad_options_show_the_adapters_messages_beside_their_fields_and_save_nothing(
    system_admin_client,
):
    response = system_admin_client.post(
        reverse("studio:connection_create", args=["webhook"]),
        webhook_form(
            option_url="http://waste.example.gov.uk/records",
            option_signing_secret="short",
            option_read_timeout="soon",
        ),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter an address starting https://" in html
    assert "A valid number is required." in html
    assert "Ensure this field has at least 16 characters." in html
    for field in ("option_url", "option_read_timeout", "option_signing_secret"):
        assert f'<a href="#id_{field}">' in html, field
        assert f'id="id_{field}-error"' in html, field
    # The secret typed is never sent back
    assert "short" not in html.split("<form", 1)[1]
    assert not Connection.objects.exists()


def test_options_checked_together_are_shown_beside_the_option_to_fix(system_admin_client):
    # The schema's own cross-option rule: an API key is needed for API key authentication
    response = system_admin_client.post(
        reverse("studio:connection_create", args=["webhook"]),
        webhook_form(option_auth_type="api_key"),
    )

    html = response.content.decode()
    assert '<a href="#id_option_api_key">Enter the API key, or choose another' in html
    assert not Connection.objects.exists()


def test_a_missing_required_option_is_asked_for_by_name(system_admin_client):
    response = system_admin_client.post(
        reverse("studio:connection_create", args=["webhook"]),
        webhook_form(option_url="", option_signing_secret=""),
    )

    html = response.content.decode()
    assert '<a href="#id_option_url">Enter the address</a>' in html
    assert '<a href="#id_option_signing_secret">Enter the signing secret</a>' in html
    assert not Connection.objects.exists()


def test_a_stored_secret_is_never_shown_and_is_kept_when_left_blank(
    system_admin_client, system_admin, webhook
):
    url = reverse("studio:connection_edit", args=[webhook.pk])
    html = system_admin_client.get(url).content.decode()
    assert SIGNING not in html
    assert "Set: leave blank to keep it" in html

    response = system_admin_client.post(
        url, webhook_form(option_signing_secret="", option_read_timeout="7")
    )

    assert response.status_code == 302
    webhook.refresh_from_db()
    assert webhook.secrets == {"signing_secret": SIGNING}
    assert webhook.config["read_timeout"] == 7.0
    entry = LogEntry.objects.get(object_id=str(webhook.pk), action_flag=CHANGE)
    assert entry.user == system_admin
    assert entry.get_change_message() == "Changed Read timeout (seconds)."


def test_a_new_secret_replaces_the_stored_one_and_the_log_names_it_without_its_value(
    system_admin_client, webhook
):
    url = reverse("studio:connection_edit", args=[webhook.pk])

    system_admin_client.post(url, webhook_form(option_signing_secret=NEW_SIGNING))

    webhook.refresh_from_db()
    assert webhook.secrets == {"signing_secret": NEW_SIGNING}
    entry = LogEntry.objects.get(object_id=str(webhook.pk), action_flag=CHANGE)
    assert entry.get_change_message() == "Changed Signing secret."
    assert NEW_SIGNING not in entry.change_message


def test_a_bad_edit_changes_nothing(system_admin_client, webhook):
    before = Connection.objects.values().get(pk=webhook.pk)

    response = system_admin_client.post(
        reverse("studio:connection_edit", args=[webhook.pk]),
        webhook_form(name="", option_signing_secret=NEW_SIGNING, option_read_timeout="-1"),
    )

    html = response.content.decode()
    assert "Enter a name for the connection" in html
    assert "Ensure this value is greater than or equal to 0.1." in html
    assert NEW_SIGNING not in html
    assert "Edit “Waste system”" in html
    assert Connection.objects.values().get(pk=webhook.pk) == before
    assert not LogEntry.objects.filter(action_flag=CHANGE).exists()


NOTIFY_RESERVED = (
    "The short name “notify” is kept for GOV.UK Notify’s delivery receipts (/callbacks/notify/): "
    "choose another"
)


def test_the_short_name_notify_is_refused_beside_its_field_as_notify_s_receipts_use_it(
    system_admin_client, webhook
):
    # Given /callbacks/notify/ receives GOV.UK Notify's delivery receipts, a connection called
    # "notify" would never get its back office's status updates
    response = system_admin_client.post(
        reverse("studio:connection_create", args=["webhook"]), webhook_form(slug="notify")
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="#id_slug">{NOTIFY_RESERVED}</a>' in html
    assert 'id="id_slug-error"' in html
    assert list(Connection.objects.values_list("slug", flat=True)) == ["waste-system"]

    # and an existing connection cannot be renamed to it either
    before = Connection.objects.values().get(pk=webhook.pk)
    response = system_admin_client.post(
        reverse("studio:connection_edit", args=[webhook.pk]), webhook_form(slug="notify")
    )
    assert NOTIFY_RESERVED in response.content.decode()
    assert Connection.objects.values().get(pk=webhook.pk) == before


def test_test_connection_shows_that_the_webhook_simulator_answers(
    system_admin_client, simulator, webhook
):
    Connection.objects.filter(pk=webhook.pk).update(
        config={**webhook.config, "url": simulator.records_url}
    )

    response = system_admin_client.post(
        reverse("studio:connection_test", args=[webhook.pk]), follow=True
    )

    html = response.content.decode()
    assert "govuk-notification-banner--success" in html
    assert "The back office answered: the connection works." in html
    webhook.refresh_from_db()
    assert webhook.last_success_at is not None
    assert simulator.records == []  # a check creates nothing


def test_test_connection_shows_why_it_failed(system_admin_client, simulator, webhook):
    Connection.objects.filter(pk=webhook.pk).update(
        config={**webhook.config, "url": simulator.records_url}
    )
    simulator.set_faults(error_rate=1.0)

    response = system_admin_client.post(
        reverse("studio:connection_test", args=[webhook.pk]), follow=True
    )

    html = response.content.decode()
    assert "govuk-notification-banner" in html
    assert "The connection failed:" in html
    webhook.refresh_from_db()
    assert webhook.last_failure_at is not None
    assert webhook.last_failure_message in html
    assert SIGNING not in html


def test_an_unknown_kind_of_system_is_not_found(system_admin_client):
    response = system_admin_client.get(reverse("studio:connection_create", args=["fax"]))
    assert response.status_code == 404


# --- status updates: the callback secret and the statuses ---------------------------------------

CALLBACK_SECRET = "a-callback-secret-of-32-characters-or-more"


def test_the_callback_secret_is_set_write_only_and_removed(system_admin_client, webhook):
    edit = reverse("studio:connection_edit", args=[webhook.pk])
    page = system_admin_client.get(edit).content.decode()
    assert "Not set: callbacks are refused" in page
    assert f"/callbacks/{webhook.slug}/" in page

    # Set, with bearer tokens: stored, never shown, and the history names it without its value
    system_admin_client.post(
        edit,
        webhook_form(callback_auth="bearer", new_callback_secret=CALLBACK_SECRET),
    )
    webhook.refresh_from_db()
    assert (webhook.callback_auth, webhook.callback_secret) == ("bearer", CALLBACK_SECRET)
    page = system_admin_client.get(edit).content.decode()
    assert CALLBACK_SECRET not in page
    assert "Remove the callback secret" in page
    message = LogEntry.objects.filter(object_id=webhook.pk, action_flag=CHANGE).last()
    assert message is not None
    assert "callback secret" in message.get_change_message()
    assert CALLBACK_SECRET not in message.change_message

    # Kept when left blank; removed when asked
    system_admin_client.post(edit, webhook_form(callback_auth="bearer"))
    webhook.refresh_from_db()
    assert webhook.callback_secret == CALLBACK_SECRET
    system_admin_client.post(edit, webhook_form(remove_callback_secret="on"))
    webhook.refresh_from_db()
    assert not webhook.callback_secret


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"new_callback_secret": "too-short"}, "at least 32 characters"),
        (
            {"new_callback_secret": CALLBACK_SECRET, "remove_callback_secret": "on"},
            "not both",
        ),
        ({"callback_auth": "carrier-pigeon"}, "proves its updates from the list"),
    ],
)
def test_a_bad_callback_setting_is_shown_beside_it_and_changes_nothing(
    system_admin_client, webhook, fields, message
):
    response = system_admin_client.post(
        reverse("studio:connection_edit", args=[webhook.pk]), webhook_form(**fields)
    )
    assert message in response.content.decode()
    webhook.refresh_from_db()
    assert (webhook.callback_auth, webhook.callback_secret) == ("hmac", None)


def status_form(**fields: Any) -> dict[str, Any]:
    return {
        "external_status": "AWAITING_INFO",
        "portal_status": "needs_information",
        "description_en": "We need more details from you",
        "description_cy": "Mae angen mwy o fanylion arnom gennych",
        **fields,
    }


def test_a_status_is_mapped_to_needs_your_reply_changed_and_unmapped(system_admin_client, webhook):
    statuses = reverse("studio:connection_statuses", args=[webhook.pk])
    assert "Needs your reply" in system_admin_client.get(statuses).content.decode()

    # Mapped
    response = system_admin_client.post(statuses, status_form())
    assert response.status_code == 302
    (mapping,) = webhook.status_mappings.all()
    assert (mapping.external_status, mapping.portal_status) == (
        "AWAITING_INFO",
        "needs_information",
    )
    listed = system_admin_client.get(statuses).content.decode()
    assert "AWAITING_INFO" in listed

    # Changed in place
    one = reverse("studio:connection_status", args=[webhook.pk, mapping.pk])
    system_admin_client.post(one, status_form(portal_status="in_progress", reopen="on"))
    mapping.refresh_from_db()
    assert (mapping.portal_status, mapping.reopen) == ("in_progress", True)

    # Unmapped, each change in the connection's history
    system_admin_client.post(one, {"action": "remove"})
    assert not webhook.status_mappings.exists()
    assert LogEntry.objects.filter(object_id=webhook.pk, action_flag=CHANGE).count() == 3


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"external_status": ""}, "Enter the status as the back office sends it"),
        ({"external_status": "awaiting_info"}, "is mapped already"),
        ({"portal_status": "lost"}, "Choose a portal status from the list"),
        ({"external_status": "X" * 101}, "characters or fewer"),
    ],
)
def test_a_bad_status_is_shown_beside_its_field_and_changes_nothing(
    system_admin_client, webhook, fields, message
):
    statuses = reverse("studio:connection_statuses", args=[webhook.pk])
    system_admin_client.post(statuses, status_form())
    before = list(webhook.status_mappings.values())

    response = system_admin_client.post(statuses, status_form(**fields))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(webhook.status_mappings.values()) == before


def test_a_status_of_another_connection_is_not_found(system_admin_client, webhook):
    other = Connection.objects.create(name="Other", slug="other", adapter="webhook")
    mapping = other.status_mappings.create(external_status="DONE", portal_status="closed_fixed")
    url = reverse("studio:connection_status", args=[webhook.pk, mapping.pk])
    assert system_admin_client.get(url).status_code == 404


def test_an_options_hint_is_shown_as_written_not_read_as_markup(system_admin_client):
    # The CRM adapter's hints name placeholders in angle brackets, as its documentation does
    html = system_admin_client.get(
        reverse("studio:connection_create", args=["crm"])
    ).content.decode()

    assert "https://login.microsoftonline.com/&lt;tenant id&gt;/oauth2/v2.0/token" in html
    assert "Dynamics needs &lt;CRM address&gt;/.default" in html
    assert "<tenant id>" not in html
