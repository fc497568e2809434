import contextlib
import threading
import time

import httpx
import pytest

from integrations.simulators.base import RecordedRequest, Response, Simulator


class Counter(Simulator):
    """Counts what it handles, as a back office records cases, and echoes the request."""

    name = "counter"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.handled = 0
        self._count_lock = threading.Lock()

    def authorise(self, request: RecordedRequest) -> Response | None:
        if request.headers.get("authorization") == "Bearer good":
            return None
        return self.unauthorised(request)

    def handle(self, request: RecordedRequest) -> Response:
        with self._count_lock:
            self.handled += 1
            number = self.handled
        return Response.json({"case": number, "path": request.path}, status=201)


AUTH = {"Authorization": "Bearer good"}


@pytest.fixture
def sim():
    with Counter(seed=7) as simulator:
        yield simulator


@pytest.fixture
def client():
    with httpx.Client(timeout=5.0) as http:
        yield http


def test_serves_on_a_free_loopback_port(sim, client):
    assert sim.url.startswith("http://127.0.0.1:")
    assert sim.port > 0

    response = client.post(f"{sim.url}/cases", headers=AUTH)

    assert response.status_code == 201
    assert response.json() == {"case": 1, "path": "/cases"}


def test_two_simulators_run_side_by_side(sim, client):
    with Counter() as other:
        assert other.port != sim.port
        client.post(f"{other.url}/x", headers=AUTH)

    assert (sim.handled, other.handled) == (0, 1)


def test_records_what_it_received(sim, client):
    client.post(
        f"{sim.url}/cases?service=bins&tag=a&tag=b",
        json={"name": "Test"},
        headers={**AUTH, "X-Request-ID": "abc"},
    )
    client.get(f"{sim.url}/cases/1", headers=AUTH)

    first, second = sim.requests
    assert (first.method, first.path) == ("POST", "/cases")
    assert first.query == {"service": ["bins"], "tag": ["a", "b"]}
    assert first.param("service") == "bins"
    assert first.param("missing") is None
    assert first.headers["x-request-id"] == "abc"
    assert first.headers["content-type"] == "application/json"
    assert first.json() == {"name": "Test"}
    assert (second.method, second.path, second.body) == ("GET", "/cases/1", b"")


def test_records_requests_that_a_fault_or_the_credentials_turned_away(sim, client):
    client.get(f"{sim.url}/a")  # no credentials
    sim.set_faults(error_rate=1.0)
    client.get(f"{sim.url}/b", headers=AUTH)

    assert [r.path for r in sim.requests] == ["/a", "/b"]
    assert sim.handled == 0


def test_the_request_log_can_be_cleared(sim, client):
    client.get(f"{sim.url}/a", headers=AUTH)
    sim.clear_requests()

    assert sim.requests == []


def test_wrong_credentials_are_refused(sim, client):
    response = client.post(f"{sim.url}/cases", headers={"Authorization": "Bearer bad"})

    assert response.status_code == 401
    assert sim.handled == 0


def test_error_rate_one_fails_every_request(sim, client):
    sim.set_faults(error_rate=1.0)

    statuses = {client.post(f"{sim.url}/cases", headers=AUTH).status_code for _ in range(5)}

    assert statuses == {503}
    assert sim.handled == 0


def test_the_error_status_can_be_chosen(sim, client):
    sim.set_faults(error_rate=1.0, error_status=500)

    response = client.post(f"{sim.url}/cases", headers=AUTH)

    assert response.status_code == 500
    assert response.json() == {"error": "Internal Server Error"}


def test_a_partial_error_rate_fails_some_requests_and_not_others(sim, client):
    sim.set_faults(error_rate=0.5)

    statuses = [client.post(f"{sim.url}/cases", headers=AUTH).status_code for _ in range(40)]

    assert 5 < statuses.count(503) < 35
    assert statuses.count(201) == sim.handled == 40 - statuses.count(503)


def test_latency_delays_the_answer(sim, client):
    sim.set_faults(latency=0.4)

    started = time.monotonic()
    response = client.post(f"{sim.url}/cases", headers=AUTH)

    assert response.status_code == 201
    assert time.monotonic() - started >= 0.4


def test_latency_beyond_the_client_timeout_times_the_client_out(sim):
    sim.set_faults(latency=3.0)

    with httpx.Client(timeout=0.2) as impatient, pytest.raises(httpx.ReadTimeout):
        impatient.post(f"{sim.url}/cases", headers=AUTH)


