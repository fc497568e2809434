"""One rule for storing connection options: the admin and `routing import` store the same row."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from integrations.registry import registry
from services.models import Connection
from services.routing.connections import ConnectionOptionsInvalid, apply_connection_options
from tests.portal.accounts.factories import UserFactory
from tests.portal.accounts.helpers import activate_totp
from tests.services.routing.helpers import TicketAdapter

pytestmark = pytest.mark.django_db

OPTIONS = {"url": "https://tickets.example.gov.uk/api"}


@pytest.fixture(autouse=True)
def tickets():
    with registry.replaced(TicketAdapter):
        yield


@pytest.fixture
def admin_client() -> Client:
    user: Any = UserFactory(is_staff=True, is_superuser=True)
    activate_totp(user)
    client = Client()
    client.force_login(user)
    return client


def save_in_admin(client: Client, slug: str, options: dict[str, Any], secrets: dict[str, Any]):
    response = client.post(
        reverse("admin:services_connection_add"),
        {
            "name": "Tickets",
            "slug": slug,
            "adapter": "ticket",
            "config": json.dumps(options),
            "secret_options": json.dumps(secrets),
            "owner_email": "it@example.gov.uk",
            "is_active": "on",
            "max_concurrency": "4",
            "attempt_budget": "1 00:00:00",
            "alert_after": "01:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Connection.objects.get(slug=slug)


def import_file(tmp_path: Path, slug: str, options: dict[str, Any]) -> Connection:
    document = {
        "version": 1,
        "connections": [
            {
                "slug": slug,
                "name": "Tickets",
                "adapter": "ticket",
                "owner_email": "it@example.gov.uk",
                "options": options,
            }
        ],
    }
    path = tmp_path / f"{slug}.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    call_command("routing", "import", str(path), stdout=StringIO())
    return Connection.objects.get(slug=slug)


def test_the_same_options_saved_in_the_admin_and_imported_are_stored_identically(
    admin_client, tmp_path
):
    # Given the same options, once typed into the admin and once in a routing file
    by_admin = save_in_admin(admin_client, "by-admin", OPTIONS, {"api_key": "k"})
    imported = import_file(tmp_path, "imported", OPTIONS)
    # and the imported one given the same secret afterwards, in the admin
    admin_client.post(
        reverse("admin:services_connection_change", args=[imported.pk]),
        {
            "name": "Tickets",
            "slug": "imported",
            "adapter": "ticket",
            "config": json.dumps(imported.config),
            "secret_options": json.dumps({"api_key": "k"}),
            "owner_email": "it@example.gov.uk",
            "is_active": "on",
            "max_concurrency": "4",
            "attempt_budget": "1 00:00:00",
            "alert_after": "01:00:00",
        },
    )
    imported.refresh_from_db()

    # Then both rows hold the cleaned options, defaults included, and the same secrets
    assert by_admin.config == imported.config == {**OPTIONS, "queue": "main"}
    assert by_admin.secrets == imported.secrets == {"api_key": "k"}


def test_an_import_stores_the_cleaned_options_not_the_options_as_written(tmp_path):
    # Given a routing file whose options leave out one with a default
    # When it is imported (its secret not set yet)
    connection = import_file(tmp_path, "tickets", OPTIONS)

    # Then the default is stored, as the admin would have stored it
    assert connection.config == {**OPTIONS, "queue": "main"}
    assert connection.secrets == {}


def test_reimporting_a_connection_keeps_the_secret_set_in_the_admin(admin_client, tmp_path):
    # Given a connection saved in the admin with its secret
    save_in_admin(admin_client, "tickets", OPTIONS, {"api_key": "k"})

    # When the routing file changes one of its options
    connection = import_file(tmp_path, "tickets", {**OPTIONS, "queue": "bins"})

    # Then the option changes and the secret is kept
    assert connection.config == {**OPTIONS, "queue": "bins"}
    assert connection.secrets == {"api_key": "k"}


def test_a_secret_among_the_options_is_refused_and_changes_nothing():
    # Given a connection with stored options
    connection = Connection(slug="t", adapter="ticket", config={"url": "https://a.example"})

    # When a secret is given with the plain options
    with pytest.raises(ConnectionOptionsInvalid) as invalid:
        apply_connection_options(connection, TicketAdapter, {**OPTIONS, "api_key": "k"}, {})

    # Then it is refused, naming the option, and the connection is as it was
    [problem] = invalid.value.problems
    assert (problem.option, problem.secret) == ("api_key", False)
    assert "is secret" in str(problem)
    assert connection.config == {"url": "https://a.example"}
    assert connection.secrets == {}


def test_another_adapters_secrets_are_dropped_when_the_adapter_changes():
    # Given a saved connection of another adapter, with a secret of that adapter
    connection = Connection.objects.create(
        slug="t", name="T", adapter="other", owner_email="it@example.gov.uk", secrets={"pw": "x"}
    )

    # When it becomes a ticket connection with its own secret
    apply_connection_options(connection, TicketAdapter, OPTIONS, {"api_key": "k"})

    # Then only the ticket secret is kept
    assert connection.secrets == {"api_key": "k"}
    assert connection.adapter == "ticket"
