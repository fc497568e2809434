"""The webhook simulator itself, over plain HTTP: what the fault suite and benchmark rely on."""

import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest

from integrations.simulators.webhook import WebhookSimulator
from tests.conftest import REPO_ROOT
from tests.integrations.webhook.conftest import SECRET


def signed(
    body: object, secret: str = SECRET, timestamp: int | None = None, key: str | None = None
) -> dict:
    """A request as the portal's adapter makes it, with `key` as its Idempotency-Key."""
    content = json.dumps(body).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), stamp.encode() + b"." + content, hashlib.sha256)
    return {
        "content": content,
        "headers": {
            "Content-Type": "application/json",
            "X-Portal-Timestamp": stamp,
            "X-Portal-Signature": f"sha256={digest.hexdigest()}",
            **({"Idempotency-Key": key} if key else {}),
        },
    }


@pytest.fixture
def client():
    with httpx.Client(timeout=5.0) as http:
        yield http


def test_a_signed_post_makes_a_record_and_a_repeat_key_returns_it(sim, client):
    first = client.post(sim.records_url, **signed({"a": 1}, key="k1"))
    again = client.post(sim.records_url, **signed({"a": 2}, key="k1"))

    assert first.status_code == 201
    assert again.status_code == 200
    assert first.json()["id"] == again.json()["id"] == "WH-000001"
    assert sim.count_for("k1") == 1
    assert sim.records_by_key["k1"]["data"] == {"a": 1}
    assert sim.replays == 1


def test_posts_without_a_key_each_make_a_record(sim, client):
    client.post(sim.records_url, **signed({"a": 1}))
    client.post(sim.records_url, **signed({"a": 1}))

    assert [r["id"] for r in sim.records] == ["WH-000001", "WH-000002"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"secret": "another-secret"}, "signature mismatch"),
        ({"skew": -400}, "is too far from now"),
        ({"skew": +400}, "is too far from now"),
    ],
)
def test_a_bad_signature_or_stale_timestamp_is_refused(sim, client, change, problem):
    # The clock is read here, not at collection: a long suite may run this minutes later.
    change = dict(change)
    if "skew" in change:
        change = {"timestamp": int(time.time()) + change.pop("skew")}
    response = client.post(sim.records_url, **signed({"a": 1}, **change))

    assert response.status_code == 401
    assert problem in response.json()["error"]
    assert sim.records == []


def test_a_tampered_body_is_refused(sim, client):
    request = signed({"amount": 1})
    request["content"] = b'{"amount": 1000}'

    assert client.post(sim.records_url, **request).status_code == 401


def test_an_unsigned_post_is_refused_unless_the_simulator_has_no_secret(sim, client):
    assert client.post(sim.records_url, json={"a": 1}).status_code == 401
    with WebhookSimulator(None) as lax:
        assert client.post(lax.records_url, json={"a": 1}).status_code == 201


def test_a_body_that_is_not_a_json_object_is_a_400(sim, client):
    response = client.post(sim.records_url, **signed([1, 2]))

    assert response.status_code == 400
    assert sim.records == []


def test_records_are_served_over_http_for_other_processes(sim, client):
    client.post(sim.records_url, **signed({"a": 1}, key="k1"))
    client.post(sim.records_url, **signed({"a": 1}, key="k1"))
    client.post(sim.records_url, **signed({"b": 2}, key="k2"))

    everything = client.get(f"{sim.url}/_records").json()
    one = client.get(f"{sim.url}/_records", params={"key": "k2"}).json()

    assert (everything["count"], everything["replays"]) == (2, 1)
    assert [r["idempotency_key"] for r in everything["records"]] == ["k1", "k2"]
    assert one["count"] == 1
    assert one["records"][0]["data"] == {"b": 2}
    assert client.delete(f"{sim.url}/_records").status_code == 204
    assert sim.records == []
    assert all(not r.path.startswith("/_") for r in sim.requests)  # control is not recorded


