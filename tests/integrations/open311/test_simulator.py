"""The Open311 simulator itself, over plain HTTP: what the demo and other processes rely on."""

import os
import socket
import subprocess
import sys

import httpx
import pytest

from integrations.simulators.open311 import Open311Simulator
from tests.conftest import REPO_ROOT
from tests.integrations.open311.conftest import API_KEY

FORM = {"api_key": API_KEY, "service_code": "POTHOLE", "lat": "52.1", "long": "-1.2"}


@pytest.fixture
def client():
    with httpx.Client(timeout=5.0) as http:
        yield http


def test_services_are_listed(sim, client):
    services = client.get(f"{sim.endpoint}/services.json").json()

    assert [s["service_code"] for s in services] == ["POTHOLE", "STREETLIGHT", "GRAFFITI", "FLYTIP"]


@pytest.mark.parametrize(
    ("form", "status", "description"),
    [
        ({**FORM, "api_key": "wrong"}, 403, "Invalid api_key"),
        ({k: v for k, v in FORM.items() if k != "service_code"}, 400, "service_code was not"),
        ({**FORM, "service_code": "NOPE"}, 404, "Service NOPE not found"),
        ({"api_key": API_KEY, "service_code": "POTHOLE"}, 400, "A location is required"),
        ({**FORM, "lat": "north"}, 400, "lat and long must be numbers"),
        ({**FORM, "email": "nobody"}, 400, "email 'nobody' is not a valid"),
    ],
)
def test_a_bad_request_gets_the_specs_error_array_and_makes_nothing(
    sim, client, form, status, description
):
    response = client.post(f"{sim.endpoint}/requests.json", data=form)

    assert response.status_code == status
    (error,) = response.json()
    assert error["code"] == status
    assert error["description"].startswith(description)
    assert sim.records == []


def test_a_json_body_is_refused(sim, client):
    response = client.post(f"{sim.endpoint}/requests.json", json=FORM)

    assert response.status_code == 400
    assert sim.records == []


def test_a_repeat_portal_reference_makes_a_new_request_as_georeport_servers_do(sim, client):
    form = {**FORM, "attribute[portal_reference]": "r1"}
    first = client.post(f"{sim.endpoint}/requests.json", data=form).json()
    again = client.post(f"{sim.endpoint}/requests.json", data=form).json()

    assert (first[0]["service_request_id"], again[0]["service_request_id"]) == ("100001", "100002")
    assert (sim.count_for("r1"), sim.replays) == (2, 0)


def test_a_server_that_dedupes_client_references_answers_a_repeat_with_the_first_request(client):
    with Open311Simulator(API_KEY, dedupe_client_reference=True) as forgiving:
        form = {**FORM, "attribute[portal_reference]": "r1"}
        url = f"{forgiving.endpoint}/requests.json"
        first = client.post(url, data=form).json()
        again = client.post(url, data=form).json()
        other = client.post(url, data=FORM).json()

        assert first[0]["service_request_id"] == again[0]["service_request_id"] == "100001"
        assert other[0]["service_request_id"] == "100002"
        assert (forgiving.count_for("r1"), forgiving.replays) == (1, 1)


def test_a_token_resolves_on_the_configured_poll():
    with Open311Simulator(API_KEY, token_polls=2) as slow, httpx.Client() as client:
        (answer,) = client.post(f"{slow.endpoint}/requests.json", data=FORM).json()
        token_url = f"{slow.endpoint}/tokens/{answer['token']}.json"

        assert client.get(token_url).json() == [{"token": "TOK-000001"}]
        (resolved,) = client.get(token_url).json()
        assert resolved["service_request_id"] == "100001"
        assert resolved["token"] == "TOK-000001"
        assert client.get(f"{slow.endpoint}/tokens/TOK-9.json").status_code == 404


