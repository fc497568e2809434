"""Polling a SOAP case system for status updates, and testing a connection to one."""

from datetime import UTC, datetime, timedelta

import pytest

from integrations.base import PermanentError, StatusUpdate, TransientError
from integrations.simulators.base import RecordedRequest, Response, Simulator
from integrations.simulators.soap_case import wsdl

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def two_cases(sim, adapter) -> tuple[str, str]:
    pothole = {"ServiceCode": "POTHOLE", "Description": "Pothole by the school"}
    return adapter.deliver(pothole, "k1"), adapter.deliver(pothole, "k2")


# --- Updates -------------------------------------------------------------------------------------


def test_all_updates_come_back_oldest_first_when_there_is_no_watermark(sim, adapter, two_cases):
    first, second = two_cases
    # Made out of order: the case officer back-dated one
    sim.add_update(second, "Inspected", "Crew visited", at=T0 + timedelta(hours=2))
    sim.add_update(first, "Received", "", at=T0)
    sim.add_update(first, "Closed - fixed", "Filled", at=T0 + timedelta(hours=3))

    updates = adapter.fetch_updates(None)

    assert updates == [
        StatusUpdate("UPD-000002", first, "Received", T0, ""),
        StatusUpdate("UPD-000001", second, "Inspected", T0 + timedelta(hours=2), "Crew visited"),
        StatusUpdate("UPD-000003", first, "Closed - fixed", T0 + timedelta(hours=3), "Filled"),
    ]
    assert all(u.occurred_at.utcoffset() == timedelta(0) for u in updates)


def test_only_updates_after_the_watermark_come_back(sim, adapter, two_cases):
    first, second = two_cases
    sim.add_update(first, "Received", at=T0)
    sim.add_update(second, "Received", at=T0 + timedelta(minutes=1))
    sim.add_update(first, "In progress", at=T0 + timedelta(minutes=2))

    updates = adapter.fetch_updates(T0 + timedelta(minutes=1))

    assert [(u.update_id, u.status) for u in updates] == [("UPD-000003", "In progress")]
    assert adapter.fetch_updates(T0 + timedelta(minutes=2)) == []


def test_a_naive_watermark_is_taken_as_utc(sim, adapter, two_cases):
    sim.add_update(two_cases[0], "Received", at=T0)

    assert adapter.fetch_updates(T0.replace(tzinfo=None) - timedelta(seconds=1))
    assert adapter.fetch_updates(T0.replace(tzinfo=None)) == []


def test_no_updates_is_an_empty_list(sim, adapter):
    assert adapter.fetch_updates(None) == []


def test_polling_with_an_expired_session_signs_in_again(sim, adapter, two_cases):
    sim.add_update(two_cases[0], "Received", at=T0)
    sim.expire_sessions()

    assert len(adapter.fetch_updates(None)) == 1
    assert sim.calls("Authenticate") == 2


def test_polling_a_system_in_trouble_is_transient(sim, adapter):
    sim.set_soap_fault("Server.Unavailable", operation="GetCaseUpdatesSince")

    with pytest.raises(TransientError):
        adapter.fetch_updates(None)


# --- Test connection -----------------------------------------------------------------------------


def test_check_connection_reads_the_wsdl_afresh_and_signs_in_afresh(sim, adapter):
    adapter.deliver({"ServiceCode": "POTHOLE", "Description": "a"}, "k")  # WSDL and session cached

    adapter.check_connection()

    assert [r.method for r in sim.requests].count("GET") == 3  # first load, check, re-parse
    assert sim.calls("Authenticate") == 2


def test_check_connection_with_a_wrong_password_is_permanent(sim, make_adapter):
    with pytest.raises(PermanentError, match="refused the user name or password"):
        make_adapter(password="wrong").check_connection()


def test_check_connection_to_a_system_that_is_down_is_transient(sim, adapter):
    sim.stop()

    with pytest.raises(TransientError, match="Connection failed"):
        adapter.check_connection()


class Answering(Simulator):
    def __init__(self, response: Response) -> None:
        super().__init__()
        self.response = response

    def handle(self, request: RecordedRequest) -> Response:
        return self.response


def test_check_connection_to_an_address_that_is_no_wsdl_is_permanent(make_adapter):
    page = Response(200, b"<html><body>Sign in</body></html>", {"Content-Type": "text/html"})
    with Answering(page) as web, pytest.raises(PermanentError, match="does not serve a WSDL"):
        make_adapter(wsdl_url=f"{web.url}/CaseService?wsdl").check_connection()


def test_check_connection_needs_the_operations_this_adapter_calls(make_adapter):
    # Given a WSDL of another SOAP service, with none of the case system's operations
    document = wsdl("http://127.0.0.1:1/Other").replace("CreateServiceRequest", "CreateInvoice")
    other_service = Answering(Response(200, document.encode(), {"Content-Type": "text/xml"}))

    with other_service as web, pytest.raises(PermanentError, match="no CreateServiceRequest"):
        make_adapter(wsdl_url=f"{web.url}/Other?wsdl").check_connection()
