"""Polling: fetch_updates since the watermark, apply, and move the watermark only on success."""

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest
from django.core.cache import cache
from django.test import TestCase
from rest_framework import serializers

from integrations.base import Adapter, StatusUpdate, TransientError
from integrations.open311.adapter import Open311Adapter
from integrations.registry import registry
from integrations.simulators.open311 import Open311Simulator
from portal.celery import app as celery_app
from services.models import CaseUpdate, Connection, StatusMapping, Submission
from services.updates import tasks as update_tasks
from services.updates.poll import OVERLAP, poll_connection, pollable_connections
from tests.services.updates.helpers import (
    T0,
    case_sent_to,
    connection_with_mappings,
    update,
)

pytestmark = pytest.mark.django_db
S = Submission.Status


class NoOptions(serializers.Serializer):
    pass


class FeedAdapter(Adapter):
    """A back office whose feed is whatever the test puts in `feed` (or `fault` raised)."""

    id = "test-feed"
    name = "Test feed"
    config_serializer = NoOptions
    feed: ClassVar[list[StatusUpdate]] = []
    fault: ClassVar[Exception | None] = None
    asked: ClassVar[list[datetime | None]] = []

    def deliver(self, payload: Any, idempotency_key: str, progress: Any = None) -> str:
        raise NotImplementedError

    def fetch_updates(self, since: datetime | None) -> list[StatusUpdate]:
        FeedAdapter.asked.append(since)
        if FeedAdapter.fault is not None:
            raise FeedAdapter.fault
        return [u for u in FeedAdapter.feed if since is None or u.occurred_at >= since]


class SendOnlyAdapter(Adapter):
    id = "test-send-only"
    name = "Send only"
    config_serializer = NoOptions


@pytest.fixture(autouse=True)
def adapters():
    FeedAdapter.feed, FeedAdapter.fault, FeedAdapter.asked = [], None, []
    # (The cache starts empty: tests/conftest.py empties this worker's keys after every test;
    # cache.clear() would FLUSHDB the shared Redis under the other xdist worker's tests.)
    with registry.replaced(FeedAdapter, SendOnlyAdapter, Open311Adapter):
        yield


@pytest.fixture
def connection():
    return connection_with_mappings(adapter="test-feed", slug="feed")


@pytest.fixture
def case(connection):
    return case_sent_to(connection, "HW-1", contact_email="jo@example.org")


def poll(connection):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return poll_connection(connection.pk)


def test_a_poll_applies_new_updates_and_moves_the_watermark_to_the_newest_less_the_overlap(
    connection, case, mail_through_celery
):
    FeedAdapter.feed = [update("U1", "HW-1", "OPEN", 0), update("U2", "HW-1", "FIXED", 30)]

    result = poll(connection)

    assert result is not None
    assert (result.fetched, result.applied.applied) == (2, 2)
    case.refresh_from_db()
    assert case.status == S.CLOSED_FIXED
    connection.refresh_from_db()
    assert connection.updates_watermark == T0 + timedelta(minutes=30) - OVERLAP
    assert FeedAdapter.asked == [None]
    assert len(mail_through_celery) == 2


def test_the_next_poll_asks_since_the_watermark_and_the_overlap_changes_nothing(
    connection, case, mail_through_celery
):
    FeedAdapter.feed = [update("U1", "HW-1", "OPEN", 0)]
    poll(connection)
    FeedAdapter.feed.append(update("U2", "HW-1", "SCHEDULED", 1))

    result = poll(connection)

    assert FeedAdapter.asked[1] == T0 - OVERLAP
    assert (result.applied.duplicates, result.applied.applied) == (1, 1)
    assert CaseUpdate.objects.count() == 2
    assert len(mail_through_celery) == 2


