"""After an ambiguous attempt the Open311 adapter looks the request up before it sends again.

GeoReport v2 has no idempotency: the simulator, like a real server, makes a new request for
every POST. These tests show the adapter's lookup (found -> adopt, not found -> send, lookup
fails -> nothing sent) and the engine asking for it on every attempt after the first, counting
requests from the simulator's own records.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from integrations.base import PermanentError, TransientError
from integrations.simulators.base import RecordedRequest, Response
from integrations.simulators.open311 import Open311Simulator
from services.delivery.claim import claim
from services.delivery.engine import attempt_delivery
from services.models import Delivery
from tests.integrations.open311.conftest import API_KEY
from tests.services.delivery.conftest import make_connection, make_routed_version, submit

PAYLOAD = {"address_string": "12 Mill Lane", "description": "A pothole"}
POSTS = ("POST", "/open311/v2/requests.json")
LOOKUP = ("GET", "/open311/v2/requests.json")


def calls(sim: Open311Simulator) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in sim.requests]


# --- The adapter ---------------------------------------------------------------------------------


def test_a_request_found_by_the_lookup_is_adopted_and_nothing_is_posted(sim, adapter):
    # Given a request an earlier attempt made, whose answer never came back
    first_attempt_at = datetime.now(UTC)
    made = adapter.deliver(PAYLOAD, "key-found")
    sim.clear_requests()

    # When the delivery is tried again
    again = adapter.redeliver(PAYLOAD, "key-found", first_attempt_at)

    # Then the lookup finds it, it is adopted, and no second request is made
    assert again.reference == made
    assert again.note == f"ambiguous: looked up, adopted {made}"
    assert calls(sim) == [LOOKUP]
    assert sim.count_for("key-found") == 1
    query = sim.requests[0].query
    assert query["service_code"] == ["POTHOLE"]
    start = datetime.fromisoformat(query["start_date"][0])
    assert start <= first_attempt_at - timedelta(minutes=14)


def test_a_request_not_found_by_the_lookup_is_sent(sim, adapter):
    # Given an earlier attempt that never reached the server (another delivery's request exists)
    adapter.deliver(PAYLOAD, "someone-else")
    sim.clear_requests()

    # When the delivery is tried again
    again = adapter.redeliver(PAYLOAD, "key-missing", datetime.now(UTC))

    # Then nothing matched, so it is sent, once
    assert again.note == "ambiguous: looked up, none found, sent"
    assert calls(sim) == [LOOKUP, POSTS]
    assert sim.count_for("key-missing") == 1
    assert again.reference == sim.records[-1]["service_request_id"]


def test_a_failed_lookup_sends_nothing_and_is_retried_later(sim, adapter):
    # Given a request an earlier attempt may have made, and a server failing the lookup
    adapter.deliver(PAYLOAD, "key-unsure")
    sim.clear_requests()
    sim.set_faults(error_rate=1.0, times=1)

    # When the delivery is tried again
    with pytest.raises(TransientError, match="not sent again") as failure:
        adapter.redeliver(PAYLOAD, "key-unsure", datetime.now(UTC))

    # Then it is a transient failure and nothing was posted
    assert failure.value.status_code == 503
    assert calls(sim) == [LOOKUP]
    assert sim.count_for("key-unsure") == 1


def test_a_server_that_refuses_the_lookup_fails_permanently_without_sending():
    # Given a server without GET requests.json (it answers 404 to the lookup)
    class NoLookup(Open311Simulator):
        def handle(self, request: RecordedRequest) -> Response:
            if request.method == "GET":
                return Response.json([{"code": 404, "description": "Not found"}], status=404)
            return super().handle(request)

    with NoLookup(API_KEY) as server:
        from integrations.open311.adapter import Open311Adapter

        config = {"endpoint": server.endpoint, "api_key": API_KEY, "service_code": "POTHOLE"}
        adapter = Open311Adapter(Open311Adapter.validate_config(config))

        # When a delivery is tried a second time
        with pytest.raises(PermanentError, match="ambiguous: an earlier attempt may have made"):
            adapter.redeliver(PAYLOAD, "key", datetime.now(UTC))

        # Then people are told (permanent), and no request was made blind
        assert server.records == []


def test_a_payload_the_adapter_refuses_is_refused_before_any_lookup(sim, adapter):
    with pytest.raises(PermanentError, match="needs a location"):
        adapter.redeliver({"description": "no place"}, "key", datetime.now(UTC))

    assert sim.requests == []


# --- The engine asks for it ----------------------------------------------------------------------


@pytest.fixture
def open311_delivery(db, sim):
    connection = make_connection(
        sim.endpoint,
        adapter="open311",
        config={"endpoint": sim.endpoint, "service_code": "POTHOLE", "read_timeout": 2.0},
        secrets={"api_key": API_KEY},
    )
    mapping = {"description": {"meta": "reference"}, "address_string": {"answer": "bin_type"}}
    return submit(make_routed_version(connection, mapping=mapping)).deliveries.get()


def test_lost_response_then_retry_makes_one_request_and_the_attempt_says_it_adopted(
    sim, open311_delivery
):
    # Given a first attempt whose request was made but whose answer was lost
    sim.set_faults(drop_response=True, times=1)
    assert attempt_delivery(open311_delivery.pk).outcome == "transient"
    Delivery.objects.filter(pk=open311_delivery.pk).update(next_attempt_at=timezone.now())

    # When the retry is due
    assert attempt_delivery(open311_delivery.pk).outcome == "delivered"

    # Then the server holds one request, the delivery has its id, and staff can see why
    (record,) = sim.records
    open311_delivery.refresh_from_db()
    assert open311_delivery.external_reference == record["service_request_id"]
    first, second = open311_delivery.attempt_set.all()
    assert (first.outcome, second.outcome) == ("transient", "delivered")
    assert second.excerpt == f"ambiguous: looked up, adopted {record['service_request_id']}"


def test_a_worker_killed_mid_call_leaves_a_request_the_next_attempt_adopts(sim, open311_delivery):
    # Given a worker that claimed the delivery, made the request and died without a word
    claimed = claim(open311_delivery.pk)
    assert claimed is not None
    open311_delivery.connection.build_adapter().deliver(
        {"address_string": "garden", "description": "x"}, str(open311_delivery.idempotency_key)
    )
    Delivery.objects.filter(pk=open311_delivery.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )

    # When the sweeper's next attempt runs once the lease is over
    assert attempt_delivery(open311_delivery.pk).outcome == "delivered"

    # Then no second request was made: the first was looked up and adopted
    (record,) = sim.records
    open311_delivery.refresh_from_db()
    assert open311_delivery.external_reference == record["service_request_id"]
    (attempt,) = open311_delivery.attempt_set.all()
    assert attempt.number == 2
    assert attempt.excerpt.startswith("ambiguous: looked up, adopted")


def test_the_first_attempt_posts_without_a_lookup(sim, open311_delivery):
    assert attempt_delivery(open311_delivery.pk).outcome == "delivered"

    assert calls(sim) == [POSTS]
    assert open311_delivery.attempt_set.get().excerpt == ""


# --- A request that got no answer ----------------------------------------------------------------


def test_a_post_without_an_answer_puts_the_lookup_off_until_the_server_must_be_done(
    sim, make_adapter
):
    # Given a server that takes the request and hangs up without answering
    adapter = make_adapter(unanswered_wait=45)
    sim.set_faults(drop_response=True, times=1)

    # When it is sent
    with pytest.raises(TransientError) as failure:
        adapter.deliver(PAYLOAD, "key-unanswered")

    # Then the retry (a lookup) waits until the server cannot still be working on it
    assert failure.value.retry_after == 45


def test_an_answered_failure_is_retried_on_the_usual_schedule(sim, make_adapter):
    sim.set_faults(error_rate=1.0, times=1)

    with pytest.raises(TransientError) as failure:
        make_adapter(unanswered_wait=45).deliver(PAYLOAD, "key-503")

    assert failure.value.retry_after is None
