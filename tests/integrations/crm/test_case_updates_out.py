"""A resident's reply, reopening or "not fixed" reaches the CRM as a note on the case (its text)
and a note per file, each exactly once; Dynamics has no key for notes, so every attempt after
the first looks each note up by its subject before sending it."""

import pytest

from integrations.base import PermanentError, Progress, TransientError
from integrations.simulators.crm import CRMSimulator
from tests.integrations.crm.conftest import adapter_for, two_photos_and_a_pdf
from tests.integrations.updates_out import an_update

NOTES_PATH = "/api/data/v9.2/annotations"


@pytest.fixture
def case(sim: CRMSimulator, adapter) -> str:
    reference = adapter.deliver({"title": "Fly-tipping"}, "case-key")
    sim.clear_requests()
    return reference


def note_calls(sim: CRMSimulator) -> list[str]:
    return [r.method for r in sim.requests if r.path == NOTES_PATH]


def test_a_reply_is_a_note_on_the_case_and_each_file_a_note_once(sim, adapter, case):
    files = two_photos_and_a_pdf()

    answer = adapter.send_update(case, an_update(*files), "update-key")

    text, *attached = sim.notes
    assert answer == text["id"]
    assert text["case_id"] == case
    assert text["subject"] == "Portal update (reply) update-key"
    assert "The pothole is about 30 cm across" in text["notetext"]
    assert text["size"] is None
    assert [(n["filename"], n["sha256"]) for n in attached] == [(f.name, f.sha256) for f in files]
    assert {n["case_id"] for n in attached} == {case}
    assert note_calls(sim) == ["POST"] * 4  # the first attempt has nothing to look up


def test_an_answer_dropped_after_commit_then_the_retry_makes_one_of_each_note(sim, adapter, case):
    files = two_photos_and_a_pdf()
    update = an_update(*files)
    progress = Progress()
    sim.set_faults(drop_response=True, times=1)  # the text note is saved, its answer lost

    with pytest.raises(TransientError):
        adapter.send_update(case, update, "dropped", progress)
    assert progress.reference == ""
    again = adapter.resend_update(case, update, "dropped", progress)

    assert len(sim.notes) == 4
    assert again == sim.notes[0]["id"]
    assert [n["sha256"] for n in sim.notes[1:]] == [f.sha256 for f in files]


def test_a_file_note_whose_answer_was_lost_is_adopted_not_sent_again(sim, adapter, case):
    files = two_photos_and_a_pdf()
    progress = Progress()
    adapter.send_update(case, an_update(), "lost-file", progress)
    sim.set_faults(drop_response=True, times=1)
    with pytest.raises(TransientError):  # the first file's note is saved, and no one hears
        adapter.send_update(case, an_update(*files), "lost-file", progress)
    assert len(sim.notes) == 2
    sim.clear_requests()

    adapter.resend_update(case, an_update(*files), "lost-file", progress)

    assert [n["sha256"] for n in sim.notes[1:]] == [f.sha256 for f in files]
    assert note_calls(sim) == ["GET", "GET", "POST", "GET", "POST"]


def test_a_failed_lookup_sends_nothing(sim, adapter, case):
    sim.set_faults(error_rate=1.0, times=1)

    with pytest.raises(TransientError, match="not sent again"):
        adapter.resend_update(case, an_update(), "unsure")

    assert sim.notes == []


def test_an_update_its_progress_holds_sends_nothing_again(sim, adapter, case):
    progress = Progress()
    first = adapter.send_update(case, an_update(*two_photos_and_a_pdf()), "held", progress)
    sim.clear_requests()

    again = adapter.resend_update(case, an_update(*two_photos_and_a_pdf()), "held", progress)
    assert again == first
    assert note_calls(sim) == []


def test_a_case_that_does_not_exist_is_permanent(sim, adapter):
    with pytest.raises(PermanentError):
        adapter.send_update("7d9b0c3e-1111-4222-8333-444455556666", an_update(), "k")


def test_429_is_transient_with_retry_after(sim, adapter, case):
    sim.set_faults(rate_limit=12, times=1)
    with pytest.raises(TransientError) as limited:
        adapter.send_update(case, an_update(), "k")
    assert limited.value.retry_after == 12
    assert sim.notes == []


# --- Salesforce ----------------------------------------------------------------------------------


@pytest.fixture
def salesforce_case(salesforce: CRMSimulator) -> str:
    reference = adapter_for(salesforce).deliver({"Subject": "Fly-tipping"}, "sf-case-key")
    salesforce.clear_requests()
    return reference


