"""A resident's reply, reopening or "not fixed" reaches the Open311 server as FixMyStreet's update
extension posts a citizen's update (POST servicerequestupdates.json), its files as links fetched
once. The extension has no idempotency and the simulator, like a real server, makes a new update
per POST, so after an ambiguous attempt the adapter looks the update up and adopts it."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

import httpx
import pytest

from integrations.base import PermanentError, Progress, TransientError
from integrations.simulators.open311 import Open311Simulator
from tests.integrations.case_files import FileLinkServer, Served
from tests.integrations.open311.conftest import API_KEY
from tests.integrations.updates_out import an_update

REPORT = {"address_string": "12 Mill Lane", "description": "A pothole"}
POST_UPDATE = ("POST", "/open311/v2/servicerequestupdates.json")
LOOKUP = ("GET", "/open311/v2/servicerequestupdates.json")


@pytest.fixture
def links() -> Iterator[FileLinkServer]:
    with FileLinkServer() as server:
        yield server


@pytest.fixture
def case(sim: Open311Simulator, adapter) -> str:
    reference = adapter.deliver(REPORT, "case-key")
    sim.clear_requests()
    return reference


def calls(sim: Open311Simulator) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in sim.requests]


def facts(entry: dict) -> tuple:
    return (entry["status"], entry["name"], entry["content_type"], entry["size"], entry["sha256"])


def sent(served: Served) -> tuple:
    upload = served.upload
    return ("fetched", upload.name, upload.content_type, len(served.data), served.sha256)


def test_a_reply_is_posted_as_the_update_extension_posts_it(sim, adapter, case, links):
    photo, close_up, letter = links.case_files()
    update = an_update(photo.upload, close_up.upload, letter.upload)

    answer = adapter.send_update(case, update, "update-key")

    assert calls(sim) == [POST_UPDATE]
    form = dict(parse_qsl(sim.requests[0].body.decode()))
    assert form["api_key"] == API_KEY
    assert form["service_request_id"] == case
    assert form["update_id"] == "upd-0001"
    assert form["status"] == "OPEN"
    assert form["updated_datetime"] == "2026-12-05T10:30:00Z"
    assert form["media_url"] == photo.upload.signed_url()
    assert form["description"].startswith(update.text)
    assert form["description"].endswith("Portal update: update-key")
    (posted,) = sim.client_updates
    assert answer == posted["update_id"]
    assert posted["client_update_id"] == "upd-0001"
    sim.wait_for_files()
    (posted,) = sim.client_updates
    assert [facts(f) for f in posted["files"]] == [sent(photo), sent(close_up), sent(letter)]
    assert [links.fetches(f) for f in (photo, close_up, letter)] == [1, 1, 1]


def test_a_reopening_reopens_a_closed_request(sim, adapter, case):
    sim.add_update(case, "closed", "Repaired")

    adapter.send_update(case, an_update(kind="reopen", text="It has opened up again"), "reopen")

    (record,) = sim.records
    assert record["status"] == "open"


def test_an_answer_dropped_after_commit_then_the_retry_adopts_the_update(sim, adapter, case, links):
    photo, _, _ = links.case_files()
    update = an_update(photo.upload)
    sim.set_faults(drop_response=True, times=1)

    with pytest.raises(TransientError) as lost:
        adapter.send_update(case, update, "dropped-key")
    assert lost.value.retry_after is not None  # the lookup waits for the server to finish
    sim.clear_requests()
    again = adapter.resend_update(case, update, "dropped-key", Progress())

    assert calls(sim) == [LOOKUP]
    assert sim.client_update_count("upd-0001") == 1
    assert again == sim.client_updates[0]["update_id"]
    sim.wait_for_files()
    assert links.fetches(photo) == 1


def test_a_retry_that_finds_nothing_posts_once(sim, adapter, case):
    adapter.send_update(case, an_update(update_id="other"), "other-key")
    sim.clear_requests()

    adapter.resend_update(case, an_update(), "missing-key")

    assert calls(sim) == [LOOKUP, POST_UPDATE]
    assert sim.client_update_count("upd-0001") == 1
    lookup = sim.requests[0].query
    assert lookup["service_request_id"] == [case]
    start = datetime.fromisoformat(lookup["start_date"][0])
    assert start <= datetime(2026, 12, 5, 10, 30, tzinfo=UTC) - timedelta(minutes=14)


def test_a_failed_lookup_sends_nothing(sim, adapter, case):
    sim.set_faults(error_rate=1.0, times=1)

    with pytest.raises(TransientError, match="not sent again"):
        adapter.resend_update(case, an_update(), "unsure-key")

    assert calls(sim) == [LOOKUP]
    assert sim.client_updates == []


def test_without_idempotency_a_blind_repeat_would_double_which_is_why_the_lookup_exists(
    sim, adapter, case
):
    adapter.send_update(case, an_update(), "twice")
    adapter.send_update(case, an_update(), "twice")

    assert sim.client_update_count("upd-0001") == 2  # the simulator forgives nothing


def test_an_update_its_progress_holds_is_not_sent_again(sim, adapter, case):
    progress = Progress()
    first = adapter.send_update(case, an_update(), "held", progress)
    sim.clear_requests()

    assert adapter.resend_update(case, an_update(), "held", progress) == first
    assert sim.requests == []


def test_an_unknown_request_is_permanent(sim, adapter, case):
    with pytest.raises(PermanentError):
        adapter.send_update("999999", an_update(), "unknown")


def test_server_errors_and_429_are_transient(sim, adapter, case):
    sim.set_faults(error_rate=1.0, error_status=503, times=1)
    with pytest.raises(TransientError):
        adapter.send_update(case, an_update(), "flaky")
    sim.set_faults(rate_limit=20, times=1)
    with pytest.raises(TransientError) as limited:
        adapter.send_update(case, an_update(), "flaky")
    assert limited.value.retry_after == 20
    assert sim.client_updates == []


def test_the_portals_own_updates_are_not_read_back_as_status_news(sim, adapter, case):
    adapter.send_update(case, an_update(), "own")
    sim.add_update(case, "in_progress", "Inspector booked")

    news = adapter.fetch_updates(datetime.now(UTC) - timedelta(hours=1))

    assert [u.status for u in news] == ["in_progress"]


def test_other_processes_see_the_updates_at_records(sim, adapter, case):
    adapter.send_update(case, an_update(), "seen")

    answer = httpx.get(f"{sim.url}/_records", params={"key": "case-key"}).json()

    assert [u["client_update_id"] for u in answer["updates"]] == ["upd-0001"]
    assert httpx.get(f"{sim.url}/_records", params={"key": "other"}).json()["updates"] == []


# --- The simulator's half of the extension -------------------------------------------------------

GOOD = {
    "api_key": API_KEY,
    "update_id": "u-1",
    "status": "OPEN",
    "updated_datetime": "2026-12-05T10:30:00Z",
    "description": "Still there",
}


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"api_key": "wrong"}, 403, "api_key"),
        ({"service_request_id": "999999"}, 404, "not found"),
        ({"update_id": ""}, 400, "update_id"),
        ({"status": "MAYBE"}, 400, "status"),
        ({"updated_datetime": "yesterday"}, 400, "updated_datetime"),
        ({"updated_datetime": "2026-12-05T10:30:00"}, 400, "time zone"),
    ],
)
def test_the_simulator_refuses_a_bad_update_as_the_spec_says_errors(
    sim, case, change, status, says
):
    form = {**GOOD, "service_request_id": case, **change}

    answer = httpx.post(f"{sim.endpoint}/servicerequestupdates.json", data=form)

    assert answer.status_code == status
    (error,) = answer.json()
    assert error["code"] == status
    assert says in error["description"]
    assert sim.client_updates == []


def test_the_simulator_lists_updates_of_one_request_only(sim, adapter, case):
    other = adapter.deliver(REPORT, "other-case")
    for reference in (case, other):
        httpx.post(
            f"{sim.endpoint}/servicerequestupdates.json",
            data={**GOOD, "service_request_id": reference},
        )

    listed = httpx.get(
        f"{sim.endpoint}/servicerequestupdates.json", params={"service_request_id": case}
    ).json()

    assert [u["service_request_id"] for u in listed] == [case]
    assert set(listed[0]) == {
        "update_id",
        "service_request_id",
        "status",
        "description",
        "updated_datetime",
        "external_status_code",
        "media_url",
    }
