"""The SOAP adapter against the SOAP case system simulator over loopback: no mocks."""

import json
import logging
import threading
import time
from datetime import UTC, datetime

import pytest
from lxml import etree

from integrations.base import PermanentError, Redelivered, TransientError
from integrations.simulators.base import RecordedRequest, Response, Simulator
from integrations.simulators.soap_case import NS, SOAP_ENV, WSSE, SoapCaseSimulator
from integrations.soap.adapter import SoapCaseAdapter
from tests.integrations.soap.conftest import PASSWORD, USERNAME

PAYLOAD = {
    "ServiceCode": "MISSED_BIN",
    "Description": "Green bin not emptied outside 12 Mill Lane",
    "UPRN": "100023336956",
    "Latitude": 52.4153,
    "Longitude": -4.0829,
    "ContactName": "Jo Bloggs-Testperson",
    "ContactEmail": "jo.bloggs@example.org",
    "ContactPhone": "07700 900123",
    "field.bin_colour": "green",
    "field.assisted_collection": True,
}
PERSONAL_VALUES = [
    "Green bin not emptied outside 12 Mill Lane",
    "100023336956",
    "Jo Bloggs-Testperson",
    "jo.bloggs@example.org",
    "07700 900123",
]


def envelope_of(request: RecordedRequest) -> etree._Element:
    return etree.fromstring(request.body)


def sign_in(adapter: SoapCaseAdapter) -> None:
    """Sign in (by polling) so that a fault set next hits the delivery, not Authenticate."""
    adapter.fetch_updates(None)


# --- Success -------------------------------------------------------------------------------------


def test_delivers_a_case_carrying_our_client_reference_and_returns_the_case_reference(sim, adapter):
    reference = adapter.deliver(PAYLOAD, "4a1c0f6e-delivery-key")

    (record,) = sim.records
    assert reference == record["case_reference"] == "CS-000001"
    assert record["client_reference"] == "4a1c0f6e-delivery-key"
    assert record["service_code"] == "MISSED_BIN"
    assert record["description"] == PAYLOAD["Description"]
    assert record["uprn"] == "100023336956"
    assert (record["latitude"], record["longitude"]) == ("52.4153", "-4.0829")
    assert record["contact"] == {
        "name": "Jo Bloggs-Testperson",
        "email": "jo.bloggs@example.org",
        "phone": "07700 900123",
    }
    assert record["fields"] == {"bin_colour": "green", "assisted_collection": "true"}
    wsdl, authenticate, create = sim.requests
    assert (wsdl.method, wsdl.path, wsdl.query) == ("GET", "/CaseService", {"wsdl": [""]})
    assert authenticate.headers["soapaction"] == f'"{NS}/Authenticate"'
    assert (create.method, create.path) == ("POST", "/CaseService")
    assert create.headers["content-type"].startswith("text/xml")
    assert create.headers["soapaction"] == f'"{NS}/CreateServiceRequest"'
    assert envelope_of(create).find(f"{{{SOAP_ENV}}}Header") is None  # no WS-Security asked


def test_the_connections_default_service_code_is_used_when_the_mapping_gives_none(
    sim, make_adapter
):
    adapter = make_adapter(service_code="BULKY_WASTE")

    adapter.deliver({"Description": "Sofa to collect"}, "k")

    assert sim.records[0]["service_code"] == "BULKY_WASTE"


def test_without_any_service_code_the_delivery_is_permanent_and_nothing_is_sent(sim, adapter):
    with pytest.raises(PermanentError, match="No ServiceCode"):
        adapter.deliver({"Description": "Sofa to collect"}, "k")

    assert sim.requests == []


def test_a_coordinate_that_is_not_a_number_is_permanent_and_named_without_its_value(sim, adapter):
    with pytest.raises(PermanentError) as failure:
        adapter.deliver({**PAYLOAD, "Latitude": "by the old mill"}, "k")

    assert str(failure.value) == "Latitude is not a number"
    assert sim.records == []


