"""Supervisors retry a case's failed delivery from the workspace; agents cannot."""

import pytest
from django.urls import reverse

from services.models import Delivery
from tests.portal.staff.conftest import signed_in
from tests.services.delivery_admin.factories import DeliveryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed(waste_case):
    return DeliveryFactory.create(
        submission=waste_case, state=Delivery.State.FAILED, last_error="HTTP 500"
    )


def test_a_supervisor_retries_a_failed_delivery(supervisor, waste_case, failed):
    client = signed_in(supervisor)
    timeline = reverse("staff:case_timeline", args=[waste_case.reference])
    url = reverse("staff:case_delivery_retry", args=[waste_case.reference, failed.pk])
    assert url in client.get(timeline).content.decode()

    response = client.post(url, follow=True)

    assert response.redirect_chain[-1][0] == timeline
    assert "The delivery will be sent again now" in response.content.decode()
    failed.refresh_from_db()
    assert failed.state == Delivery.State.PENDING


def test_a_delivered_delivery_is_refused_with_the_reason_and_left_alone(
    supervisor, waste_case, failed
):
    Delivery.objects.filter(pk=failed.pk).update(state=Delivery.State.DELIVERED)
    url = reverse("staff:case_delivery_retry", args=[waste_case.reference, failed.pk])

    response = signed_in(supervisor).post(url, follow=True)

    assert "already been delivered" in response.content.decode()
    failed.refresh_from_db()
    assert failed.state == Delivery.State.DELIVERED


def test_an_agent_may_not_retry_and_sees_no_button(waste_agent, waste_case, failed):
    client = signed_in(waste_agent)
    url = reverse("staff:case_delivery_retry", args=[waste_case.reference, failed.pk])
    timeline = reverse("staff:case_timeline", args=[waste_case.reference])
    assert url not in client.get(timeline).content.decode()
    assert client.post(url).status_code == 403
    failed.refresh_from_db()
    assert failed.state == Delivery.State.FAILED


def test_a_delivery_of_another_case_is_not_found(supervisor, waste_case, make_case, failed):
    other = make_case()
    url = reverse("staff:case_delivery_retry", args=[other.reference, failed.pk])
    assert signed_in(supervisor).post(url).status_code == 404
    assert signed_in(supervisor).get(url).status_code == 405
    failed.refresh_from_db()
    assert failed.state == Delivery.State.FAILED
