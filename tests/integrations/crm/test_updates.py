"""Status changes read back from the CRM, connection checks, and token expiry during delivery."""

import time
from datetime import UTC, datetime, timedelta

import pytest

from integrations.base import PermanentError
from integrations.crm import adapter as crm_adapter
from integrations.crm.adapter import CRMAdapter
from integrations.http import client
from integrations.simulators.crm import CRMSimulator
from tests.integrations.crm.conftest import CLIENT_ID, CLIENT_SECRET, adapter_for

PAYLOAD = {"title": "Fly-tipping on Mill Lane", "description": "Mattresses by the gate"}


def test_fetch_updates_reports_each_status_change_with_the_record_id(sim, adapter):
    reference = adapter.deliver(PAYLOAD, "key-1")
    sim.set_status("key-1", 5)

    (update,) = adapter.fetch_updates(None)

    record = sim.record_for("key-1")
    assert update.external_reference == reference
    assert update.status == "5"
    assert update.description == "Problem Solved"
    assert update.update_id == f"{reference}:{record['modifiedon']}"
    assert update.occurred_at == datetime.fromisoformat(record["modifiedon"])
    query = sim.requests[-1]
    assert query.param("$orderby") == "modifiedon asc"
    assert set(query.param("$select").split(",")) == {
        "incidentid",
        "statuscode",
        "modifiedon",
        "mc_portalreference",
    }


def test_fetch_updates_since_a_time_leaves_out_older_changes(sim, adapter):
    adapter.deliver(PAYLOAD, "old")
    adapter.deliver(PAYLOAD, "new")
    moved = sim.set_status("new", 2)
    since = datetime.fromisoformat(moved["modifiedon"])

    updates = adapter.fetch_updates(since)

    assert [u.external_reference for u in updates] == [moved["id"]]
    assert sim.requests[-1].param("$filter") == f"modifiedon ge {moved['modifiedon']}"


def test_a_second_change_gets_its_own_update_id(sim, adapter):
    adapter.deliver(PAYLOAD, "k")
    first = sim.set_status("k", 2)
    second = sim.set_status("k", 5)

    (update,) = adapter.fetch_updates(datetime.fromisoformat(first["modifiedon"]))

    assert update.update_id.endswith(second["modifiedon"])
    assert update.status == "5"


def test_fetch_updates_follows_next_links_and_returns_oldest_first(sim, adapter, monkeypatch):
    for n in range(3):
        adapter.deliver(PAYLOAD, f"k{n}")
    for n in (2, 0, 1):
        sim.set_status(f"k{n}", 2)

    monkeypatch.setattr(crm_adapter, "PAGE_SIZE", 2)

    updates = adapter.fetch_updates(datetime.now(UTC) - timedelta(hours=1))

    assert len(updates) == 3
    assert updates == sorted(updates, key=lambda u: u.occurred_at)
    assert sum(1 for r in sim.requests if r.method == "GET") == 2


def test_salesforce_status_changes_are_read_with_soql(salesforce):
    adapter = adapter_for(salesforce)
    reference = adapter.deliver(PAYLOAD, "k")
    moved = salesforce.set_status(reference, "Working")

    (update,) = adapter.fetch_updates(datetime.now(UTC) - timedelta(minutes=5))

    assert (update.external_reference, update.status) == (reference, "Working")
    assert update.occurred_at == datetime.fromisoformat(moved["modifiedon"])
    soql = salesforce.requests[-1].param("q")
    assert soql.startswith("SELECT Id, Status, LastModifiedDate FROM Case WHERE LastModifiedDate")


def test_the_crm_adapter_supports_updates():
    assert CRMAdapter.supports_updates()


def test_status_updates_can_be_posted_to_the_simulator_by_other_processes(sim, adapter):
    adapter.deliver(PAYLOAD, "k")

    answer = client().post(f"{sim.url}/_updates", json={"key": "k", "status": 2})

    assert answer.status_code == 200
    assert sim.record_for("k")["status"] == 2
    assert client().get(f"{sim.url}/_records").json()["creates"] == 1


# --- Connection check ----------------------------------------------------------------------------


def test_check_connection_gets_a_token_and_asks_who_am_i(sim, adapter):
    adapter.check_connection()

    assert [r.path for r in sim.requests] == ["/oauth2/token", "/api/data/v9.2/WhoAmI"]


def test_check_connection_asks_salesforce_for_its_limits(salesforce):
    adapter_for(salesforce).check_connection()

    assert salesforce.requests[-1].path == "/services/data/v60.0/limits"


def test_check_connection_with_a_wrong_secret_is_permanent(sim):
    with pytest.raises(PermanentError, match="refused the client credentials"):
        adapter_for(sim, client_secret="wrong").check_connection()


# --- Token expiry and refresh during delivery ----------------------------------------------------


def test_one_token_serves_many_deliveries(sim, adapter):
    for n in range(6):
        adapter.deliver(PAYLOAD, f"key-{n}")

    assert sim.token_requests == 1
    assert len(sim.records) == 6


def test_a_revoked_token_is_renewed_and_the_delivery_succeeds(sim, adapter):
    adapter.deliver(PAYLOAD, "before")
    sim.revoke_tokens()

    reference = adapter.deliver(PAYLOAD, "after")

    assert reference == sim.record_for("after")["id"]
    assert sim.token_requests == 2
    assert len(sim.records) == 2


def test_an_expired_token_is_renewed_without_a_refusal():
    with CRMSimulator(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, token_lifetime=1
    ) as short_lived:
        adapter = adapter_for(short_lived)
        adapter.deliver(PAYLOAD, "a")
        time.sleep(1.0)

        adapter.deliver(PAYLOAD, "b")

        assert short_lived.token_requests == 2
        assert [r.path for r in short_lived.requests].count("/oauth2/token") == 2
        assert len(short_lived.records) == 2


def test_a_token_still_refused_after_renewal_is_permanent(sim, adapter):
    sim.tokens_accepted = False

    with pytest.raises(PermanentError, match="refused the credentials") as failure:
        adapter.deliver(PAYLOAD, "k")

    assert failure.value.status_code == 401
    assert sim.token_requests == 2
    assert sim.records == []