def test_the_endpoint_can_differ_from_the_address_in_the_wsdl(sim, make_adapter):
    with SoapCaseSimulator(username=USERNAME, password=PASSWORD) as other:
        adapter = make_adapter(endpoint_url=other.service_url)

        reference = adapter.deliver(PAYLOAD, "k")

        assert [r["case_reference"] for r in other.records] == [reference]
    assert sim.records == []
    assert [r.method for r in sim.requests] == ["GET"]  # only the WSDL came from sim


# --- Sessions ------------------------------------------------------------------------------------


def test_one_sign_in_serves_many_deliveries_across_adapter_instances(sim, make_adapter):
    for number in range(5):
        make_adapter().deliver(PAYLOAD, f"key-{number}")

    assert sim.calls("Authenticate") == 1
    assert sim.sessions == 1
    assert sim.calls("CreateServiceRequest") == 5
    assert [r.method for r in sim.requests].count("GET") == 1  # the WSDL, parsed once


def test_an_expired_session_signs_in_again_once_and_the_delivery_goes_through(sim, adapter):
    adapter.deliver(PAYLOAD, "before")
    sim.expire_sessions()

    reference = adapter.deliver(PAYLOAD, "after")

    assert reference == sim.record_for("after")["case_reference"]
    assert sim.calls("Authenticate") == 2
    assert sim.calls("CreateServiceRequest") == 3  # before, refused (expired), after
    assert len(sim.records) == 2


def test_a_session_refused_again_straight_after_signing_in_is_transient_not_a_loop(sim, adapter):
    sign_in(adapter)
    sim.set_soap_fault("Client.SessionExpired", "Session gone", operation="CreateServiceRequest")

    with pytest.raises(TransientError, match="expired just after signing in") as failure:
        adapter.deliver(PAYLOAD, "k")

    assert failure.value.status_code == "Client.SessionExpired"
    assert sim.calls("Authenticate") == 2  # the first sign-in, and exactly one more
    assert sim.calls("CreateServiceRequest") == 2


def test_a_session_about_to_expire_is_renewed_before_it_is_used():
    with SoapCaseSimulator(username=USERNAME, password=PASSWORD, session_minutes=0.2) as short:
        config = {"wsdl_url": short.wsdl_url, "username": USERNAME, "password": PASSWORD}
        adapter = SoapCaseAdapter(SoapCaseAdapter.validate_config(config))

        adapter.deliver(PAYLOAD, "a")
        adapter.deliver(PAYLOAD, "b")

        # 12-second sessions are within the 30-second margin: each call signs in afresh
        assert short.calls("Authenticate") == 2
        assert short.calls("CreateServiceRequest") == 2


def test_wrong_credentials_are_permanent_and_make_nothing(sim, make_adapter):
    adapter = make_adapter(password="not the password")

    with pytest.raises(PermanentError, match="refused the user name or password") as failure:
        adapter.deliver(PAYLOAD, "k")

    assert failure.value.status_code == "Client.Authentication"
    assert failure.value.excerpt == "Client.Authentication: The user name or password is wrong"
    assert sim.records == []
    assert sim.calls("CreateServiceRequest") == 0


def test_credentials_refused_on_any_call_are_permanent(sim, adapter):
    sign_in(adapter)
    sim.set_faults(auth_failure=True)

    with pytest.raises(PermanentError, match="refused the user name or password"):
        adapter.deliver(PAYLOAD, "k")

    assert sim.records == []


# --- WS-Security ---------------------------------------------------------------------------------


@pytest.fixture
def secure_sim():
    with SoapCaseSimulator(username=USERNAME, password=PASSWORD, ws_security=True) as simulator:
        yield simulator


def secure_adapter(secure_sim, **options) -> SoapCaseAdapter:
    config = {"wsdl_url": secure_sim.wsdl_url, "username": USERNAME, "password": PASSWORD}
    return SoapCaseAdapter(SoapCaseAdapter.validate_config({**config, **options}))


