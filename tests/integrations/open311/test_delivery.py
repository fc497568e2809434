"""The Open311 adapter against the Open311 simulator over loopback: no HTTP mocks."""

import json
import logging
import time
from datetime import UTC, datetime
from urllib.parse import parse_qsl

import pytest

from integrations.base import PermanentError, TransientError
from integrations.open311.adapter import Open311Adapter
from integrations.simulators.base import RecordedRequest, Response, Simulator
from integrations.simulators.open311 import Open311Simulator
from tests.integrations.open311.conftest import API_KEY

PAYLOAD = {
    "lat": 52.4862,
    "long": -1.8904,
    "email": "jo.bloggs@example.org",
    "first_name": "Jo",
    "last_name": "Bloggs-Testperson",
    "phone": "07700 900123",
    "description": "Deep pothole outside 12 Mill Lane",
    "media_url": "https://portal.example.gov.uk/files/ab12/pothole.jpg",
    "attribute.depth": "deep",
    "attribute.hazards": ["school", "bus stop"],
    "attribute.blocking": True,
}
PERSONAL_VALUES = [
    "jo.bloggs@example.org",
    "Bloggs-Testperson",
    "07700 900123",
    "Deep pothole outside 12 Mill Lane",
    "12 Mill Lane, Llanfair",
]
AT_ADDRESS = {
    "address_string": "12 Mill Lane, Llanfair",
    "description": "Graffiti on the bus shelter",
}


class Answering(Simulator):
    """A server that gives one fixed answer, for answers the simulator never gives."""

    def __init__(self, response: Response) -> None:
        super().__init__()
        self.response = response

    def handle(self, request: RecordedRequest) -> Response:
        return self.response


def deliver_to(response: Response, payload=PAYLOAD) -> str:
    with Answering(response) as answering:
        config = {"endpoint": answering.url, "api_key": API_KEY, "service_code": "POTHOLE"}
        return Open311Adapter(Open311Adapter.validate_config(config)).deliver(payload, "key-1")


def form_of(request: RecordedRequest) -> list[tuple[str, str]]:
    return parse_qsl(request.body.decode(), keep_blank_values=True)


# --- Success -------------------------------------------------------------------------------------


def test_posts_a_form_encoded_service_request_and_returns_its_id(sim, adapter):
    reference = adapter.deliver(PAYLOAD, "delivery-1-key")

    (record,) = sim.records
    assert reference == record["service_request_id"] == "100001"
    (request,) = sim.requests
    assert (request.method, request.path) == ("POST", "/open311/v2/requests.json")
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert form_of(request) == [
        ("api_key", API_KEY),
        ("service_code", "POTHOLE"),
        ("lat", "52.4862"),
        ("long", "-1.8904"),
        ("email", "jo.bloggs@example.org"),
        ("first_name", "Jo"),
        ("last_name", "Bloggs-Testperson"),
        ("phone", "07700 900123"),
        ("description", "Deep pothole outside 12 Mill Lane\n\nPortal reference: delivery-1-key"),
        ("media_url", "https://portal.example.gov.uk/files/ab12/pothole.jpg"),
        ("attribute[depth]", "deep"),
        ("attribute[hazards][]", "school"),
        ("attribute[hazards][]", "bus stop"),
        ("attribute[blocking]", "true"),
        ("attribute[portal_reference]", "delivery-1-key"),
    ]
    assert record["attributes"] == {
        "depth": "deep",
        "hazards": ["school", "bus stop"],
        "blocking": "true",
        "portal_reference": "delivery-1-key",
    }
    assert record["portal_reference"] == "delivery-1-key"


def test_an_address_is_sent_instead_of_a_position_when_there_is_no_lat_long(sim, adapter):
    adapter.deliver({**AT_ADDRESS, "lat": None, "long": ""}, "k")

    names = [name for name, _ in form_of(sim.requests[-1])]
    assert "lat" not in names
    assert "long" not in names
    assert sim.records[0]["fields"]["address_string"] == "12 Mill Lane, Llanfair"


def test_an_address_id_alone_is_a_location(sim, adapter):
    adapter.deliver({"address_id": "UPRN-100023336956"}, "k")

    assert sim.records[0]["fields"]["address_id"] == "UPRN-100023336956"


def test_a_mapped_service_code_overrides_the_destinations(sim, adapter):
    adapter.deliver({**AT_ADDRESS, "service_code": "GRAFFITI"}, "k")

    assert sim.records[0]["service_code"] == "GRAFFITI"


