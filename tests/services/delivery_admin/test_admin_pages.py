"""The dashboard, the delivery and submission admin pages: who sees them, what they show, and
the actions as people use them (POST forms, messages, never an error page)."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone
from structlog.testing import capture_logs

from services.models import AccessLog, Delivery
from tests.portal.accounts.factories import UserFactory
from tests.services.delivery_admin.conftest import signed_in
from tests.services.delivery_admin.factories import (
    AttemptFactory,
    ConnectionFactory,
    DeliveryFactory,
    DestinationFactory,
    SubmissionFactory,
)
from tests.services.delivery_admin.page_forms import press
from tests.services.delivery_admin.test_dashboard import failed_update

pytestmark = pytest.mark.django_db

State = Delivery.State
DASHBOARD = "/admin/services/delivery/dashboard/"


@pytest.fixture(autouse=True)
def nothing_queued(monkeypatch):
    ids = []
    monkeypatch.setattr("services.delivery.outbox.queue_deliveries", lambda b: ids.extend(b))
    return ids


def busy_outbox(count=3):
    """Several connections with deliveries in every state, attempts, and an unrouted case."""
    now = timezone.now()
    for _ in range(count):
        destination = DestinationFactory(connection=ConnectionFactory())
        for state in State.values:
            delivery = DeliveryFactory(
                destination=destination,
                state=state,
                created_at=now - timedelta(hours=2),
                last_error="503 from the back office" if state == "failed" else "",
            )
            AttemptFactory(delivery=delivery, number=1)
            AttemptFactory(delivery=delivery, number=2)
            if state == "delivered":
                # A resident's update to it that failed for good
                failed_update(delivery, state="failed", last_error="410 case archived")
        SubmissionFactory(
            routing_round=1, routing_decision={"routed": False, "reasons": ["No rule matched"]}
        )


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_service_admin_sees_the_dashboard_with_every_list(service_admin_client):
    busy_outbox()

    response = service_admin_client.get(DASHBOARD)

    assert response.status_code == 200
    page = response.content.decode()
    sections = ('id="connections"', 'id="failed"', 'id="failed-updates"', 'id="stuck"')
    for section in (*sections, 'id="unrouted"'):
        assert section in page
    assert "503 from the back office" in page
    assert "410 case archived" in page
    assert "Not sent: 3 residents’ updates need a person" in page
    assert "No rule matched" in page
    assert "Retry now" in page
    assert "csrfmiddlewaretoken" in page


def test_the_dashboard_takes_the_same_number_of_queries_however_busy(service_admin_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for_dashboard():
        with CaptureQueriesContext(connection) as captured:
            assert service_admin_client.get(DASHBOARD).status_code == 200
        return len(captured)

    busy_outbox(1)
    quiet = queries_for_dashboard()
    busy_outbox(4)
    assert queries_for_dashboard() == quiet
    assert quiet <= 20


def test_agents_and_residents_do_not_see_the_dashboard(agent_client, client):
    assert agent_client.get(DASHBOARD).status_code == 403
    resident = UserFactory()
    client.force_login(resident)
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert "/login/" in response["Location"] or "/accounts/" in response["Location"]


def test_staff_without_mfa_are_sent_to_set_it_up_first(client, service_admin):
    client.force_login(service_admin)  # no authenticator app yet

    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_an_admin_who_may_only_view_sees_no_action_buttons(db):
    from django.contrib.auth.models import Permission

    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(
        Permission.objects.get(codename="view_delivery", content_type__app_label="services")
    )
    DeliveryFactory(state=State.FAILED)
    client = signed_in(viewer)

    page = client.get(DASHBOARD).content.decode()

    assert 'id="failed"' in page
    assert "Retry now" not in page


def test_retry_now_from_the_dashboard_confirms_and_returns(service_admin_client, nothing_queued):
    delivery = DeliveryFactory(state=State.FAILED)

    response = service_admin_client.post(
        f"/admin/services/delivery/{delivery.pk}/retry/", {"note": "", "next": DASHBOARD}
    )

    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    assert any("queued to be sent now" in m for m in messages_of(response))
    delivery.refresh_from_db()
    assert delivery.state == State.PENDING
    assert nothing_queued == [delivery.pk]


def test_a_refused_action_is_a_message_not_an_error_page(service_admin_client):
    delivery = DeliveryFactory(state=State.DELIVERED, external_reference="WST-9")

    response = service_admin_client.post(
        f"/admin/services/delivery/{delivery.pk}/cancel/", {"note": "not needed"}
    )

    assert response.status_code == 302
    assert any("already been delivered" in m for m in messages_of(response))
    delivery.refresh_from_db()
    assert delivery.state == State.DELIVERED


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/admin/services/delivery/{pk}/resolve/", {"note": ""}),
        ("/admin/services/delivery/{pk}/resolve/", {"note": "x" * 5000}),
        ("/admin/services/delivery/{pk}/cancel/", {"note": "why", "next": "https://evil.example/"}),
        ("/admin/services/delivery/999999/retry/", {}),
    ],
)
def test_bad_input_to_an_action_gets_a_clear_message(path, data, service_admin_client):
    delivery = DeliveryFactory(state=State.FAILED)

    response = service_admin_client.post(path.format(pk=delivery.pk), data)

    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil")
    assert messages_of(response)


def test_actions_are_post_only_and_need_the_change_permission(service_admin_client, db):
    delivery = DeliveryFactory(state=State.FAILED)
    url = f"/admin/services/delivery/{delivery.pk}/retry/"
    assert service_admin_client.get(url).status_code == 405
    assert service_admin_client.get("/admin/services/delivery/abc/retry/").status_code in (
        302,
        404,
    )

    from django.contrib.auth.models import Permission

    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(
        Permission.objects.get(codename="view_delivery", content_type__app_label="services")
    )
    assert signed_in(viewer).post(url).status_code == 403
    delivery.refresh_from_db()
    assert delivery.state == State.FAILED


def test_actions_need_the_csrf_token(service_admin):
    from django.test import Client

    from tests.portal.accounts.helpers import activate_totp

    activate_totp(service_admin)
    client = Client(enforce_csrf_checks=True)
    client.force_login(service_admin)
    delivery = DeliveryFactory(state=State.FAILED)

    response = client.post(f"/admin/services/delivery/{delivery.pk}/retry/")

    assert response.status_code == 403
    delivery.refresh_from_db()
    assert delivery.state == State.FAILED


@pytest.mark.parametrize(
    "url",
    [
        "/admin/services/delivery/",
        "/admin/services/delivery/?state__exact=failed",
        "/admin/services/delivery/?q=MC-",
        "/admin/services/attempt/",
        "/admin/services/submission/",
        "/admin/services/submission/?q=MC-",
    ],
)
def test_the_lists_render_within_a_query_budget(
    url, service_admin_client, django_assert_max_num_queries
):
    busy_outbox(3)
    with django_assert_max_num_queries(25):
        assert service_admin_client.get(url).status_code == 200


def test_a_delivery_page_shows_its_attempts_and_the_actions(
    service_admin_client, django_assert_max_num_queries
):
    delivery = DeliveryFactory(state=State.FAILED, last_error="400 refused")
    for number in range(1, 6):
        AttemptFactory(delivery=delivery, number=number, error_class=f"Error{number}")

    with django_assert_max_num_queries(25):
        response = service_admin_client.get(f"/admin/services/delivery/{delivery.pk}/change/")

    page = response.content.decode()
    assert response.status_code == 200
    for number in range(1, 6):
        assert f"Error{number}" in page
    assert 'id="delivery-actions"' in page
    assert "Mark resolved" in page


def test_the_submission_timeline_shows_the_decision_every_attempt_and_each_outcome(
    service_admin, service_admin_client, django_assert_max_num_queries
):
    # Given a case routed in round 1 to two systems, one delivered after a retry, one failed,
    # then re-routed in round 2 and resolved by hand
    submission = SubmissionFactory(
        routing_round=2,
        routing_decision={
            "round": 2,
            "routed": True,
            "destinations": ["Highways"],
            "reasons": ["Rule “Potholes” matched: the answer to “problem” is pothole"],
            "previous_rounds": [
                {
                    "round": 1,
                    "routed": True,
                    "destinations": ["Waste", "CRM"],
                    "reasons": ["No rule matched, so it goes to the fallback: “Waste”, “CRM”"],
                }
            ],
        },
    )
    waste = DeliveryFactory(
        submission=submission,
        routing_round=1,
        destination=DestinationFactory(name="Waste"),
        state=State.DELIVERED,
        delivered_at=timezone.now(),
        external_reference="WST-000123",
    )
    AttemptFactory(
        delivery=waste,
        number=1,
        status_code="503",
        error_class="TransientError",
        excerpt="Service Unavailable",
        duration_ms=1234,
    )
    AttemptFactory(delivery=waste, number=2, outcome="delivered", status_code="201", duration_ms=87)
    crm = DeliveryFactory(
        submission=submission,
        routing_round=1,
        destination=DestinationFactory(name="CRM"),
        state=State.FAILED,
        last_error="401 from the back office: bad API key",
    )
    AttemptFactory(
        delivery=crm, number=1, outcome="permanent", status_code="401", error_class="PermanentError"
    )
    highways = DeliveryFactory(
        submission=submission,
        routing_round=2,
        destination=DestinationFactory(name="Highways"),
        state=State.RESOLVED,
        resolution_note="sent by hand on 3 March",
    )

    with django_assert_max_num_queries(25), capture_logs() as logs:
        response = service_admin_client.get(f"/admin/services/submission/{submission.pk}/change/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Rule “Potholes” matched: the answer to “problem” is pothole" in page
    assert "No rule matched, so it goes to the fallback" in page
    assert page.count('class="timeline-attempt"') == 3
    for text in ("Service Unavailable", "1234 ms", "87 ms", "TransientError", "PermanentError"):
        assert text in page
    assert "WST-000123" in page
    assert "401 from the back office: bad API key" in page
    assert "sent by hand on 3 March" in page
    assert f'data-delivery="{highways.pk}"' in page
    assert 'id="rerun-routing"' in page
    # The page shows the contact details, the view is recorded, and the log holds no answers
    assert "jo.bloggs@example.org" in page
    viewed = AccessLog.objects.get()
    assert (viewed.actor, viewed.submission, viewed.where) == (
        service_admin,
        submission,
        "admin:submission",
    )
    assert "SECRET-ANSWER" not in str(logs)


def test_rerun_routing_from_the_submission_page(service_admin_client, nothing_queued):
    submission = SubmissionFactory(routing_round=1, routing_decision={"routed": False})

    response = service_admin_client.post(
        f"/admin/services/submission/{submission.pk}/rerun-routing/", {"note": "Location fixed"}
    )

    assert response.status_code == 302
    assert any("routing re-run (round 2)" in m for m in messages_of(response))
    submission.refresh_from_db()
    assert submission.routing_round == 2


def test_rerun_routing_without_a_note_is_refused_with_a_message(service_admin_client):
    submission = SubmissionFactory(routing_round=1, routing_decision={"routed": False})

    response = service_admin_client.post(
        f"/admin/services/submission/{submission.pk}/rerun-routing/", {"note": ""}
    )

    assert response.status_code == 302
    assert any("note" in m.lower() for m in messages_of(response))
    submission.refresh_from_db()
    assert submission.routing_round == 1


def test_bulk_cancel_asks_for_a_note_then_cancels(service_admin_client):
    deliveries = [DeliveryFactory(state=State.FAILED) for _ in range(2)]
    done = DeliveryFactory(state=State.DELIVERED)
    ids = [str(d.pk) for d in [*deliveries, done]]
    url = "/admin/services/delivery/"

    asked = service_admin_client.post(url, {"action": "cancel_action", "_selected_action": ids})
    assert asked.status_code == 200
    assert 'name="note"' in asked.content.decode()

    no_note = service_admin_client.post(
        url, {"action": "cancel_action", "_selected_action": ids, "confirm": "yes", "note": ""}
    )
    assert "Enter a note" in no_note.content.decode()
    assert Delivery.objects.filter(state=State.CANCELLED).count() == 0

    response = service_admin_client.post(
        url,
        {"action": "cancel_action", "_selected_action": ids, "confirm": "yes", "note": "dupes"},
    )
    assert response.status_code == 302
    messages = messages_of(response)
    assert any("2 cancelled" in m for m in messages)
    assert any("already been delivered" in m for m in messages)
    assert Delivery.objects.filter(state=State.CANCELLED, resolution_note="dupes").count() == 2


def test_bulk_retry_now(service_admin_client, nothing_queued):
    deliveries = [DeliveryFactory(state=State.FAILED) for _ in range(3)]

    response = service_admin_client.post(
        "/admin/services/delivery/",
        {"action": "retry_now_action", "_selected_action": [str(d.pk) for d in deliveries]},
    )

    assert response.status_code == 302
    assert sorted(nothing_queued) == sorted(d.pk for d in deliveries)
    assert Delivery.objects.filter(state=State.PENDING).count() == 3


def browser_like_client(user):
    """A signed-in client that checks CSRF tokens, as the site does for a real browser."""
    from django.test import Client

    from tests.portal.accounts.helpers import activate_totp

    activate_totp(user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_re_run_routing_pressed_on_the_rendered_submission_page_routes_the_case_again(
    service_admin, nothing_queued
):
    # Given an unrouted case, as the dashboard lists it
    submission = SubmissionFactory(routing_round=1, routing_decision={"routed": False})
    client = browser_like_client(service_admin)

    # When an admin types a note and presses "Re-run routing" on its page
    response = press(
        client,
        f"/admin/services/submission/{submission.pk}/change/",
        "Re-run routing",
        note="Routing added for this service",
    )

    # Then the case is routed again (not a 403 from the page's own change form)
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.routing_round == 2


@pytest.mark.parametrize(
    ("button", "state"),
    [("Retry now", State.PENDING), ("Cancel", State.CANCELLED), ("Mark resolved", State.RESOLVED)],
)
def test_each_action_pressed_on_the_rendered_delivery_page_acts_on_the_delivery(
    service_admin, nothing_queued, button, state
):
    # Given a failed delivery
    delivery = DeliveryFactory(state=State.FAILED, last_error="400 refused")
    client = browser_like_client(service_admin)

    # When an admin presses one of the actions on its page, with a note
    response = press(
        client,
        f"/admin/services/delivery/{delivery.pk}/change/",
        button,
        note="Checked with the waste team",
    )

    # Then the action is done
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.state == state