def test_with_ws_security_every_call_carries_a_username_token(secure_sim):
    reference = secure_adapter(secure_sim, use_ws_security=True).deliver(PAYLOAD, "k")

    assert reference == "CS-000001"
    posts = [r for r in secure_sim.requests if r.method == "POST"]
    assert len(posts) == 2  # Authenticate and CreateServiceRequest
    for request in posts:
        token = envelope_of(request).find(
            f"{{{SOAP_ENV}}}Header/{{{WSSE}}}Security/{{{WSSE}}}UsernameToken"
        )
        assert token.findtext(f"{{{WSSE}}}Username") == USERNAME
        password = token.find(f"{{{WSSE}}}Password")
        assert password.text == PASSWORD
        assert password.get("Type").endswith("#PasswordText")


def test_a_system_demanding_ws_security_refuses_calls_without_it_permanently(secure_sim):
    with pytest.raises(PermanentError, match="WS-Security") as failure:
        secure_adapter(secure_sim).deliver(PAYLOAD, "k")

    assert failure.value.status_code == "InvalidSecurity"
    assert secure_sim.records == []


def test_a_wrong_ws_security_password_is_permanent(secure_sim):
    adapter = secure_adapter(secure_sim, use_ws_security=True, password="wrong password")

    with pytest.raises(PermanentError, match="refused the user name or password") as failure:
        adapter.deliver(PAYLOAD, "k")

    assert failure.value.status_code == "FailedAuthentication"
    assert secure_sim.records == []


# --- Idempotency ---------------------------------------------------------------------------------


def test_a_blind_repeat_makes_a_second_case_as_most_case_systems_would(sim, adapter):
    # What redeliver's lookup exists for: the ClientReference is kept, not made unique.
    adapter.deliver(PAYLOAD, "same-key")
    adapter.deliver(PAYLOAD, "same-key")

    assert sim.count_for("same-key") == 2


def test_lost_response_after_commit_is_transient_and_the_retry_adopts_the_case(sim, adapter):
    # Given the case system makes the case and then the connection drops
    sign_in(adapter)
    sim.set_faults(drop_response=True, times=1)

    # When the first attempt fails and the retry runs with the same key
    with pytest.raises(TransientError, match="Connection failed"):
        adapter.deliver(PAYLOAD, "lost-answer-key")
    assert sim.count_for("lost-answer-key") == 1  # it was made
    again = adapter.redeliver(PAYLOAD, "lost-answer-key", datetime.now(UTC))

    # Then the retry finds the first case and adopts it: there is still only one
    reference = sim.record_for("lost-answer-key")["case_reference"]
    assert again == Redelivered(reference, note=f"ambiguous: looked up, adopted {reference}")
    assert sim.count_for("lost-answer-key") == 1
    assert len(sim.records) == 1
    assert sim.calls("CreateServiceRequest") == 1


def test_a_retry_that_finds_no_case_creates_it_once(sim, adapter):
    again = adapter.redeliver(PAYLOAD, "never-made", datetime.now(UTC))

    assert again.note == "ambiguous: looked up, none found, sent"
    assert again.reference == sim.record_for("never-made")["case_reference"]
    assert sim.count_for("never-made") == 1


def test_a_failed_lookup_creates_nothing_and_is_retried_later(sim, adapter):
    sim.set_soap_fault("Server.Unavailable", operation="FindCasesByClientReference", times=1)

    with pytest.raises(TransientError, match="not sent again") as failure:
        adapter.redeliver(PAYLOAD, "unsure-key", datetime.now(UTC))

    assert failure.value.status_code == "Server.Unavailable"
    assert sim.calls("CreateServiceRequest") == 0
    assert sim.records == []


def test_a_payload_the_system_would_refuse_is_refused_before_the_lookup(sim, adapter):
    with pytest.raises(PermanentError):
        adapter.redeliver({"ServiceCode": "MISSED_BIN"}, "k", datetime.now(UTC))

    assert sim.requests == []


