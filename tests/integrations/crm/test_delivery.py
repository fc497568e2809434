"""The CRM adapter against the CRM simulator over loopback: upsert by alternate key, no mocks."""

import json
import time
import uuid
from datetime import UTC, datetime

import pytest

from integrations.base import PermanentError, TransientError
from integrations.crm.adapter import CRMAdapter
from integrations.simulators.base import RecordedRequest, Response, Simulator
from integrations.simulators.crm import CRMSimulator
from tests.integrations.crm.conftest import CLIENT_ID, CLIENT_SECRET, adapter_for

PAYLOAD = {
    "title": "Fly-tipping on Mill Lane",
    "description": "Three mattresses and a fridge by the gate of Jo Bloggs-Testperson",
    "emailaddress": "jo.bloggs@example.org",
    "postcode": "LL11 1AA",
}
KEY = "6f1c1f9e-2b1d-4c55-9a3e-5d0d7a1e8b42"


def api_requests(sim: CRMSimulator) -> list[RecordedRequest]:
    return [r for r in sim.requests if r.path != "/oauth2/token"]


class Answering(Simulator):
    """A CRM that gives one fixed answer to everything but its token endpoint."""

    def __init__(self, response: Response) -> None:
        super().__init__()
        self.response = response
        self.crm = CRMSimulator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)

    def handle(self, request: RecordedRequest) -> Response:
        if request.path == "/oauth2/token":
            return self.crm.issuer.handle(request)
        return self.response


def deliver_to(response: Response, style: str = "dynamics") -> str:
    names = (
        {
            "api_style": "dynamics",
            "entity_set": "incidents",
            "alternate_key_name": "mc_portalreference",
            "id_attribute": "incidentid",
        }
        if style == "dynamics"
        else {"api_style": "salesforce", "sobject": "Case", "external_id_field": "Portal_Ref__c"}
    )
    with Answering(response) as answering:
        options = {
            "base_url": answering.url,
            "token_url": f"{answering.url}/oauth2/token",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            **names,
        }
        return CRMAdapter(CRMAdapter.validate_config(options)).deliver(PAYLOAD, KEY)


# --- Success -------------------------------------------------------------------------------------


def test_creates_the_record_by_its_alternate_key_and_returns_the_crm_id(sim, adapter):
    reference = adapter.deliver(PAYLOAD, KEY)

    (record,) = sim.records
    assert reference == record["id"]
    uuid.UUID(reference)  # Dynamics ids are GUIDs
    assert record["key"] == KEY
    assert record["data"] == PAYLOAD
    assert (sim.creates, sim.updates) == (1, 0)
    (request,) = api_requests(sim)
    assert request.method == "PATCH"
    assert request.path == f"/api/data/v9.2/incidents(mc_portalreference='{KEY}')"
    assert request.headers["authorization"].startswith("Bearer ")
    assert request.headers["odata-version"] == "4.0"
    assert "if-match" not in request.headers  # no If-Match: an upsert, not an update
    assert "if-none-match" not in request.headers
    assert json.loads(request.body) == PAYLOAD


def test_each_submission_makes_its_own_record(sim, adapter):
    first = adapter.deliver(PAYLOAD, "key-a")
    second = adapter.deliver(PAYLOAD, "key-b")

    assert first != second
    assert len(sim.records) == 2


def test_the_id_is_read_from_the_odata_entity_id_header_when_there_is_no_body():
    header = "https://council.crm11.dynamics.com/api/data/v9.2/incidents(0b6c7f0e-55e1-4a8f-8f3e-0a1b2c3d4e5f)"

    reference = deliver_to(Response(204, headers={"OData-EntityId": header}))

    assert reference == "0b6c7f0e-55e1-4a8f-8f3e-0a1b2c3d4e5f"


def test_a_save_that_names_no_record_is_permanent_because_it_cannot_be_proved():
    with pytest.raises(PermanentError, match="named neither an OData-EntityId nor its incidentid"):
        deliver_to(Response(204))


