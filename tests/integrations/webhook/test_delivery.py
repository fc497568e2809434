"""The webhook adapter against the webhook simulator over loopback: no HTTP mocks."""

import hashlib
import hmac
import json
import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from integrations import oauth2
from integrations.base import PermanentError, TransientError
from integrations.simulators.base import RecordedRequest, Response, Simulator
from integrations.simulators.webhook import WebhookSimulator
from integrations.webhook.adapter import WebhookAdapter
from tests.integrations.webhook.conftest import SECRET

PAYLOAD = {
    "reference": "MC-2026-000042",
    "name": "Jo Bloggs-Testperson",
    "email": "jo.bloggs@example.org",
    "details": {"bin": "green", "address": "12 Mill Lane, Llanfair"},
    "photos": ["pothole-by-the-school.jpg"],
}
PERSONAL_VALUES = [
    "Jo Bloggs-Testperson",
    "jo.bloggs@example.org",
    "12 Mill Lane, Llanfair",
    "pothole-by-the-school.jpg",
]


class Answering(Simulator):
    """A back office that gives one fixed answer, for answers the webhook simulator never gives."""

    def __init__(self, response: Response) -> None:
        super().__init__()
        self.response = response

    def handle(self, request: RecordedRequest) -> Response:
        return self.response


def deliver_to(response: Response, **options) -> str:
    with Answering(response) as answering:
        config = {"url": f"{answering.url}/hook", "signing_secret": SECRET, **options}
        return WebhookAdapter(WebhookAdapter.validate_config(config)).deliver(PAYLOAD, "key-1")


# --- Success -------------------------------------------------------------------------------------


def test_delivers_the_payload_as_signed_json_and_returns_the_back_office_reference(sim, adapter):
    reference = adapter.deliver(PAYLOAD, "delivery-1-key")

    (record,) = sim.records
    assert reference == record["id"] == "WH-000001"
    assert record["data"] == PAYLOAD
    assert record["idempotency_key"] == "delivery-1-key"
    (request,) = sim.requests
    assert (request.method, request.path) == ("POST", "/records")
    assert request.headers["content-type"] == "application/json"
    assert request.headers["idempotency-key"] == "delivery-1-key"
    timestamp = request.headers["x-portal-timestamp"]
    assert abs(int(timestamp) - time.time()) < 5
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256)
    assert request.headers["x-portal-signature"] == f"sha256={expected.hexdigest()}"


def test_each_submission_makes_its_own_record(sim, adapter):
    first = adapter.deliver(PAYLOAD, "key-a")
    second = adapter.deliver(PAYLOAD, "key-b")

    assert (first, second) == ("WH-000001", "WH-000002")
    assert len(sim.records) == 2


def test_the_reference_is_read_from_the_configured_path():
    answer = Response.json({"data": {"cases": [{"caseNumber": 99123}]}}, status=201)

    assert deliver_to(answer, reference_field="data.cases.0.caseNumber") == "99123"


def test_a_2xx_answer_without_a_reference_is_permanent_because_the_record_cannot_be_proved():
    with pytest.raises(PermanentError, match="without a reference at 'id'") as failure:
        deliver_to(Response.json({"status": "ok"}, status=200))

    assert failure.value.status_code == 200
    assert failure.value.excerpt == '200 {"status": "ok"}'


def test_a_2xx_answer_that_is_not_json_is_permanent():
    with pytest.raises(PermanentError, match="without a reference"):
        deliver_to(Response(202, b"Accepted, thanks"))


def test_a_redirect_is_not_followed_and_is_permanent():
    answer = Response(308, headers={"Location": "https://elsewhere.example/hook"})

    with pytest.raises(PermanentError, match="redirected") as failure:
        deliver_to(answer)

    assert failure.value.status_code == 308


# --- Idempotency ---------------------------------------------------------------------------------


def test_a_repeat_with_the_same_key_returns_the_same_reference_and_makes_no_second_record(
    sim, adapter
):
    first = adapter.deliver(PAYLOAD, "same-key")
    again = adapter.deliver(PAYLOAD, "same-key")

    assert first == again
    assert sim.count_for("same-key") == 1
    assert len(sim.records) == 1


def test_lost_response_after_commit_is_transient_and_the_retry_finds_the_same_record(sim, adapter):
    # Given the back office commits the record and then the connection drops
    sim.set_faults(drop_response=True, times=1)

    # When the first attempt fails and the retry runs with the same key
    with pytest.raises(TransientError, match="Connection failed"):
        adapter.deliver(PAYLOAD, "lost-answer-key")
    assert sim.count_for("lost-answer-key") == 1  # it was committed
    # (the engine's second attempt: redeliver, which for a webhook is the same keyed POST)
    reference = adapter.redeliver(PAYLOAD, "lost-answer-key", datetime.now(UTC)).reference

    # Then the retry is told of the first record, and there is still only one
    assert reference == sim.records_by_key["lost-answer-key"]["id"]
    assert sim.count_for("lost-answer-key") == 1
    assert len(sim.records) == 1
    assert sim.replays == 1


