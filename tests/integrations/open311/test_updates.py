"""Status updates read back from the Open311 simulator: servicerequestupdates and requests.json."""

from datetime import UTC, datetime, timedelta

import pytest

from integrations.base import StatusUpdate, TransientError
from integrations.open311.adapter import Open311Adapter
from integrations.simulators.base import RecordedRequest, Response, Simulator

NOW = datetime.now(UTC).replace(microsecond=0)
AT_ADDRESS = {"address_string": "3 High Street", "description": "Light out"}


@pytest.fixture
def two_requests(sim, adapter):
    """Two requests, moved on by the back office over the last hour (not in time order)."""
    first = adapter.deliver(AT_ADDRESS, "key-1")
    second = adapter.deliver(AT_ADDRESS, "key-2")
    sim.add_update(first, "in_progress", "Inspector booked", at=NOW - timedelta(minutes=50))
    sim.add_update(
        second, "closed", "Repaired", external_status_code="FIXED", at=NOW - timedelta(minutes=10)
    )
    sim.add_update(first, "investigating", "", at=NOW - timedelta(minutes=30))
    return first, second


def test_updates_come_from_the_extension_oldest_first_with_the_back_office_codes(
    sim, adapter, two_requests
):
    first, second = two_requests

    updates = adapter.fetch_updates(None)

    assert updates == [
        StatusUpdate(
            "UPD-000001", first, "in_progress", NOW - timedelta(minutes=50), "Inspector booked"
        ),
        StatusUpdate("UPD-000003", first, "investigating", NOW - timedelta(minutes=30), ""),
        StatusUpdate("UPD-000002", second, "FIXED", NOW - timedelta(minutes=10), "Repaired"),
    ]
    request = sim.requests[-1]
    assert (request.method, request.path) == ("GET", "/open311/v2/servicerequestupdates.json")
    assert request.param("start_date") is None


def test_only_updates_from_the_watermark_on_are_returned(sim, adapter, two_requests):
    updates = adapter.fetch_updates(NOW - timedelta(minutes=30))

    assert [u.update_id for u in updates] == ["UPD-000003", "UPD-000002"]  # at it, and after
    request = sim.requests[-1]
    assert request.param("start_date") == (NOW - timedelta(minutes=30)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    end = datetime.fromisoformat(request.param("end_date") or "")
    assert abs(end - datetime.now(UTC)) < timedelta(seconds=5)
    assert adapter.fetch_updates(NOW - timedelta(minutes=5)) == []


def test_a_naive_watermark_is_taken_as_utc(sim, adapter, two_requests):
    naive = (NOW - timedelta(minutes=20)).replace(tzinfo=None)

    assert [u.update_id for u in adapter.fetch_updates(naive)] == ["UPD-000002"]


def test_without_the_extension_requests_json_gives_each_requests_state(
    sim, make_adapter, two_requests
):
    first, second = two_requests
    adapter = make_adapter(updates_extension=False)

    updates = adapter.fetch_updates(NOW - timedelta(minutes=40))

    assert updates == [
        StatusUpdate(
            f"{first}:open:{(NOW - timedelta(minutes=30)).isoformat()}",
            first,
            "open",
            NOW - timedelta(minutes=30),
            "",
        ),
        StatusUpdate(
            f"{second}:closed:{(NOW - timedelta(minutes=10)).isoformat()}",
            second,
            "closed",
            NOW - timedelta(minutes=10),
            "Repaired",
        ),
    ]
    request = sim.requests[-1]
    assert (request.method, request.path) == ("GET", "/open311/v2/requests.json")
    assert request.param("start_date") is not None
    assert adapter.fetch_updates(NOW - timedelta(minutes=5)) == []


def test_the_same_state_read_twice_has_the_same_update_id(sim, make_adapter, two_requests):
    adapter = make_adapter(updates_extension=False)

    assert adapter.fetch_updates(None) == adapter.fetch_updates(None)


def test_the_jurisdiction_is_sent_with_reads(sim, make_adapter):
    make_adapter(jurisdiction_id="example.gov.uk").fetch_updates(NOW)

    assert sim.requests[-1].param("jurisdiction_id") == "example.gov.uk"
    assert sim.requests[-1].param("api_key") is None  # secrets stay out of URLs and logs


def test_a_failing_feed_is_mapped_like_delivery(sim, adapter):
    sim.set_faults(rate_limit=30)

    with pytest.raises(TransientError) as failure:
        adapter.fetch_updates(NOW)

    assert failure.value.retry_after == 30.0


def test_malformed_entries_are_skipped_and_the_rest_kept(caplog):
    good = {
        "update_id": 9,
        "service_request_id": 77,
        "status": "closed",
        "updated_datetime": "2026-03-01T09:00:00+00:00",
        "external_status_code": "",
    }
    feed = [good, {"update_id": 10}, "junk", {**good, "update_id": 11, "updated_datetime": "soon"}]

    class Feed(Simulator):
        def handle(self, request: RecordedRequest) -> Response:
            return Response.json(feed)

    with Feed() as server:
        config = {"endpoint": server.url, "api_key": "k"}
        updates = Open311Adapter(Open311Adapter.validate_config(config)).fetch_updates(None)

    assert updates == [
        StatusUpdate("9", "77", "closed", datetime(2026, 3, 1, 9, tzinfo=UTC), ""),
    ]
    assert "open311 skipped malformed updates" in caplog.text