def test_the_jurisdiction_is_sent_when_configured():
    with Open311Simulator(API_KEY, jurisdiction_id="example.gov.uk") as hosted:
        base = {"endpoint": hosted.endpoint, "api_key": API_KEY, "service_code": "POTHOLE"}
        good = Open311Adapter(
            Open311Adapter.validate_config({**base, "jurisdiction_id": "example.gov.uk"})
        )
        without = Open311Adapter(Open311Adapter.validate_config(base))

        assert good.deliver(AT_ADDRESS, "k1") == "100001"
        assert ("jurisdiction_id", "example.gov.uk") in form_of(hosted.requests[-1])
        with pytest.raises(PermanentError, match="jurisdiction_id not found") as failure:
            without.deliver(AT_ADDRESS, "k2")
        assert failure.value.status_code == 404
        assert len(hosted.records) == 1


def test_a_numeric_service_request_id_is_a_reference():
    assert deliver_to(Response.json([{"service_request_id": 293944}])) == "293944"


def test_a_single_object_answer_is_accepted():
    assert deliver_to(Response.json({"service_request_id": "X-1"}, status=201)) == "X-1"


def test_a_2xx_answer_with_neither_id_nor_token_is_permanent():
    with pytest.raises(PermanentError, match="without a service_request_id or a token"):
        deliver_to(Response.json([{"service_notice": "thanks"}]))


def test_a_2xx_answer_that_is_not_json_is_permanent():
    with pytest.raises(PermanentError, match="other than a JSON array"):
        deliver_to(Response(200, b"<html>OK</html>"))


# --- Before anything is sent ---------------------------------------------------------------------


def test_without_a_service_code_nothing_is_sent_and_it_is_permanent(sim, make_adapter):
    with pytest.raises(PermanentError, match="No Open311 service code"):
        make_adapter(service_code="").deliver(AT_ADDRESS, "k")

    assert sim.requests == []


def test_without_a_location_nothing_is_sent_and_it_is_permanent(sim, adapter):
    with pytest.raises(PermanentError, match="needs a location"):
        adapter.deliver({"description": "somewhere"}, "k")

    assert sim.requests == []


@pytest.mark.parametrize(
    "position", [{"lat": 52.1}, {"lat": 52.1, "long": "west"}, {"lat": 91, "long": 0}]
)
def test_a_half_or_impossible_position_is_permanent(sim, adapter, position):
    with pytest.raises(PermanentError, match="map lat and long together"):
        adapter.deliver({**AT_ADDRESS, **position}, "k")

    assert sim.requests == []


def test_a_value_that_cannot_be_a_form_field_is_permanent_without_showing_it(sim, adapter):
    with pytest.raises(PermanentError, match="'description' is dict") as failure:
        adapter.deliver({**AT_ADDRESS, "description": {"text": "Jo Bloggs-Testperson"}}, "k")

    assert "Jo Bloggs" not in str(failure.value)
    assert sim.requests == []


# --- Tokens --------------------------------------------------------------------------------------


def test_a_token_is_polled_until_it_names_the_request():
    with Open311Simulator(API_KEY, token_polls=3) as slow:
        config = {"endpoint": slow.endpoint, "api_key": API_KEY, "service_code": "POTHOLE"}
        adapter = Open311Adapter(
            Open311Adapter.validate_config({**config, "poll_token_interval": 0.01})
        )

        reference = adapter.deliver(PAYLOAD, "token-key")

        assert reference == "100001"
        assert [(r.method, r.path) for r in slow.requests] == [
            ("POST", "/open311/v2/requests.json"),
            ("GET", "/open311/v2/tokens/TOK-000001.json"),
            ("GET", "/open311/v2/tokens/TOK-000001.json"),
            ("GET", "/open311/v2/tokens/TOK-000001.json"),
        ]
        assert slow.records[0]["polls"] == 3


def test_a_token_still_pending_after_the_polls_is_transient_and_the_retry_finds_it():
    with Open311Simulator(API_KEY, token_polls=3) as slow:
        config = {"endpoint": slow.endpoint, "api_key": API_KEY, "service_code": "POTHOLE"}
        adapter = Open311Adapter(
            Open311Adapter.validate_config(
                {**config, "poll_token_attempts": 2, "poll_token_interval": 0}
            )
        )
        first_attempt_at = datetime.now(UTC)

        with pytest.raises(TransientError, match="after 2 polls"):
            adapter.deliver(PAYLOAD, "pending-key")
        again = adapter.redeliver(PAYLOAD, "pending-key", first_attempt_at)

        assert again.reference == "100001"
        assert slow.count_for("pending-key") == 1
        assert len(slow.records) == 1


def test_a_token_the_server_does_not_know_yet_is_polled_again():
    answers = iter([Response.json([{"token": "T1"}]), Response.json([], status=404)])

    class Forgetful(Simulator):
        def handle(self, request: RecordedRequest) -> Response:
            return next(answers, Response.json([{"token": "T1", "service_request_id": "7"}]))

    with Forgetful() as server:
        config = {"endpoint": server.url, "api_key": "k", "service_code": "X"}
        adapter = Open311Adapter(
            Open311Adapter.validate_config({**config, "poll_token_interval": 0})
        )

        assert adapter.deliver(AT_ADDRESS, "k") == "7"
        assert [r.path for r in server.requests] == [
            "/requests.json",
            "/tokens/T1.json",
            "/tokens/T1.json",
        ]


