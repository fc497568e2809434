"""Staff send a resident's failed update to a back office again from the case's timeline."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from services.models import CaseMessage, Delivery, OutgoingUpdate
from tests.portal.staff.conftest import signed_in
from tests.services.delivery_admin.factories import DeliveryFactory

pytestmark = pytest.mark.django_db

State = OutgoingUpdate.State
WORDS = "It is still there by the gate"


def failed_update(case):
    delivery = DeliveryFactory.create(submission=case, state=Delivery.State.DELIVERED)
    message = CaseMessage.objects.create(submission=case, kind=CaseMessage.Kind.REPLY, text=WORDS)
    return OutgoingUpdate.objects.create(
        message=message,
        delivery=delivery,
        connection=delivery.connection,
        state=State.FAILED,
        attempts=3,
        first_attempt_at=timezone.now(),
        next_attempt_at=None,
        alerted_at=timezone.now(),
        last_error="case is archived",
    )


@pytest.fixture
def failed(waste_case):
    return failed_update(waste_case)


def test_an_agent_sends_a_failed_update_again(waste_agent, waste_case, failed):
    client = signed_in(waste_agent)
    timeline = reverse("staff:case_timeline", args=[waste_case.reference])
    url = reverse("staff:case_update_resend", args=[waste_case.reference, failed.pk])
    page = client.get(timeline).content.decode()
    assert "Updates not sent" in page
    assert url in page

    response = client.post(url, follow=True)

    assert response.redirect_chain[-1][0] == timeline
    html = response.content.decode()
    assert f"The update will be sent to {failed.connection.name} again now" in html
    failed.refresh_from_db()
    # Pending and due, with a fresh budget, and its owner told again if it fails again
    assert failed.state == State.PENDING
    assert failed.next_attempt_at is not None
    assert (failed.first_attempt_at, failed.alerted_at, failed.claim_token) == (None, None, None)
    # Who did it is in the case's history, shown on the timeline; not what the resident wrote
    entry = LogEntry.objects.get(object_id=str(waste_case.pk))
    assert entry.user == waste_agent
    assert f"to {failed.connection.name} (was Failed)" in entry.get_change_message()
    assert WORDS not in entry.get_change_message()
    assert entry.get_change_message() in html
    assert "Updates not sent" not in html


@pytest.mark.parametrize("state", [State.PENDING, State.RETRYING, State.DELIVERED])
def test_an_update_that_has_not_failed_is_refused_and_left_alone(
    state, waste_agent, waste_case, failed
):
    OutgoingUpdate.objects.filter(pk=failed.pk).update(state=state)
    url = reverse("staff:case_update_resend", args=[waste_case.reference, failed.pk])

    response = signed_in(waste_agent).post(url, follow=True)

    html = response.content.decode()
    assert "Only an update that was not sent can be sent again" in html
    assert "govuk-notification-banner" in html or "govuk-error-summary" in html
    failed.refresh_from_db()
    assert failed.state == state
    assert failed.alerted_at is not None
    assert not LogEntry.objects.exists()


def test_an_update_of_another_case_or_no_update_is_not_found(
    waste_agent, waste_case, make_case, failed
):
    client = signed_in(waste_agent)
    other = make_case()
    assert (
        client.post(
            reverse("staff:case_update_resend", args=[other.reference, failed.pk])
        ).status_code
        == 404
    )
    missing = reverse("staff:case_update_resend", args=[waste_case.reference, failed.pk + 1000])
    assert client.post(missing).status_code == 404
    url = reverse("staff:case_update_resend", args=[waste_case.reference, failed.pk])
    assert client.get(url).status_code == 405
    failed.refresh_from_db()
    assert failed.state == State.FAILED


def test_an_agent_of_another_team_cannot_send_it_again(streets_agent, waste_case, failed):
    url = reverse("staff:case_update_resend", args=[waste_case.reference, failed.pk])
    assert signed_in(streets_agent).post(url).status_code == 404
    failed.refresh_from_db()
    assert failed.state == State.FAILED
