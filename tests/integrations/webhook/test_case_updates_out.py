"""A resident's reply, reopening or "not fixed" reaches the webhook receiver as a case.update
event on the case, with its files once, under the update's Idempotency-Key."""

from collections.abc import Iterator

import pytest

from integrations.base import PermanentError, Progress, TransientError
from integrations.simulators.webhook import WebhookSimulator
from integrations.webhook.adapter import WebhookAdapter
from tests.integrations.case_files import FileLinkServer, Served
from tests.integrations.updates_out import SENT_AT, an_update


@pytest.fixture
def links() -> Iterator[FileLinkServer]:
    with FileLinkServer() as server:
        yield server


@pytest.fixture
def case(adapter: WebhookAdapter) -> str:
    return adapter.deliver({"details": "A pothole"}, "case-key")


def facts(entry: dict) -> tuple:
    return (entry["name"], entry["content_type"], entry["size"], entry["sha256"])


def sent(served: Served) -> tuple:
    return (served.upload.name, served.upload.content_type, len(served.data), served.sha256)


def test_a_reply_is_an_event_on_the_case_with_its_files_each_fetched_once(
    sim: WebhookSimulator, adapter, case, links
):
    photo, _, letter = links.case_files()

    answer = adapter.send_update(case, an_update(photo.upload, letter.upload), "update-key")

    (update,) = sim.updates
    assert answer == update["id"]
    assert update["reference"] == case
    assert update["idempotency_key"] == "update-key"
    data = update["data"]
    assert data["event"] == "case.update"
    assert data["update"] == {
        "id": "upd-0001",
        "kind": "reply",
        "text": "The pothole is about 30 cm across; photos attached.",
        "sent_at": SENT_AT.isoformat().replace("+00:00", "Z"),
    }
    sim.wait_for_files()
    assert [facts(f) for f in sim.updates[0]["files"]] == [sent(photo), sent(letter)]
    assert [links.fetches(f) for f in (photo, letter)] == [1, 1]
    assert len(sim.records) == 1  # the case, unchanged: an update is not a new record


@pytest.mark.parametrize("kind", ["reopen", "not_fixed"])
def test_reopen_and_not_fixed_say_their_kind(sim, adapter, case, kind):
    adapter.send_update(case, an_update(kind=kind, text="Still there"), f"key-{kind}")

    assert sim.updates[0]["data"]["update"]["kind"] == kind


def test_an_answer_dropped_after_commit_then_the_retry_makes_one_update_and_one_fetch(
    sim, adapter, case, links
):
    photo, _, _ = links.case_files()
    update = an_update(photo.upload)
    sim.set_faults(drop_response=True, times=1)

    with pytest.raises(TransientError):
        adapter.send_update(case, update, "dropped-key")
    again = adapter.resend_update(case, update, "dropped-key", Progress())

    assert sim.update_count_for("dropped-key") == 1
    assert again == sim.updates[0]["id"]
    sim.wait_for_files()
    assert links.fetches(photo) == 1


def test_an_update_its_progress_already_holds_is_not_sent_again(sim, adapter, case):
    progress = Progress()
    first = adapter.send_update(case, an_update(), "held-key", progress)
    sim.clear_requests()

    assert adapter.resend_update(case, an_update(), "held-key", progress) == first
    assert sim.requests == []


def test_an_update_to_a_case_the_receiver_does_not_know_is_permanent(sim, adapter):
    with pytest.raises(PermanentError) as failure:
        adapter.send_update("WH-999999", an_update(), "unknown-case")
    assert failure.value.status_code == 404


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_transient_and_429_carries_retry_after(sim, adapter, case, status):
    sim.set_faults(error_rate=1.0, error_status=status, times=1)
    with pytest.raises(TransientError):
        adapter.send_update(case, an_update(), "flaky-key")

    sim.set_faults(rate_limit=30, times=1)
    with pytest.raises(TransientError) as limited:
        adapter.send_update(case, an_update(), "flaky-key")
    assert limited.value.retry_after == 30

    adapter.send_update(case, an_update(), "flaky-key")
    assert sim.update_count_for("flaky-key") == 1