def test_a_failing_token_poll_is_mapped_like_any_answer():
    with Open311Simulator(API_KEY, token_polls=1) as slow:
        config = {"endpoint": slow.endpoint, "api_key": API_KEY, "service_code": "POTHOLE"}
        adapter = Open311Adapter(Open311Adapter.validate_config(config))
        adapter.deliver(PAYLOAD, "first")  # the token path works
        slow.set_faults(error_rate=1.0)

        with pytest.raises(TransientError) as failure:
            adapter.deliver(PAYLOAD, "second")

        assert failure.value.status_code == 503


# --- Idempotency ---------------------------------------------------------------------------------


def test_the_key_travels_at_the_end_of_the_description_and_as_the_portal_reference(sim, adapter):
    adapter.deliver(PAYLOAD, "the-key")

    form = form_of(sim.requests[0])
    assert ("description", "Deep pothole outside 12 Mill Lane\n\nPortal reference: the-key") in form
    assert ("attribute[portal_reference]", "the-key") in form


def test_without_a_description_the_reference_is_the_description(sim, adapter):
    adapter.deliver({"address_id": "ADDR-1"}, "the-key")

    assert ("description", "Portal reference: the-key") in form_of(sim.requests[0])


def test_a_server_field_named_for_the_reference_leaves_the_description_alone(sim, make_adapter):
    make_adapter(reference_field="portal_ref").deliver(PAYLOAD, "the-key")

    assert ("description", "Deep pothole outside 12 Mill Lane") in form_of(sim.requests[0])


def test_a_blind_repeat_makes_a_second_request_as_a_real_server_would(sim, adapter):
    # What redeliver's lookup exists for: GeoReport v2 cannot recognise a repeat.
    adapter.deliver(PAYLOAD, "same-key")
    adapter.deliver(PAYLOAD, "same-key")

    assert sim.count_for("same-key") == 2


def test_lost_response_after_commit_is_transient_and_the_retry_adopts_the_request(sim, adapter):
    # Given a server that makes the request but whose answer is lost
    first_attempt_at = datetime.now(UTC)
    sim.set_faults(drop_response=True, times=1)
    with pytest.raises(TransientError, match="Connection failed"):
        adapter.deliver(PAYLOAD, "lost-answer-key")
    assert sim.count_for("lost-answer-key") == 1  # it was committed

    # When the delivery is tried again
    again = adapter.redeliver(PAYLOAD, "lost-answer-key", first_attempt_at)

    # Then the request already made is adopted, and there is still one
    assert again.reference == sim.records[0]["service_request_id"]
    assert again.note == f"ambiguous: looked up, adopted {again.reference}"
    assert sim.count_for("lost-answer-key") == 1
    assert len(sim.records) == 1


def test_a_request_that_timed_out_but_committed_later_is_never_made_twice(sim, make_adapter):
    adapter = make_adapter(read_timeout=0.2)
    first_attempt_at = datetime.now(UTC)
    sim.set_faults(slow_rate=1.0, slow_latency=0.6, times=1)

    with pytest.raises(TransientError, match="read timeout"):
        adapter.deliver(PAYLOAD, "slow-key")
    time.sleep(0.6)  # the first request goes on to commit
    again = adapter.redeliver(PAYLOAD, "slow-key", first_attempt_at)

    assert sim.count_for("slow-key") == 1
    assert again.reference == "100001"


# --- Transient failures --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408])
def test_server_errors_are_transient_and_carry_the_error_array(sim, adapter, status):
    sim.set_faults(error_rate=1.0, error_status=status)

    with pytest.raises(TransientError, match=f"Open311 error: {status} ") as failure:
        adapter.deliver(PAYLOAD, "k")

    assert failure.value.status_code == status
    assert failure.value.excerpt.startswith(f'{status} [{{"code": {status}, "description"')
    assert sim.records == []


def test_429_is_transient_and_carries_retry_after_in_seconds(sim, adapter):
    sim.set_faults(rate_limit=9)

    with pytest.raises(TransientError) as failure:
        adapter.deliver(PAYLOAD, "k")

    assert failure.value.status_code == 429
    assert failure.value.retry_after == 9.0
    assert sim.records == []


def test_a_connection_reset_is_transient_and_commits_nothing(sim, adapter):
    sim.set_faults(reset_rate=1.0, times=1)

    with pytest.raises(TransientError, match="Connection failed"):
        adapter.deliver(PAYLOAD, "reset-key")

    assert sim.records == []
    assert adapter.deliver(PAYLOAD, "reset-key") == "100001"