def test_a_system_without_the_lookup_is_sent_again_with_the_same_client_reference_and_says_so():
    with SoapCaseSimulator(
        username=USERNAME, password=PASSWORD, unique_client_reference=True, lookup=False
    ) as unique:
        config = {"wsdl_url": unique.wsdl_url, "username": USERNAME, "password": PASSWORD}
        adapter = SoapCaseAdapter(SoapCaseAdapter.validate_config(config))
        first = adapter.deliver(PAYLOAD, "key")

        again = adapter.redeliver(PAYLOAD, "key", datetime.now(UTC))

        assert again.reference == first
        assert again.note.startswith("ambiguous: no lookup offered, sent again with the same")
        assert unique.calls("FindCasesByClientReference") == 0
        assert unique.count_for("key") == 1


def test_a_create_without_an_answer_puts_the_lookup_off_until_the_system_must_be_done(
    sim, make_adapter
):
    adapter = make_adapter(unanswered_wait=45)
    sign_in(adapter)
    sim.set_faults(drop_response=True, times=1)

    with pytest.raises(TransientError) as failure:
        adapter.deliver(PAYLOAD, "key-unanswered")

    assert failure.value.retry_after == 45


def test_a_fault_answered_by_the_system_is_retried_on_the_usual_schedule(sim, make_adapter):
    sim.set_soap_fault("Server.Unavailable", operation="CreateServiceRequest", times=1)

    with pytest.raises(TransientError) as failure:
        make_adapter(unanswered_wait=45).deliver(PAYLOAD, "key-fault")

    assert failure.value.retry_after is None


def test_a_request_that_timed_out_but_committed_later_is_never_made_twice(sim, make_adapter):
    # Given the case system is slower than our read timeout, and commits after we gave up
    adapter = make_adapter(read_timeout=0.3)
    sign_in(adapter)
    sim.set_faults(slow_rate=1.0, slow_latency=0.8, times=1)

    with pytest.raises(TransientError, match="read timeout"):
        adapter.deliver(PAYLOAD, "slow-key")
    time.sleep(0.8)  # the first request goes on to commit
    again = adapter.redeliver(PAYLOAD, "slow-key", datetime.now(UTC))

    assert sim.count_for("slow-key") == 1
    assert again.reference == sim.record_for("slow-key")["case_reference"]


def test_a_system_with_unique_client_references_answers_racing_repeats_with_one_case():
    with SoapCaseSimulator(
        username=USERNAME, password=PASSWORD, unique_client_reference=True
    ) as unique:
        config = {"wsdl_url": unique.wsdl_url, "username": USERNAME, "password": PASSWORD}
        adapter = SoapCaseAdapter(SoapCaseAdapter.validate_config(config))
        references: list[str] = []

        def deliver() -> None:
            references.append(adapter.deliver(PAYLOAD, "racing-key"))

        threads = [threading.Thread(target=deliver) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)

        assert references == ["CS-000001"] * 8
        assert unique.count_for("racing-key") == 1
        assert unique.replays == 7


# --- Faults --------------------------------------------------------------------------------------


def test_a_validation_fault_is_permanent_and_its_excerpt_holds_none_of_what_we_sent(sim, adapter):
    # Given a case system whose validation faults echo the offending value
    payload = {**PAYLOAD, "ContactEmail": "jo.bloggs-at-example.org"}

    with pytest.raises(PermanentError, match=r"refused the request \(Client.Validation\)") as f:
        adapter.deliver(payload, "k")

    assert f.value.status_code == "Client.Validation"
    assert f.value.excerpt == "Client.Validation: Email '[redacted]' is not an address"
    assert "jo.bloggs-at-example.org" not in str(f.value)
    assert f.value.__cause__ is None  # the fault, with the value in it, is not chained
    assert sim.records == []


def test_a_server_fault_is_transient_and_a_later_retry_succeeds(sim, adapter):
    sim.set_soap_fault("Server.Unavailable", operation="CreateServiceRequest", times=1)

    with pytest.raises(TransientError, match="trouble of its own") as failure:
        adapter.deliver(PAYLOAD, "k")
    reference = adapter.deliver(PAYLOAD, "k")

    assert failure.value.status_code == "Server.Unavailable"
    assert failure.value.excerpt.startswith("Server.Unavailable: The case system is unavailable")
    assert reference == "CS-000001"
    assert sim.count_for("k") == 1