def test_rate_limit_answers_429_with_retry_after(sim, client):
    sim.set_faults(rate_limit=7)

    response = client.post(f"{sim.url}/cases", headers=AUTH)

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert sim.handled == 0


def test_auth_failure_refuses_even_good_credentials(sim, client):
    sim.set_faults(auth_failure=True)

    assert client.post(f"{sim.url}/cases", headers=AUTH).status_code == 401
    assert sim.handled == 0


def test_a_dropped_response_is_handled_but_never_answered(sim, client):
    # The back office commits the case, then the connection drops: the client cannot know.
    sim.set_faults(drop_response=True)

    with pytest.raises(httpx.RemoteProtocolError):
        client.post(f"{sim.url}/cases", headers=AUTH)

    assert sim.handled == 1
    sim.clear_faults()
    assert client.post(f"{sim.url}/cases", headers=AUTH).json()["case"] == 2


def test_faults_can_last_for_a_number_of_requests(sim, client):
    sim.set_faults(error_rate=1.0, times=2)

    statuses = [client.post(f"{sim.url}/cases", headers=AUTH).status_code for _ in range(4)]

    assert statuses == [503, 503, 201, 201]
    assert sim.faults.error_rate == 0.0


def test_faults_are_counted_by_kind_of_call_as_well_as_in_all(sim, client):
    # Given every request fails: a POST and a GET to one path, a POST to another
    sim.set_faults(error_rate=1.0)
    client.post(f"{sim.url}/cases", headers=AUTH)
    client.post(f"{sim.url}/cases", headers=AUTH)
    client.get(f"{sim.url}/cases", headers=AUTH)
    sim.set_faults(error_rate=0.0, drop_response=True)
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(f"{sim.url}/cases/1/files", headers=AUTH)

    # Then each kind of call (method and path) has its own count, shown at /_stats
    by_call = {
        "POST /cases": {"error": 2},
        "GET /cases": {"error": 1},
        "POST /cases/1/files": {"drop": 1},
    }
    assert sim.injected_by_call == by_call
    stats = client.get(f"{sim.url}/_stats").json()
    assert stats["injected_by_call"] == by_call
    assert stats["injected"] == {"error": 3, "drop": 1}

    # And clearing the request log clears them
    sim.clear_requests()
    assert sim.injected_by_call == {}


def test_set_faults_keeps_the_faults_not_named(sim):
    sim.set_faults(latency=0.1)
    sim.set_faults(rate_limit=3)

    assert (sim.faults.latency, sim.faults.rate_limit) == (0.1, 3)


def test_reset_clears_faults_and_requests(sim, client):
    sim.set_faults(error_rate=1.0, latency=0.05)
    client.post(f"{sim.url}/cases", headers=AUTH)

    sim.reset()

    assert sim.requests == []
    assert client.post(f"{sim.url}/cases", headers=AUTH).status_code == 201


def test_stopping_does_not_wait_for_a_slow_answer(client):
    sim = Counter().start()
    sim.set_faults(latency=30.0)
    url = f"{sim.url}/cases"
    waiting = threading.Thread(target=lambda: _quietly(client.post, url, headers=AUTH))
    waiting.start()
    while not sim.requests:
        time.sleep(0.01)

    started = time.monotonic()
    sim.stop()

    assert time.monotonic() - started < 2.0
    waiting.join(timeout=5)
    assert not waiting.is_alive()


def test_a_stopped_simulator_refuses_connections(client):
    with Counter() as sim:
        url = f"{sim.url}/cases"

    with pytest.raises(httpx.ConnectError):
        client.post(url, headers=AUTH)
    with pytest.raises(RuntimeError, match="not running"):
        _ = sim.url


def test_a_simulator_can_be_started_again_after_stopping(client):
    sim = Counter()
    for _ in range(2):
        with sim:
            assert client.post(f"{sim.url}/x", headers=AUTH).status_code == 201


def test_a_bug_in_a_simulator_answers_500(client, capsys):
    class Buggy(Simulator):
        def handle(self, request):
            raise ZeroDivisionError

    with Buggy() as buggy:
        response = client.get(f"{buggy.url}/x")

    assert response.status_code == 500
    assert "ZeroDivisionError" in capsys.readouterr().err


def _quietly(call, *args, **kwargs):
    with contextlib.suppress(httpx.HTTPError):
        call(*args, **kwargs)