def test_a_server_that_is_down_is_transient(sim, adapter):
    sim.stop()

    with pytest.raises(TransientError, match="ConnectError"):
        adapter.deliver(PAYLOAD, "k")


def test_an_error_array_in_a_2xx_answer_is_judged_by_its_codes():
    array = [{"code": 503, "description": "Back-office database unavailable"}]
    with pytest.raises(TransientError, match="database unavailable") as failure:
        deliver_to(Response.json(array, status=200))
    assert failure.value.status_code == 503

    array = [{"code": 400, "description": "Service is closed"}]
    with pytest.raises(PermanentError, match="Service is closed"):
        deliver_to(Response.json(array, status=200))


# --- Permanent failures --------------------------------------------------------------------------


def test_an_unknown_service_code_is_a_permanent_404_with_the_spec_description(sim, make_adapter):
    with pytest.raises(PermanentError, match="Service NOPE not found") as failure:
        make_adapter(service_code="NOPE").deliver(PAYLOAD, "k")

    assert failure.value.status_code == 404
    assert "refused the submission (404)" in str(failure.value)


def test_a_wrong_api_key_is_refused_credentials_and_permanent(sim, make_adapter):
    with pytest.raises(PermanentError, match="refused the credentials") as failure:
        make_adapter(api_key="not-the-key").deliver(PAYLOAD, "k")

    assert failure.value.status_code == 403
    assert "Invalid api_key" in str(failure.value)
    assert sim.records == []


def test_an_auth_failure_is_permanent(sim, adapter):
    sim.set_faults(auth_failure=True)

    with pytest.raises(PermanentError, match="refused the credentials") as failure:
        adapter.deliver(PAYLOAD, "k")

    assert failure.value.status_code == 401
    assert '[{"code": 401' in failure.value.excerpt


@pytest.mark.parametrize("status", [400, 404, 422])
def test_other_refusals_are_permanent(sim, adapter, status):
    sim.set_faults(error_rate=1.0, error_status=status)

    with pytest.raises(PermanentError, match=f"refused the submission \\({status}\\)"):
        adapter.deliver(PAYLOAD, "k")


def test_an_error_array_echoing_what_we_sent_is_redacted_in_message_and_excerpt(sim, adapter):
    payload = {**PAYLOAD, "email": "jo.bloggs-at-example.org"}

    with pytest.raises(PermanentError) as failure:
        adapter.deliver(payload, "k")

    error = failure.value
    assert error.status_code == 400
    assert "Open311 error: 400 email '[redacted]' is not a valid email address" in str(error)
    assert error.excerpt.startswith('400 [{"code": 400, "description": "email \'[redacted]\'')
    for text in (str(error), error.message, error.excerpt):
        assert "jo.bloggs-at-example.org" not in text
    assert sim.records == []


# --- Connection check ----------------------------------------------------------------------------


def test_check_connection_lists_the_services_and_finds_the_destinations(sim, adapter):
    adapter.check_connection()

    assert [(r.method, r.path) for r in sim.requests] == [("GET", "/open311/v2/services.json")]
    assert sim.records == []


def test_check_connection_names_a_service_the_server_does_not_offer(sim, make_adapter):
    with pytest.raises(PermanentError, match="does not offer service 'NOPE' \\(4 services"):
        make_adapter(service_code="NOPE").check_connection()


def test_check_connection_without_a_fixed_service_only_needs_an_answer(sim, make_adapter):
    make_adapter(service_code="").check_connection()


def test_check_connection_maps_failures_as_delivery_does(sim, adapter):
    sim.set_faults(error_rate=1.0)
    with pytest.raises(TransientError):
        adapter.check_connection()

    sim.set_faults(error_rate=0.0, auth_failure=True)
    with pytest.raises(PermanentError, match="credentials"):
        adapter.check_connection()


def test_check_connection_to_a_server_that_is_down_is_transient(sim, adapter):
    sim.stop()

    with pytest.raises(TransientError, match="ConnectError"):
        adapter.check_connection()


# --- What is kept about a failure ----------------------------------------------------------------


def test_no_payload_value_reaches_the_logs(sim, adapter, caplog):
    caplog.set_level(logging.DEBUG)

    adapter.deliver(PAYLOAD, "ok-key")
    sim.set_faults(drop_response=True, times=1)
    with pytest.raises(TransientError):
        adapter.deliver(PAYLOAD, "dropped-key")
    with pytest.raises(PermanentError):
        adapter.deliver({**PAYLOAD, "email": "jo.bloggs-at-example.org"}, "refused-key")

    assert "open311 delivered" in caplog.text  # the logs were captured
    assert "HTTP Request: POST" in caplog.text
    for value in [*PERSONAL_VALUES, "jo.bloggs-at-example.org", API_KEY]:
        assert value not in caplog.text
        assert json.dumps(value) not in caplog.text