def test_a_server_fault_while_signing_in_is_transient(sim, adapter):
    sim.set_soap_fault("Server.Unavailable", operation="Authenticate")

    with pytest.raises(TransientError):
        adapter.deliver(PAYLOAD, "k")


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_http_errors_that_are_not_soap_are_transient(sim, adapter, status):
    sign_in(adapter)
    sim.set_faults(error_rate=1.0, error_status=status)

    with pytest.raises(TransientError) as failure:
        adapter.deliver(PAYLOAD, "k")

    assert failure.value.status_code == status
    assert sim.records == []


def test_429_is_transient_and_carries_retry_after(sim, adapter):
    sign_in(adapter)
    sim.set_faults(rate_limit=9)

    with pytest.raises(TransientError) as failure:
        adapter.deliver(PAYLOAD, "k")

    assert (failure.value.status_code, failure.value.retry_after) == (429, 9.0)


def test_no_answer_within_the_read_timeout_is_transient(sim, make_adapter):
    adapter = make_adapter(read_timeout=0.2)
    sign_in(adapter)
    sim.set_faults(latency=1.0)
    started = time.monotonic()

    with pytest.raises(TransientError, match="read timeout"):
        adapter.deliver(PAYLOAD, "k")

    assert time.monotonic() - started < 0.9


def test_a_reset_connection_is_transient_and_nothing_is_made(sim, adapter):
    sign_in(adapter)
    sim.set_faults(reset_rate=1.0)

    with pytest.raises(TransientError, match="Connection failed"):
        adapter.deliver(PAYLOAD, "k")

    assert sim.injected["reset"] >= 1
    assert sim.records == []


def test_a_case_system_that_is_down_is_transient(sim, adapter):
    sim.stop()

    with pytest.raises(TransientError, match="Connection failed"):
        adapter.deliver(PAYLOAD, "k")


class Answering(Simulator):
    """A server that gives one fixed answer to everything."""

    def __init__(self, response: Response) -> None:
        super().__init__()
        self.response = response

    def handle(self, request: RecordedRequest) -> Response:
        return self.response


def test_a_wsdl_address_that_is_not_found_is_permanent(sim, make_adapter):
    adapter = make_adapter(wsdl_url=f"{sim.url}/Nowhere?wsdl")

    with pytest.raises(PermanentError) as failure:
        adapter.deliver(PAYLOAD, "k")

    assert failure.value.status_code == 404


def test_an_endpoint_answering_something_other_than_soap_is_permanent(sim, make_adapter):
    with Answering(Response(200, b"<html>Welcome</html>", {"Content-Type": "text/html"})) as web:
        adapter = make_adapter(endpoint_url=f"{web.url}/CaseService")

        with pytest.raises(PermanentError, match=r"not SOAP|could not be read"):
            adapter.deliver(PAYLOAD, "k")


# --- What is kept about a delivery ---------------------------------------------------------------


def test_no_payload_value_or_password_reaches_the_logs(sim, adapter, caplog):
    caplog.set_level(logging.DEBUG)

    adapter.deliver(PAYLOAD, "ok-key")
    sim.set_faults(drop_response=True, times=1)
    with pytest.raises(TransientError):
        adapter.deliver(PAYLOAD, "dropped-key")
    with pytest.raises(PermanentError):
        adapter.deliver({**PAYLOAD, "ContactEmail": "jo.bloggs-at-example.org"}, "refused-key")
    sim.set_soap_fault("Server.Unavailable", times=1)
    with pytest.raises(TransientError):
        adapter.deliver(PAYLOAD, "unavailable-key")

    assert "soap case created" in caplog.text  # the logs were captured
    assert '"POST /CaseService HTTP/1.1" 200' in caplog.text  # urllib3's request lines too
    for value in [*PERSONAL_VALUES, "jo.bloggs-at-example.org", PASSWORD]:
        assert value not in caplog.text
        assert json.dumps(value) not in caplog.text