def test_requests_and_one_request_are_served_with_their_status(sim, client):
    client.post(f"{sim.endpoint}/requests.json", data={**FORM, "description": "Deep"})
    sim.add_update("100001", "fixed", "Filled", external_status_code="FIXED")

    (listed,) = client.get(f"{sim.endpoint}/requests.json", params={"status": "closed"}).json()
    (one,) = client.get(f"{sim.endpoint}/requests/100001.json").json()

    assert listed == one
    assert (one["status"], one["status_notes"], one["description"]) == ("closed", "Filled", "Deep")
    assert client.get(f"{sim.endpoint}/requests.json", params={"status": "open"}).json() == []
    assert client.get(f"{sim.endpoint}/requests/999.json").status_code == 404
    bad = client.get(f"{sim.endpoint}/requests.json", params={"start_date": "yesterday"})
    assert bad.status_code == 400


def test_updates_are_added_over_http_and_served_by_the_extension(sim, client):
    client.post(f"{sim.endpoint}/requests.json", data=FORM)
    body = {
        "service_request_id": "100001",
        "status": "closed",
        "description": "Fixed",
        "external_status_code": "FIXED",
        "updated_datetime": "2026-02-01T10:00:00+00:00",
    }

    added = client.post(f"{sim.url}/_updates", json=body)
    missing = client.post(f"{sim.url}/_updates", json={**body, "service_request_id": "9"})
    malformed = client.post(f"{sim.url}/_updates", json={"status": "closed"})
    feed = client.get(f"{sim.endpoint}/servicerequestupdates.json").json()

    assert added.status_code == 201
    assert (missing.status_code, malformed.status_code) == (404, 400)
    assert feed == [
        {
            "update_id": "UPD-000001",
            "service_request_id": "100001",
            "status": "closed",
            "description": "Fixed",
            "updated_datetime": "2026-02-01T10:00:00+00:00",
            "external_status_code": "FIXED",
            "media_url": None,
        }
    ]
    later = {"start_date": "2026-02-01T10:00:01Z"}
    assert client.get(f"{sim.endpoint}/servicerequestupdates.json", params=later).json() == []


def test_fault_answers_are_error_arrays_and_keep_retry_after(sim, client):
    sim.set_faults(rate_limit=4)
    limited = client.post(f"{sim.endpoint}/requests.json", data=FORM)
    sim.set_faults(rate_limit=None, error_rate=1.0)
    failed = client.get(f"{sim.endpoint}/services.json")

    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "4"
    assert limited.json() == [{"code": 429, "description": "too many requests"}]
    assert failed.json() == [{"code": 503, "description": "Service Unavailable"}]
    assert client.get(f"{sim.url}/_faults").json()["error_rate"] == 1.0  # control is spared


def test_records_are_served_over_http_and_can_be_forgotten(sim, client):
    client.post(f"{sim.endpoint}/requests.json", data={**FORM, "attribute[portal_reference]": "a"})
    client.post(f"{sim.endpoint}/requests.json", data={**FORM, "attribute[portal_reference]": "b"})

    only_a = client.get(f"{sim.url}/_records", params={"key": "a"}).json()
    assert (only_a["count"], only_a["records"][0]["portal_reference"]) == (1, "a")
    assert client.delete(f"{sim.url}/_records").status_code == 204
    assert client.get(f"{sim.url}/_records").json()["count"] == 0


def test_a_dropped_response_commits_the_request_then_hangs_up(sim, client):
    sim.set_faults(drop_response=True, times=1)

    with pytest.raises(httpx.RemoteProtocolError):
        client.post(f"{sim.endpoint}/requests.json", data=FORM)

    assert len(sim.records) == 1


def test_runs_standalone_with_faults_from_the_command_line(client):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "integrations.simulators.open311", "--port", str(port)]
    command += ["--api-key", API_KEY, "--token-polls", "1", "--error-rate", "0.3"]
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ}
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert process.stdout is not None
        assert f"{base}/open311/v2" in process.stdout.readline()
        assert "listening" in process.stdout.readline()

        faults = client.get(f"{base}/_faults").json()
        client.post(f"{base}/_faults", json={"error_rate": 0.0})
        answer = client.post(f"{base}/open311/v2/requests.json", data=FORM).json()
        records = client.get(f"{base}/_records").json()
    finally:
        process.terminate()
        process.wait(timeout=10)

    assert faults["error_rate"] == 0.3
    assert answer == [{"token": "TOK-000001"}]
    assert records["count"] == 1
