"""Alerts: the connection's owner is told once when a delivery fails or waits too long."""

import re
from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from services.delivery.alerts import alert_failed, alert_overdue
from services.models import Delivery
from tests.services.delivery_admin.factories import (
    ConnectionFactory,
    DeliveryFactory,
    DestinationFactory,
    SubmissionFactory,
)

pytestmark = pytest.mark.django_db


def committed():
    """Run what waits for the commit (the e-mail task) as the real commit would."""
    return TestCase.captureOnCommitCallbacks(execute=True)


State = Delivery.State
PERSONAL = ("jo.bloggs@example.org", "SECRET-ANSWER", "garden")


def failed_delivery(**extra):
    connection = ConnectionFactory(name="Waste system", owner_email="waste.owner@council.gov.uk")
    return DeliveryFactory(
        state=State.FAILED,
        destination=DestinationFactory(connection=connection),
        submission=SubmissionFactory(reference="MC-123456"),
        last_error="422 from the back office: unknown bin type code",
        attempts=3,
        **extra,
    )


def test_a_failed_delivery_is_alerted_to_its_connections_owner_once(mail):
    # Given a delivery that has failed
    delivery = failed_delivery()

    # When the engine alerts about it (twice: a task run twice)
    with committed():
        assert alert_failed(delivery) is True
        assert alert_failed(Delivery.objects.get(pk=delivery.pk)) is False

    # Then exactly one e-mail reaches the owner, after commit, through Celery
    assert len(mail) == 1
    message = mail[0]
    assert message.to == ["waste.owner@council.gov.uk"]
    assert "MC-123456" in message.subject
    assert "Waste system" in message.subject
    body = message.body
    assert "Submission reference: MC-123456" in body
    assert "Reason: 422 from the back office: unknown bin type code" in body
    assert re.search(rf"/admin/services/delivery/{delivery.pk}/change/\s", body)
    assert "/admin/services/delivery/dashboard/" in body
    delivery.refresh_from_db()
    assert delivery.alerted_at is not None


def test_a_failure_alert_holds_no_answers_or_contact_details(mail):
    with committed():
        alert_failed(failed_delivery())

    text = mail[0].subject + mail[0].body
    for personal in PERSONAL:
        assert personal not in text


@pytest.mark.parametrize("state", [State.PENDING, State.RETRYING, State.DELIVERED])
def test_a_delivery_that_has_not_failed_is_not_alerted_as_failed(state, mail):
    delivery = DeliveryFactory(state=state)

    assert alert_failed(delivery) is False
    assert mail == []


def test_overdue_deliveries_make_one_digest_per_owner(mail):
    # Given one owner with two connections and another owner with one
    now = timezone.now()
    owner_a1 = ConnectionFactory(name="Waste", owner_email="a@council.gov.uk")
    owner_a2 = ConnectionFactory(name="Highways", owner_email="A@council.gov.uk")
    owner_b = ConnectionFactory(
        name="Council tax", owner_email="b@council.gov.uk", alert_after=timedelta(hours=6)
    )

    def waiting(connection, hours, state=State.RETRYING, **extra):
        return DeliveryFactory(
            destination=DestinationFactory(connection=connection),
            state=state,
            created_at=now - timedelta(hours=hours),
            **extra,
        )

    late_waste = [waiting(owner_a1, 2), waiting(owner_a1, 3, State.PENDING)]
    late_highways = waiting(owner_a2, 1.5)
    late_tax = waiting(owner_b, 7)
    # ... and deliveries that must not be in any digest
    not_late = [
        waiting(owner_a1, 0.5),  # younger than the connection's alert_after
        waiting(owner_b, 5),  # council tax waits 6 hours before alerting
        waiting(owner_a1, 5, State.DELIVERED),
        waiting(owner_a1, 5, State.FAILED),  # failures have their own alert
        waiting(owner_a1, 5, alerted_at=now - timedelta(hours=1)),  # told already
    ]

    # When the sweeper asks for overdue alerts (twice)
    with committed():
        assert alert_overdue(now) == 2
        assert alert_overdue(now) == 0

    # Then each owner gets one digest listing their late deliveries and nothing else
    assert len(mail) == 2
    by_owner = {message.to[0]: message for message in mail}
    assert set(by_owner) == {"a@council.gov.uk", "b@council.gov.uk"}
    digest_a = by_owner["a@council.gov.uk"]
    assert digest_a.subject.startswith("3 deliveries waiting too long")
    assert "Waste: 2 waiting" in digest_a.body
    assert "Highways: 1 waiting" in digest_a.body
    for delivery in [*late_waste, late_highways]:
        assert delivery.submission.reference in digest_a.body
        assert f"/admin/services/delivery/{delivery.pk}/change/" in digest_a.body
    digest_b = by_owner["b@council.gov.uk"]
    assert late_tax.submission.reference in digest_b.body
    for delivery in not_late:
        assert delivery.submission.reference not in digest_a.body + digest_b.body
    for personal in PERSONAL:
        assert personal not in digest_a.body + digest_b.body
    alerted = set(Delivery.objects.filter(alerted_at=now).values_list("pk", flat=True))
    assert alerted == {d.pk for d in [*late_waste, late_highways, late_tax]}


def test_a_long_digest_lists_the_first_deliveries_and_counts_the_rest(mail, settings):
    now = timezone.now()
    connection = ConnectionFactory(name="Waste")
    destination = DestinationFactory(connection=connection)
    for _ in range(53):
        DeliveryFactory(destination=destination, created_at=now - timedelta(hours=2))

    with committed():
        alert_overdue(now)

    body = mail[0].body
    assert "Waste: 53 waiting" in body
    assert body.count("/admin/services/delivery/") == 50 + 1  # 50 deliveries and the dashboard
    assert "and 3 more" in body