def test_salesforce_upserts_by_external_id_and_returns_the_record_id(salesforce):
    adapter = adapter_for(salesforce)

    reference = adapter.deliver(PAYLOAD, KEY)

    (record,) = salesforce.records
    assert reference == record["id"]
    assert len(reference) == 18
    (request,) = api_requests(salesforce)
    assert request.method == "PATCH"
    assert request.path == f"/services/data/v60.0/sobjects/Case/Portal_Reference__c/{KEY}"
    assert json.loads(request.body) == PAYLOAD


def test_salesforce_reads_the_id_after_a_204_update_from_older_api_versions():
    with CRMSimulator(
        style="salesforce", client_id=CLIENT_ID, client_secret=CLIENT_SECRET, update_status=204
    ) as older:
        adapter = adapter_for(older)
        first = adapter.deliver(PAYLOAD, KEY)
        again = adapter.deliver({**PAYLOAD, "postcode": "LL11 2BB"}, KEY)

        assert again == first
        assert [r.method for r in api_requests(older)] == ["PATCH", "PATCH", "GET"]
        assert (older.creates, older.updates) == (1, 1)


def test_a_key_field_in_the_payload_is_not_sent_twice(sim, adapter):
    adapter.deliver({**PAYLOAD, "mc_portalreference": "something else"}, KEY)

    assert "mc_portalreference" not in api_requests(sim)[-1].json()
    assert sim.record_for(KEY) is not None