def test_a_409_naming_the_existing_record_is_an_idempotent_replay_and_succeeds():
    with WebhookSimulator(SECRET, replay_status=409) as conflicting:
        config = {"url": conflicting.records_url, "signing_secret": SECRET}
        adapter = WebhookAdapter(WebhookAdapter.validate_config(config))

        first = adapter.deliver(PAYLOAD, "k")
        again = adapter.deliver(PAYLOAD, "k")

        assert conflicting.requests[-1].headers["idempotency-key"] == "k"
        assert first == again == "WH-000001"
        assert len(conflicting.records) == 1


def test_a_409_that_does_not_name_the_record_is_permanent():
    with pytest.raises(PermanentError, match="conflict") as failure:
        deliver_to(Response.json({"error": "duplicate"}, status=409))

    assert failure.value.status_code == 409


def test_a_request_that_timed_out_but_committed_later_is_never_recorded_twice(sim, make_adapter):
    # Given the back office is slower than our read timeout, and commits after we gave up
    adapter = make_adapter(read_timeout=0.2)
    sim.set_faults(slow_rate=1.0, slow_latency=0.6, times=1)

    with pytest.raises(TransientError, match="read timeout"):
        adapter.deliver(PAYLOAD, "slow-key")
    time.sleep(0.6)  # the first request goes on to commit
    reference = adapter.deliver(PAYLOAD, "slow-key")

    assert sim.count_for("slow-key") == 1
    assert reference == sim.records_by_key["slow-key"]["id"]


def test_concurrent_attempts_with_one_key_make_one_record(sim, adapter):
    references: list[str] = []

    def deliver() -> None:
        references.append(adapter.deliver(PAYLOAD, "racing-key"))

    threads = [threading.Thread(target=deliver) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert len(references) == 12
    assert set(references) == {"WH-000001"}
    assert sim.count_for("racing-key") == 1
    assert len(sim.records) == 1


# --- Transient failures --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408, 425])
def test_server_errors_and_timeouts_reported_by_the_back_office_are_transient(sim, adapter, status):
    sim.set_faults(error_rate=1.0, error_status=status)

    with pytest.raises(TransientError) as failure:
        adapter.deliver(PAYLOAD, "k")

    assert failure.value.status_code == status
    assert failure.value.excerpt.startswith(f"{status} ")
    assert failure.value.retry_after is None
    assert sim.records == []


def test_429_is_transient_and_carries_retry_after_in_seconds(sim, adapter):
    sim.set_faults(rate_limit=7)

    with pytest.raises(TransientError) as failure:
        adapter.deliver(PAYLOAD, "k")

    assert failure.value.status_code == 429
    assert failure.value.retry_after == 7.0


def test_retry_after_given_as_an_http_date_is_turned_into_seconds():
    when = datetime.now(UTC) + timedelta(seconds=120)
    answer = Response.json(
        {"error": "busy"}, status=503, headers={"Retry-After": format_datetime(when, usegmt=True)}
    )

    with pytest.raises(TransientError) as failure:
        deliver_to(answer)

    assert failure.value.retry_after is not None
    assert 110 <= failure.value.retry_after <= 121


def test_a_retry_after_that_cannot_be_read_is_ignored():
    answer = Response.json({}, status=503, headers={"Retry-After": "soon"})

    with pytest.raises(TransientError) as failure:
        deliver_to(answer)

    assert failure.value.retry_after is None


def test_a_back_office_slower_than_the_read_timeout_fails_transiently_and_quickly(
    sim, make_adapter
):
    adapter = make_adapter(read_timeout=0.3)
    sim.set_faults(latency=5.0)

    started = time.monotonic()
    with pytest.raises(TransientError, match="read timeout"):
        adapter.deliver(PAYLOAD, "k")

    assert time.monotonic() - started < 2.0


def test_a_connection_reset_before_handling_is_transient_and_records_nothing(sim, adapter):
    sim.set_faults(reset_rate=1.0, times=1)

    with pytest.raises(TransientError, match="Connection failed") as failure:
        adapter.deliver(PAYLOAD, "reset-key")

    assert failure.value.status_code is None
    assert sim.records == []
    assert adapter.deliver(PAYLOAD, "reset-key") == "WH-000001"


def test_a_back_office_that_is_down_is_transient(sim, adapter):
    sim.stop()

    with pytest.raises(TransientError, match="ConnectError"):
        adapter.deliver(PAYLOAD, "k")


# --- Permanent failures --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 404, 413, 422])
def test_other_client_errors_are_permanent(sim, adapter, status):
    sim.set_faults(error_rate=1.0, error_status=status)

    with pytest.raises(PermanentError, match=f"refused the submission \\({status}\\)") as failure:
        adapter.deliver(PAYLOAD, "k")

    assert failure.value.status_code == status


def test_refused_credentials_are_permanent_and_say_so(sim, adapter):
    sim.set_faults(auth_failure=True)

    with pytest.raises(PermanentError, match="refused the credentials") as failure:
        adapter.deliver(PAYLOAD, "k")

    assert failure.value.status_code == 401


def test_a_wrong_signing_secret_is_refused_by_the_back_office_and_is_permanent(sim, make_adapter):
    adapter = make_adapter(signing_secret="not-the-shared-secret")

    with pytest.raises(PermanentError, match="refused the credentials") as failure:
        adapter.deliver(PAYLOAD, "k")

    assert failure.value.status_code == 401
    assert "signature mismatch" in failure.value.excerpt
    assert sim.records == []


def test_a_payload_that_cannot_be_json_is_permanent_without_showing_the_value(adapter):
    with pytest.raises(PermanentError, match="cannot be written as JSON") as failure:
        adapter.deliver({"name": {"Jo Bloggs-Testperson"}}, "k")

    assert "Jo Bloggs" not in str(failure.value)


# --- Authentication ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("simulator_options", "adapter_options", "header", "value"),
    [
        (
            {"api_key": "k-123", "api_key_header": "X-Council-Key"},
            {"auth_type": "api_key", "api_key_header": "X-Council-Key", "api_key": "k-123"},
            "x-council-key",
            "k-123",
        ),
        (
            {"bearer_token": "tok-456"},
            {"auth_type": "bearer", "token": "tok-456"},
            "authorization",
            "Bearer tok-456",
        ),
        (
            {"basic": ("portal", "pa:ss-w0rd")},
            {"auth_type": "basic", "username": "portal", "password": "pa:ss-w0rd"},
            "authorization",
            "Basic cG9ydGFsOnBhOnNzLXcwcmQ=",
        ),
    ],
    ids=["api_key", "bearer", "basic"],
)
def test_each_kind_of_credentials_is_sent_as_the_back_office_expects(
    simulator_options, adapter_options, header, value
):
    with WebhookSimulator(SECRET, **simulator_options) as guarded:
        base = {"url": guarded.records_url, "signing_secret": SECRET}
        good = WebhookAdapter(WebhookAdapter.validate_config({**base, **adapter_options}))
        without = WebhookAdapter(WebhookAdapter.validate_config(base))

        assert good.deliver(PAYLOAD, "k") == "WH-000001"
        assert guarded.requests[-1].headers[header] == value
        with pytest.raises(PermanentError, match="credentials"):
            without.deliver(PAYLOAD, "k2")
        assert len(guarded.records) == 1


