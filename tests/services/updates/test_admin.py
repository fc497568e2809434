"""The connection admin: test connection, callback URL and secret, mappings, recent updates;
and the submission's staff timeline with every update, applied or not."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from integrations.simulators.webhook import WebhookSimulator
from services.models import CaseUpdate, Connection
from services.updates.apply import apply_updates
from tests.portal.accounts.factories import UserFactory
from tests.portal.accounts.helpers import activate_totp
from tests.services.updates.helpers import SECRET, case_sent_to, connection_with_mappings, update

pytestmark = pytest.mark.django_db
SIGNING = "a-webhook-signing-secret-0123456789"


@pytest.fixture
def admin_client() -> Client:
    user: Any = UserFactory(is_staff=True, is_superuser=True)
    activate_totp(user)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def simulator():
    with WebhookSimulator(SIGNING) as sim:
        yield sim


def webhook_connection(url: str) -> Connection:
    return connection_with_mappings(
        slug="webhook",
        config={"url": url, "read_timeout": 2.0, "connect_timeout": 1.0},
        secrets={"signing_secret": SIGNING},
    )


def change_page(client, connection) -> str:
    response = client.get(reverse("admin:services_connection_change", args=[connection.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_test_connection_records_a_success_against_the_webhook_simulator(admin_client, simulator):
    connection = webhook_connection(simulator.records_url)
    assert 'formaction="' + reverse("admin:services_connection_test", args=[connection.pk]) in (
        change_page(admin_client, connection)
    )

    response = admin_client.post(
        reverse("admin:services_connection_test", args=[connection.pk]), follow=True
    )

    assert "The back office answered: the connection works." in response.content.decode()
    connection.refresh_from_db()
    assert connection.last_success_at is not None
    assert connection.last_failure_at is None
    assert simulator.records == []  # a check creates nothing


def test_test_connection_records_a_failure_with_its_reason(admin_client, simulator):
    connection = webhook_connection(simulator.records_url)
    simulator.set_faults(error_rate=1.0)

    response = admin_client.post(
        reverse("admin:services_connection_test", args=[connection.pk]), follow=True
    )

    connection.refresh_from_db()
    assert connection.last_failure_at is not None
    assert connection.last_failure_message
    assert connection.last_success_at is None
    assert "The connection failed:" in response.content.decode()
    assert connection.last_failure_message in change_page(admin_client, connection)


def test_test_connection_to_nothing_listening_fails_kindly(admin_client):
    connection = webhook_connection("http://127.0.0.1:9/records")

    response = admin_client.post(
        reverse("admin:services_connection_test", args=[connection.pk]), follow=True
    )

    assert response.status_code == 200
    connection.refresh_from_db()
    assert connection.last_failure_message.startswith("Connection failed")


def test_test_connection_only_takes_a_post(admin_client):
    connection = webhook_connection("http://127.0.0.1:9/records")

    response = admin_client.get(reverse("admin:services_connection_test", args=[connection.pk]))

    assert response.status_code == 405


def test_the_page_shows_the_callback_url_mappings_and_recent_updates_but_never_the_secret(
    admin_client,
):
    connection = webhook_connection("http://127.0.0.1:9/records")
    case = case_sent_to(connection, "HW-1", reference="K7WP-3XMR")
    updates = [update("U1", "HW-1", "OPEN"), update("U2", "HW-1", "ODD", 5)]
    apply_updates(connection, updates, "poll")

    page = change_page(admin_client, connection)

    assert "/callbacks/webhook/</code>" in page
    assert "HMAC-SHA256 signature with a timestamp" in page
    assert SECRET not in page
    assert "Our crew has fixed the pothole" in page  # the mapping inline
    assert 'id="recent-updates"' in page
    assert case.reference in page
    assert "Not applied: no mapping for this back-office status" in page
    assert "ODD" in page  # listed among the statuses with no mapping


def test_a_new_callback_secret_is_stored_encrypted_and_a_blank_one_keeps_it(admin_client):
    connection = webhook_connection("http://127.0.0.1:9/records")
    url = reverse("admin:services_connection_change", args=[connection.pk])
    data = {
        "name": connection.name,
        "slug": connection.slug,
        "adapter": "webhook",
        "config": '{"url": "http://127.0.0.1:9/records"}',
        "secret_options": "",
        "owner_email": "it@example.gov.uk",
        "is_active": "on",
        "max_concurrency": "4",
        "attempt_budget": "1 00:00:00",
        "alert_after": "01:00:00",
        "callback_auth": "bearer",
        "new_callback_secret": "n" * 40,
        "status_mappings-TOTAL_FORMS": "0",
        "status_mappings-INITIAL_FORMS": "0",
    }

    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    connection.refresh_from_db()
    assert (connection.callback_auth, connection.callback_secret) == ("bearer", "n" * 40)
    assert "n" * 40 not in change_page(admin_client, connection)

    admin_client.post(url, {**data, "new_callback_secret": ""})
    connection.refresh_from_db()
    assert connection.callback_secret == "n" * 40

    too_short = admin_client.post(url, {**data, "new_callback_secret": "short"})
    assert too_short.status_code == 200
    connection.refresh_from_db()
    assert connection.callback_secret == "n" * 40


def test_the_staff_timeline_shows_every_update_and_why_one_was_not_applied(admin_client):
    connection = webhook_connection("http://127.0.0.1:9/records")
    case = case_sent_to(connection, "HW-1")
    apply_updates(
        connection,
        [
            update("U2", "HW-1", "SCHEDULED", 10, description="Crew 4 on Tuesday"),
            update("U1", "HW-1", "OPEN", 5),
        ],
        "callback",
    )

    page = admin_client.get(reverse("admin:services_submission_change", args=[case.pk]))

    text = page.content.decode()
    assert text.count('class="timeline-update"') == 2
    assert "Not applied: older than an update already applied" in text
    assert "Applied: the status changed" in text
    assert "Crew 4 on Tuesday" in text  # the back office's notes, for staff
    assert CaseUpdate.objects.filter(submission=case, applied=True).count() == 1


def test_the_admin_timeline_names_the_resident_for_their_reply(admin_client):
    from services.conversations.resident import reply
    from services.staff.status import change_status
    from tests.portal.accounts.factories import UserFactory

    connection = webhook_connection("http://127.0.0.1:9/records")
    case = case_sent_to(connection, "HW-1")
    change_status(case, UserFactory(), status="needs_information", message="Which bin?")
    reply(case, author=None, text="The green one")

    page = admin_client.get(reverse("admin:services_submission_change", args=[case.pk]))

    text = page.content.decode()
    assert "The resident: “You replied”" in text
    assert "Status update from None" not in text