# --- Idempotency ---------------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["dynamics", "salesforce"])
def test_lost_response_after_commit_is_transient_and_the_retry_updates_the_same_record(style):
    with CRMSimulator(style=style, client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as sim:
        adapter = adapter_for(sim)
        adapter.check_connection()  # the token is fetched and cached before the fault
        # Given the CRM saves the record and then the connection drops
        sim.set_faults(drop_response=True, times=1)

        # When the first attempt fails and the retry runs with the same key
        with pytest.raises(TransientError, match="Connection failed"):
            adapter.deliver(PAYLOAD, KEY)
        assert sim.creates == 1  # it was saved
        # (the engine's second attempt: redeliver, which for a CRM is the same upsert by key)
        reference = adapter.redeliver(PAYLOAD, KEY, datetime.now(UTC)).reference

        # Then the retry updated the first record instead of making a second
        assert len(sim.records) == 1
        assert reference == sim.record_for(KEY)["id"]
        assert (sim.creates, sim.updates) == (1, 1)


def test_a_request_that_timed_out_but_committed_later_is_never_recorded_twice(sim, make_adapter):
    adapter = make_adapter(read_timeout=0.2)
    adapter.check_connection()
    sim.set_faults(slow_rate=1.0, slow_latency=0.6, times=1)

    with pytest.raises(TransientError, match="read timeout"):
        adapter.deliver(PAYLOAD, KEY)
    time.sleep(0.7)  # the first request goes on to commit
    reference = adapter.deliver(PAYLOAD, KEY)

    assert len(sim.records) == 1
    assert reference == sim.record_for(KEY)["id"]


# --- Transient failures --------------------------------------------------------------------------


def test_429_is_transient_and_carries_retry_after(sim, adapter):
    adapter.check_connection()
    sim.set_faults(rate_limit=17)

    with pytest.raises(TransientError) as failure:
        adapter.deliver(PAYLOAD, KEY)

    assert failure.value.status_code == 429
    assert failure.value.retry_after == 17.0
    assert sim.records == []


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_transient(sim, adapter, status):
    adapter.check_connection()
    sim.set_faults(error_rate=1.0, error_status=status)

    with pytest.raises(TransientError) as failure:
        adapter.deliver(PAYLOAD, KEY)

    assert failure.value.status_code == status
    assert sim.records == []


def test_a_connection_reset_is_transient_and_records_nothing(sim, adapter):
    adapter.check_connection()
    sim.set_faults(reset_rate=1.0, times=1)

    with pytest.raises(TransientError, match="Connection failed"):
        adapter.deliver(PAYLOAD, KEY)

    assert sim.records == []
    assert adapter.deliver(PAYLOAD, KEY) == sim.record_for(KEY)["id"]


def test_a_crm_slower_than_the_read_timeout_fails_transiently_and_quickly(sim, make_adapter):
    adapter = make_adapter(read_timeout=0.3)
    adapter.check_connection()
    sim.set_faults(latency=5.0)

    started = time.monotonic()
    with pytest.raises(TransientError, match="read timeout"):
        adapter.deliver(PAYLOAD, KEY)

    assert time.monotonic() - started < 2.0


def test_a_crm_that_is_down_is_transient(sim, adapter):
    sim.stop()

    with pytest.raises(TransientError, match="token endpoint failed: ConnectError"):
        adapter.deliver(PAYLOAD, KEY)


def test_salesforce_request_limit_exceeded_is_transient():
    answer = Response.json(
        [{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "TotalRequests Limit exceeded."}],
        status=403,
    )

    with pytest.raises(TransientError, match="REQUEST_LIMIT_EXCEEDED") as failure:
        deliver_to(answer, style="salesforce")

    assert failure.value.status_code == 403


# --- Permanent failures --------------------------------------------------------------------------


def test_a_dynamics_400_is_permanent_and_names_the_crm_error_code():
    with CRMSimulator(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, columns=["title", "description"]
    ) as strict:
        with pytest.raises(PermanentError) as failure:
            adapter_for(strict).deliver(PAYLOAD, KEY)

        assert str(failure.value) == "The CRM refused the record (400 0x80060888)"
        assert failure.value.status_code == 400
        assert "does not exist on type 'incidents'" in failure.value.excerpt
        assert strict.records == []


def test_a_salesforce_400_is_permanent_and_names_the_crm_error_code():
    strict = CRMSimulator(
        style="salesforce", client_id=CLIENT_ID, client_secret=CLIENT_SECRET, columns=["title"]
    )
    with strict, pytest.raises(PermanentError, match=r"refused the record \(400 INVALID_FIELD\)"):
        adapter_for(strict).deliver(PAYLOAD, KEY)


def test_an_unknown_table_is_permanent(sim, make_adapter):
    with pytest.raises(PermanentError, match=r"\(404 0x80060888\)"):
        make_adapter(entity_set="cr4d1_nothings").deliver(PAYLOAD, KEY)


def test_a_salesforce_key_matching_several_records_is_permanent():
    answer = Response.json(["/services/data/v60.0/sobjects/Case/500A", "/x/500B"], status=300)

    with pytest.raises(PermanentError, match="Unique"):
        deliver_to(answer, style="salesforce")


def test_an_excerpt_never_holds_what_we_sent_even_when_the_crm_echoes_it():
    echo = {"error": {"code": "0x80040237", "message": f"Duplicate: {PAYLOAD['description']}"}}

    with pytest.raises(PermanentError) as failure:
        deliver_to(Response.json(echo, status=412))

    assert "0x80040237" in str(failure.value)
    assert "[redacted]" in failure.value.excerpt
    for value in PAYLOAD.values():
        assert value not in failure.value.excerpt
        assert value not in str(failure.value)


def test_an_error_code_that_does_not_look_like_one_is_left_out_of_the_message():
    echo = {"error": {"code": PAYLOAD["description"], "message": "bad"}}

    with pytest.raises(PermanentError) as failure:
        deliver_to(Response.json(echo, status=400))

    assert str(failure.value) == "The back office refused the submission (400)"


def test_a_payload_that_cannot_be_json_is_permanent_without_showing_the_value(adapter):
    with pytest.raises(PermanentError, match="cannot be written as JSON") as failure:
        adapter.deliver({"title": {"Jo Bloggs-Testperson"}}, KEY)

    assert "Jo Bloggs" not in str(failure.value)