def test_without_authentication_no_credentials_are_sent(sim, adapter):
    adapter.deliver(PAYLOAD, "k")

    headers = sim.requests[-1].headers
    assert "authorization" not in headers
    assert "x-api-key" not in headers


# --- Connection check ----------------------------------------------------------------------------


def test_check_connection_asks_the_address_with_options_and_credentials():
    with WebhookSimulator(SECRET, bearer_token="t") as guarded:
        base = {"url": guarded.records_url, "signing_secret": SECRET}
        good = WebhookAdapter(
            WebhookAdapter.validate_config({**base, "auth_type": "bearer", "token": "t"})
        )
        bad = WebhookAdapter(
            WebhookAdapter.validate_config({**base, "auth_type": "bearer", "token": "wrong"})
        )

        good.check_connection()
        with pytest.raises(PermanentError, match="credentials"):
            bad.check_connection()

        assert [r.method for r in guarded.requests] == ["OPTIONS", "OPTIONS"]
        assert guarded.records == []


def test_check_connection_maps_failures_as_delivery_does(sim, adapter):
    sim.set_faults(error_rate=1.0)

    with pytest.raises(TransientError) as failure:
        adapter.check_connection()

    assert failure.value.status_code == 503


def test_check_connection_uses_the_health_address_when_there_is_one(sim, make_adapter):
    adapter = make_adapter(health_url=f"{sim.url}/health")

    with pytest.raises(PermanentError, match=r"\(404\)"):
        adapter.check_connection()

    assert (sim.requests[-1].method, sim.requests[-1].path) == ("GET", "/health")


def test_check_connection_to_a_system_that_is_down_is_transient(sim, adapter):
    sim.stop()

    with pytest.raises(TransientError):
        adapter.check_connection()


# --- What is kept about a failure ----------------------------------------------------------------