def test_faults_are_set_seen_and_cleared_over_http_and_spare_the_control_endpoints(sim, client):
    response = client.post(f"{sim.url}/_faults", json={"error_rate": 1.0, "error_status": 500})

    assert response.status_code == 200
    assert response.json()["error_rate"] == 1.0
    assert client.post(sim.records_url, **signed({"a": 1})).status_code == 500
    assert client.get(f"{sim.url}/_records").status_code == 200
    assert client.get(f"{sim.url}/_faults").json()["error_status"] == 500
    client.delete(f"{sim.url}/_faults")
    assert client.post(sim.records_url, **signed({"a": 1})).status_code == 201


@pytest.mark.parametrize(
    "faults",
    [{"error_rte": 1}, {"error_rate": 2}, {"drop_response": "yes"}, {"error_status": 999}, [1]],
)
def test_bad_faults_over_http_are_a_400_and_change_nothing(sim, client, faults):
    response = client.post(f"{sim.url}/_faults", json=faults)

    assert response.status_code == 400
    assert sim.faults.error_rate == 0.0


def test_a_dropped_response_commits_the_record_then_hangs_up(sim, client):
    sim.set_faults(drop_rate=1.0)

    with pytest.raises(httpx.RemoteProtocolError):
        client.post(sim.records_url, **signed({"a": 1}, key="k"))

    assert sim.count_for("k") == 1
    assert sim.injected == {"drop": 1}


def test_a_reset_connection_is_aborted_before_anything_is_committed(sim, client):
    sim.set_faults(reset_rate=1.0)

    with pytest.raises(httpx.ReadError, match="reset"):
        client.post(sim.records_url, **signed({"a": 1}, key="k"))

    assert sim.count_for("k") == 0
    assert len(sim.requests) == 1


def test_fault_rates_below_one_pick_some_requests(sim, client):
    sim.set_faults(reset_rate=0.3, error_rate=0.3)
    outcomes = []
    for i in range(60):
        try:
            status = client.post(sim.records_url, **signed({"i": i})).status_code
        except httpx.ReadError:
            status = "reset"
        outcomes.append(status)

    assert 5 < outcomes.count("reset") < 35
    assert 3 < outcomes.count(503) < 35
    assert outcomes.count(201) == len(sim.records)
    stats = client.get(f"{sim.url}/_stats").json()
    assert stats == {
        "requests": 60,
        "injected": {"reset": outcomes.count("reset"), "error": outcomes.count(503)},
        "injected_by_call": {
            "POST /records": {"reset": outcomes.count("reset"), "error": outcomes.count(503)}
        },
    }
    assert sim.injected == stats["injected"]


def test_options_checks_credentials_and_makes_nothing(client):
    with WebhookSimulator(SECRET, api_key="k") as guarded:
        ok = client.options(guarded.records_url, headers={"X-API-Key": "k"})
        refused = client.options(guarded.records_url, headers={"X-API-Key": "nope"})

    assert (ok.status_code, ok.headers["Allow"]) == (204, "POST, OPTIONS")
    assert refused.status_code == 401


def test_concurrent_posts_with_distinct_keys_each_get_their_own_number(sim, client):
    def post(n: int) -> None:
        client.post(sim.records_url, **signed({"n": n}, key=f"k{n}"))

    threads = [threading.Thread(target=post, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    ids = [r["id"] for r in sim.records]
    assert len(ids) == len(set(ids)) == 30
    assert all(sim.count_for(f"k{n}") == 1 for n in range(30))


def test_runs_standalone_with_faults_from_the_command_line(client):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "integrations.simulators.webhook", "--port", str(port)]
    command += ["--secret", SECRET, "--error-rate", "0.3", "--drop-rate", "0.05"]
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ}
    )
    try:
        assert process.stdout is not None
        assert f"http://127.0.0.1:{port}/records" in process.stdout.readline()
        assert "listening" in process.stdout.readline()  # printed once the port is bound

        faults = client.get(f"http://127.0.0.1:{port}/_faults").json()
        client.post(f"http://127.0.0.1:{port}/_faults", json={"error_rate": 0.0, "drop_rate": 0})
        response = client.post(f"http://127.0.0.1:{port}/records", **signed({"a": 1}))
        records = client.get(f"http://127.0.0.1:{port}/_records").json()
    finally:
        process.terminate()
        process.wait(timeout=10)

    assert (faults["error_rate"], faults["drop_rate"]) == (0.3, 0.05)
    assert response.status_code == 201
    assert records["count"] == 1