def test_salesforce_takes_the_update_as_a_note_on_the_record(salesforce, salesforce_case):
    answer = adapter_for(salesforce).send_update(salesforce_case, an_update(), "sf-key")

    (note,) = salesforce.notes
    assert answer == note["id"]
    assert note["case_id"] == salesforce_case
    assert note["subject"] == "Portal update (reply) sf-key"
    assert "The pothole is about 30 cm across" in note["notetext"]


def test_salesforce_after_a_lost_answer_the_retry_finds_the_note(salesforce, salesforce_case):
    adapter = adapter_for(salesforce)
    salesforce.set_faults(drop_response=True, times=1)
    with pytest.raises(TransientError):
        adapter.send_update(salesforce_case, an_update(kind="reopen"), "sf-lost")

    again = adapter.resend_update(salesforce_case, an_update(kind="reopen"), "sf-lost")

    (note,) = salesforce.notes
    assert again == note["id"]


def test_salesforce_a_retry_that_finds_nothing_sends_once(salesforce, salesforce_case):
    adapter_for(salesforce).resend_update(salesforce_case, an_update(), "sf-new")

    assert [r.method for r in salesforce.requests if "/query" in r.path or "Note" in r.path] == [
        "GET",
        "POST",
    ]
    assert len(salesforce.notes) == 1


def sf_calls(sim: CRMSimulator) -> list[str]:
    """What Salesforce was asked, oldest first: "Note", "ContentVersion", or "query <object>"."""
    calls = []
    for r in sim.requests:
        if r.path.endswith("/query"):
            calls.append(f"query {(r.param('q') or '').split()[3]}")
        elif "/sobjects/" in r.path and r.method == "POST":
            calls.append(r.path.rsplit("/", 1)[1])
    return calls


def test_salesforce_takes_an_update_with_files_as_a_note_then_a_file_each(
    salesforce, salesforce_case
):
    files = two_photos_and_a_pdf()
    progress = Progress()

    answer = adapter_for(salesforce).send_update(
        salesforce_case, an_update(*files), "sf-files", progress
    )

    (note,) = salesforce.notes
    assert answer == note["id"] == progress.reference
    stored = salesforce.files
    assert [(f["name"], f["sha256"]) for f in stored] == [(f.name, f.sha256) for f in files]
    assert {f["case_id"] for f in stored} == {salesforce_case}
    assert [f["description"] for f in stored] == [
        f"Portal file {f.id} of sf-files (SHA-256 {f.sha256[:16]})" for f in files
    ]
    assert progress.files == {f.id: s["id"] for f, s in zip(files, stored, strict=True)}
    # the first attempt has nothing to look up
    assert sf_calls(salesforce) == ["Note", "ContentVersion", "ContentVersion", "ContentVersion"]


def test_salesforce_a_file_whose_answer_was_lost_is_adopted_on_the_resend(
    salesforce, salesforce_case
):
    # Given an update whose note went, and whose first file Salesforce saved unheard
    adapter = adapter_for(salesforce)
    files = two_photos_and_a_pdf()
    progress = Progress()
    adapter.send_update(salesforce_case, an_update(), "sf-lost-file", progress)
    salesforce.set_faults(drop_response=True, times=1)
    with pytest.raises(TransientError):
        adapter.send_update(salesforce_case, an_update(*files), "sf-lost-file", progress)
    assert len(salesforce.files) == 1
    salesforce.clear_requests()

    # When it is sent again
    adapter.resend_update(salesforce_case, an_update(*files), "sf-lost-file", progress)

    # Then the note is not sent again, the first file is found, and the others sent once each
    assert len(salesforce.notes) == 1
    assert [f["sha256"] for f in salesforce.files] == [f.sha256 for f in files]
    assert sf_calls(salesforce) == [
        "query ContentVersion",
        "query ContentVersion",
        "ContentVersion",
        "query ContentVersion",
        "ContentVersion",
    ]


def test_salesforce_a_failed_file_lookup_sends_nothing(salesforce, salesforce_case):
    progress = Progress()
    adapter = adapter_for(salesforce)
    adapter.send_update(salesforce_case, an_update(), "sf-unsure", progress)
    salesforce.set_faults(error_rate=1.0, times=1)

    with pytest.raises(TransientError, match="not sent again"):
        adapter.resend_update(
            salesforce_case, an_update(*two_photos_and_a_pdf()), "sf-unsure", progress
        )

    assert salesforce.files == []