def test_an_excerpt_never_holds_what_we_sent_even_when_the_back_office_echoes_it():
    # Given a back office whose validation errors echo the whole record back
    with WebhookSimulator(SECRET, required_fields=["uprn"]) as strict:
        config = {"url": strict.records_url, "signing_secret": SECRET}
        adapter = WebhookAdapter(WebhookAdapter.validate_config(config))

        with pytest.raises(PermanentError) as failure:
            adapter.deliver(PAYLOAD, "k")

    excerpt = failure.value.excerpt
    assert excerpt.startswith('422 {"error": "missing required fields", "missing": ["uprn"]')
    assert "[redacted]" in excerpt
    for value in [*PERSONAL_VALUES, "MC-2026-000042", "Jo Bloggs"]:
        assert value not in excerpt
        assert value not in str(failure.value)


def test_an_excerpt_is_the_status_and_at_most_200_characters():
    with pytest.raises(PermanentError) as failure:
        deliver_to(Response(400, b"x" * 5000))

    assert failure.value.excerpt == "400 " + "x" * 196


def test_no_payload_value_reaches_the_logs(sim, adapter, caplog):
    caplog.set_level(logging.DEBUG)

    adapter.deliver(PAYLOAD, "ok-key")
    sim.set_faults(drop_response=True, times=1)
    with pytest.raises(TransientError):
        adapter.deliver(PAYLOAD, "dropped-key")
    sim.set_faults(error_rate=1.0, error_status=422)
    with pytest.raises(PermanentError):
        adapter.deliver(PAYLOAD, "refused-key")

    assert "webhook delivered" in caplog.text  # the logs were captured
    assert "HTTP Request: POST" in caplog.text
    for value in PERSONAL_VALUES:
        assert value not in caplog.text
        assert json.dumps(value) not in caplog.text


# --- OAuth2 client credentials -------------------------------------------------------------------


@pytest.fixture
def oauth2_sim():
    oauth2.clear_cache()
    with WebhookSimulator(SECRET, oauth2=("portal", OAUTH2_SECRET)) as guarded:
        yield guarded
    oauth2.clear_cache()


OAUTH2_SECRET = "client-secret-123"


def oauth2_adapter(guarded: WebhookSimulator, secret: str = OAUTH2_SECRET) -> WebhookAdapter:
    config = {
        "url": guarded.records_url,
        "signing_secret": SECRET,
        "auth_type": "oauth2",
        "token_url": guarded.token_url,
        "client_id": "portal",
        "client_secret": secret,
        "scope": "records.write",
    }
    return WebhookAdapter(WebhookAdapter.validate_config(config))


def test_oauth2_fetches_one_token_and_sends_it_as_a_bearer_with_every_delivery(oauth2_sim):
    adapter = oauth2_adapter(oauth2_sim)

    references = [adapter.deliver(PAYLOAD, f"key-{n}") for n in range(5)]

    assert len(set(references)) == 5
    assert oauth2_sim.oauth2_issuer.issued == 1
    token_request, *deliveries = oauth2_sim.requests
    assert token_request.path == "/oauth2/token"
    assert b"grant_type=client_credentials" in token_request.body
    assert b"scope=records.write" in token_request.body
    bearers = {r.headers["authorization"] for r in deliveries}
    assert len(bearers) == 1
    assert bearers.pop().startswith("Bearer ")


def test_oauth2_fetches_a_new_token_once_when_the_receiver_refuses_the_old_one(oauth2_sim):
    adapter = oauth2_adapter(oauth2_sim)
    adapter.deliver(PAYLOAD, "before")
    oauth2_sim.oauth2_issuer.revoke_tokens()

    reference = adapter.deliver(PAYLOAD, "after")

    assert reference == oauth2_sim.records_by_key["after"]["id"]
    assert oauth2_sim.oauth2_issuer.issued == 2
    paths = [r.path for r in oauth2_sim.requests]
    assert paths == ["/oauth2/token", "/records", "/records", "/oauth2/token", "/records"]
    assert len(oauth2_sim.records) == 2


def test_oauth2_with_a_wrong_client_secret_is_permanent_and_sends_nothing(oauth2_sim):
    adapter = oauth2_adapter(oauth2_sim, secret="not-the-secret")

    with pytest.raises(PermanentError, match="refused the client credentials") as failure:
        adapter.deliver(PAYLOAD, "k")

    assert failure.value.status_code == 401
    assert "not-the-secret" not in failure.value.excerpt
    assert [r.path for r in oauth2_sim.requests] == ["/oauth2/token"]
    assert oauth2_sim.records == []


def test_oauth2_check_connection_uses_a_token(oauth2_sim):
    oauth2_adapter(oauth2_sim).check_connection()

    assert [r.method for r in oauth2_sim.requests] == ["POST", "OPTIONS"]
