"""No 500 after a saved submission: the broker unreachable when the request commits.

The submission, its deliveries and its acknowledgement e-mail are committed in one transaction;
only then are Celery tasks asked for. With the broker down at that moment the resident must still
see the confirmation, and everything they were promised must be waiting in PostgreSQL for the
sweeper.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from services.delivery import sweeper as delivery_sweeper
from services.messages import sweeper as message_sweeper
from services.models import Delivery, OutgoingMessage, Submission
from tests.faults.conftest import free_port, publishing_to
from tests.portal.journey.helpers import answer, start
from tests.services.delivery.conftest import make_connection, make_routed_version

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_resident_sees_the_confirmation_when_the_broker_is_down_at_commit(settings):
    # Given production's e-mail path and a service routed to a back office
    settings.EMAIL_BACKEND = "portal.core.mail.OutboxEmailBackend"
    version = make_routed_version(make_connection("http://127.0.0.1:9/records"))
    service = version.form.service
    service.allow_guests = True
    service.save(update_fields=["allow_guests"])
    slug = service.slug
    client = Client(raise_request_exception=False)
    check = answer(client, start(client, slug), {"bin_type": "garden"})

    # When the resident sends it while nothing listens on the broker's port
    with publishing_to(f"redis://127.0.0.1:{free_port()}/0"):
        response = client.post(check, {"contact_email": "guest@example.org"})

    # Then they are sent to the confirmation of their saved request, not a server error
    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "journey:confirmation", kwargs={"slug": slug, "reference": submission.reference}
    )
    assert client.get(response["Location"]).status_code == 200
    # And the delivery and the acknowledgement wait in PostgreSQL for the sweeper
    delivery = Delivery.objects.get(submission=submission)
    message = OutgoingMessage.objects.get(kind="acknowledgement")
    assert message.recipient == "guest@example.org"
    assert submission.reference in message.content["subject"]
    later = timezone.now() + timedelta(minutes=5)
    swept_deliveries: list[int] = []
    swept_messages: list[int] = []
    delivery_sweeper.sweep(later, swept_deliveries.append)
    message_sweeper.sweep(later, swept_messages.append, grace=timedelta(seconds=30))
    assert swept_deliveries == [delivery.pk]
    assert swept_messages == [message.pk]
