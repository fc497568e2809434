""" "Check for updates now": an admin asks one connection for its updates at once instead of
waiting for beat's next poll (up to five minutes); a real worker polls a real simulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from integrations.simulators.open311 import Open311Simulator
from portal.accounts.roles import SERVICE_ADMIN
from services.models import Connection, StatusMapping, Submission
from tests.portal.accounts.factories import UserFactory
from tests.portal.accounts.helpers import activate_totp
from tests.services.delivery_admin.page_forms import press
from tests.services.updates.helpers import case_sent_to, connection_with_mappings

S = Submission.Status


def signed_in(user: Any) -> Client:
    activate_totp(user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def change_page(connection: Connection) -> str:
    return reverse("admin:services_connection_change", args=[connection.pk])


def highways(sim: Open311Simulator) -> Connection:
    options = {"endpoint": sim.endpoint, "service_code": "POTHOLE"}
    connection = Connection.objects.create(
        name="Highways",
        slug="highways",
        adapter="open311",
        config=options,
        secrets={"api_key": "open311-key"},
        owner_email="highways@council.example",
    )
    StatusMapping.objects.create(
        connection=connection,
        external_status="FIXED",
        portal_status=S.CLOSED_FIXED,
        description_en="Our crew has fixed the pothole",
    )
    return connection


@pytest.mark.django_db(transaction=True)
def test_check_for_updates_now_brings_the_back_offices_status_to_the_case(celery_worker_process):
    # Given a pothole the Open311 back office has just marked fixed
    with Open311Simulator("open311-key") as sim:
        connection = highways(sim)
        request_id = connection.build_adapter().deliver(
            {"address_string": "3 High Street", "description": "Pothole"}, "key-1"
        )
        case = case_sent_to(connection, request_id, reference="K7WP-3XMR")
        moment = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
        sim.add_update(request_id, "closed", "Patched", external_status_code="FIXED", at=moment)

        # When a system admin presses "Check for updates now" on the connection's page
        client = signed_in(UserFactory(is_staff=True, is_superuser=True))
        response = press(client, change_page(connection), "Check for updates now")

        # Then they are told it is being checked, and the worker brings the status to the case
        assert response.status_code == 302
        said = [str(m) for m in get_messages(response.wsgi_request)]
        assert any("Checking Highways for updates now" in m for m in said), said
        celery_worker_process.wait_for(
            lambda: Submission.objects.get(pk=case.pk).status == S.CLOSED_FIXED,
            what="the poll to apply the update",
        )


@pytest.mark.django_db
def test_a_connection_that_cannot_be_polled_has_no_button_and_a_post_is_refused_with_a_reason():
    # Given a webhook connection (its back office calls back; it cannot be asked)
    connection = connection_with_mappings(adapter="webhook", slug="webhook")
    client = signed_in(UserFactory(is_staff=True, is_superuser=True))

    # Then its page offers no check, and a check asked for anyway says why not
    assert "Check for updates now" not in client.get(change_page(connection)).content.decode()
    client.get(change_page(connection))  # for the CSRF cookie
    response = client.post(
        reverse("admin:services_connection_check_updates", args=[connection.pk]),
        {"csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    )
    assert response.status_code == 302
    [said] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "cannot be checked for updates: JSON webhook cannot be asked" in said


@pytest.mark.django_db
def test_someone_who_may_only_view_connections_cannot_ask_for_a_check():
    # Given a service admin (who may see connections but not change them)
    with Open311Simulator("open311-key") as sim:
        connection = highways(sim)
        client = signed_in(UserFactory(is_staff=True, roles=[SERVICE_ADMIN]))

        # Then there is no button, and the check is refused
        assert "Check for updates now" not in client.get(change_page(connection)).content.decode()
        response = client.post(
            reverse("admin:services_connection_check_updates", args=[connection.pk]),
            {"csrfmiddlewaretoken": client.cookies["csrftoken"].value},
        )
        assert response.status_code == 403
