"""Cases sent to a connection, its status mappings, and updates, for the status-update tests."""

from datetime import UTC, datetime, timedelta
from typing import Any

from integrations.base import StatusUpdate
from services.models import Connection, StatusMapping, Submission
from tests.services.delivery_admin.factories import (
    ConnectionFactory,
    DeliveryFactory,
    DestinationFactory,
    SubmissionFactory,
)

T0 = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
SECRET = "a-callback-secret-for-tests-0123456789abcdef"

# A highways back office's statuses, as a council might map them.
MAPPINGS = [
    ("OPEN", Submission.Status.IN_PROGRESS, False, "We are looking into it", "Rydym yn ymchwilio"),
    (
        "SCHEDULED",
        Submission.Status.ACTION_SCHEDULED,
        False,
        "A crew is booked to fix it",
        "Mae criw wedi'i drefnu i'w drwsio",
    ),
    (
        "FIXED",
        Submission.Status.CLOSED_FIXED,
        False,
        "Our crew has fixed the pothole",
        "Mae ein criw wedi trwsio'r twll",
    ),
    ("REOPENED", Submission.Status.IN_PROGRESS, True, "We have reopened your report", ""),
]


def connection_with_mappings(**fields: Any) -> Connection:
    connection = ConnectionFactory.create(callback_secret=SECRET, **fields)
    for external, portal, reopen, en, cy in MAPPINGS:
        StatusMapping.objects.create(
            connection=connection,
            external_status=external,
            portal_status=portal,
            reopen=reopen,
            description_en=en,
            description_cy=cy,
        )
    return connection


def case_sent_to(connection: Connection, external_reference: str, **fields: Any) -> Submission:
    """A submission delivered to `connection`, which knows it as `external_reference`."""
    submission = SubmissionFactory.create(**fields)
    DeliveryFactory(
        submission=submission,
        destination=DestinationFactory(connection=connection),
        external_reference=external_reference,
        state="delivered",
    )
    return submission


def update(
    update_id: str, reference: str, status: str, minutes: int = 0, description: str = ""
) -> StatusUpdate:
    return StatusUpdate(
        update_id=update_id,
        external_reference=reference,
        status=status,
        occurred_at=T0 + timedelta(minutes=minutes),
        description=description,
    )