def test_a_failed_fetch_is_recorded_and_leaves_the_watermark_where_it_was(connection, case):
    FeedAdapter.feed = [update("U1", "HW-1", "OPEN", 0)]
    poll(connection)
    connection.refresh_from_db()
    mark = connection.updates_watermark
    FeedAdapter.fault = TransientError("503 from the back office", status_code=503)
    FeedAdapter.feed.append(update("U2", "HW-1", "FIXED", 60))

    result = poll(connection)

    assert result.applied is None
    connection.refresh_from_db()
    assert connection.updates_watermark == mark
    assert connection.last_failure_at is not None
    assert "503 from the back office" in connection.last_failure_message
    case.refresh_from_db()
    assert case.status == S.IN_PROGRESS

    # When the back office is back, the next poll asks from the same place and catches up
    FeedAdapter.fault = None
    poll(connection)
    assert FeedAdapter.asked[-1] == mark
    case.refresh_from_db()
    assert case.status == S.CLOSED_FIXED


def test_an_unexpected_adapter_error_is_recorded_by_its_class_only(connection, case):
    FeedAdapter.fault = KeyError("jo@example.org")

    result = poll(connection)

    connection.refresh_from_db()
    assert connection.last_failure_message == "Fetching status updates failed: KeyError"
    assert connection.updates_watermark is None
    assert result.applied is None


def test_the_watermark_never_moves_backwards(connection, case):
    later = T0 + timedelta(hours=5)
    Connection.objects.filter(pk=connection.pk).update(updates_watermark=later)
    FeedAdapter.feed = [update("U1", "HW-1", "OPEN", 0)]

    poll(connection)  # a feed that ignores `since` and sends something old

    connection.refresh_from_db()
    assert connection.updates_watermark == later


def test_a_connection_being_polled_is_not_polled_twice_at_once(connection, case):
    cache.add(f"updates-poll:{connection.pk}", "another worker", timeout=60)

    assert poll(connection) is None
    assert FeedAdapter.asked == []


def test_only_active_connections_whose_adapter_can_fetch_updates_are_polled(connection):
    connection_with_mappings(adapter="test-send-only")
    connection_with_mappings(adapter="test-feed", is_active=False)

    assert pollable_connections() == [connection]


def test_the_task_polls_one_connection_and_beat_runs_poll_all_every_five_minutes(connection, case):
    FeedAdapter.feed = [update("U1", "HW-1", "OPEN", 0)]

    with TestCase.captureOnCommitCallbacks(execute=True):
        fetched = update_tasks.poll_connection(connection.pk)

    assert fetched == 1
    entry = celery_app.conf.beat_schedule["poll-status-updates"]
    assert entry == {"task": update_tasks.poll_all.name, "schedule": 300}


def test_polling_the_open311_simulator_brings_its_status_back_to_the_case(mail_through_celery):
    # Given a request made in the Open311 simulator and a connection to it
    with Open311Simulator("open311-key") as sim:
        options = Open311Adapter.validate_config(
            {"endpoint": sim.endpoint, "api_key": "open311-key", "service_code": "POTHOLE"}
        )
        secret_names = Open311Adapter.secret_option_names()
        connection = Connection.objects.create(
            name="Highways",
            slug="highways",
            adapter="open311",
            config={k: v for k, v in options.items() if k not in secret_names},
            secrets={k: v for k, v in options.items() if k in secret_names},
            owner_email="highways@council.example",
        )
        StatusMapping.objects.create(
            connection=connection,
            external_status="FIXED",
            portal_status=S.CLOSED_FIXED,
            description_en="Our crew has fixed the pothole",
        )
        request_id = connection.build_adapter().deliver(
            {"address_string": "3 High Street", "description": "Pothole"}, "key-1"
        )
        case = case_sent_to(connection, request_id, reference="K7WP-3XMR")
        moment = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
        sim.add_update(request_id, "closed", "Patched", external_status_code="FIXED", at=moment)

        # When
        result = poll(connection)

    # Then
    assert result.applied.applied == 1
    case.refresh_from_db()
    assert case.status == S.CLOSED_FIXED
    connection.refresh_from_db()
    assert connection.updates_watermark == moment - OVERLAP
    [message] = mail_through_celery
    assert message.subject == "Your request K7WP-3XMR: Our crew has fixed the pothole"
