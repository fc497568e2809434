"""The resident's files reach a Dynamics CRM as notes (annotations) on the case, each exactly once,
and a retry resumes where the last attempt stopped: against the CRM simulator over loopback, no
mocks. Salesforce's files (ContentVersions): test_salesforce_files.py."""

import base64
import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from integrations.base import DeliveryFile, PermanentError, Progress, TransientError
from integrations.simulators.crm import CRMSimulator
from tests.integrations.crm.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    adapter_for,
    pdf_bytes,
    two_photos_and_a_pdf,
)

KEY = "0b6f3c9a-8d2e-4f71-a5c4-3e9d2b1f7a60"
CASE = {"title": "Fly-tipping on Mill Lane", "description": "Three mattresses by the gate"}
NOTES_PATH = "/api/data/v9.2/annotations"


class ProgressThen(Progress):
    """Progress that does `then()` once, just after the file with id `after` is recorded: how a
    test makes the back office misbehave at one chosen point of a delivery."""

    def __init__(self, after: str, then: Callable[[], None]) -> None:
        super().__init__()
        self.after, self.then = after, then

    def record_file(self, upload: DeliveryFile, remote_id: str = "") -> None:
        super().record_file(upload, remote_id)
        if upload.id == self.after:
            self.then()
            self.then = lambda: None


def note_calls(sim: CRMSimulator) -> list[str]:
    """The note requests the CRM received, oldest first: "POST" or "GET"."""
    return [r.method for r in sim.requests if r.path == NOTES_PATH]


def case_saves(sim: CRMSimulator) -> int:
    return sum(1 for r in sim.requests if r.method == "PATCH")


# --- Arriving ------------------------------------------------------------------------------------


def test_two_photos_and_a_pdf_arrive_as_three_notes_on_the_case_byte_identical(sim, adapter):
    files = two_photos_and_a_pdf()
    progress = Progress()

    reference = adapter.deliver({**CASE, "files": files}, KEY, progress)

    (case,) = sim.records
    assert reference == case["id"]
    assert case["data"] == CASE  # the files are notes, never a column
    notes = sim.notes
    assert [(n["filename"], n["mimetype"], n["size"], n["sha256"]) for n in notes] == [
        (f.name, f.content_type, f.size, f.sha256) for f in files
    ]
    assert {n["case_id"] for n in notes} == {reference}
    assert progress.reference == reference
    assert progress.files == {f.id: n["id"] for f, n in zip(files, notes, strict=True)}


def test_each_note_says_what_it_is_and_is_bound_to_the_case_dynamics_style(sim, adapter):
    (photo, *_) = two_photos_and_a_pdf()

    reference = adapter.deliver({**CASE, "files": [photo]}, KEY)

    (post,) = [r for r in sim.requests if r.path == NOTES_PATH]
    note = post.json()
    assert note["objectid_incident@odata.bind"] == f"/incidents({reference})"
    assert note["isdocument"] is True
    assert base64.b64decode(note["documentbody"]) == photo.read()
    assert note["subject"] == f"Portal file photo of {KEY} (SHA-256 {photo.sha256[:16]})"
    assert "fly-tipping.jpg" in note["notetext"]


def test_files_anywhere_in_the_payload_become_notes_and_an_empty_files_field_is_no_column(
    sim, adapter
):
    photo, _, letter = two_photos_and_a_pdf()

    adapter.deliver({**CASE, "mc_photo": photo, "proof": [letter], "files": None}, KEY)

    assert sim.records[0]["data"] == CASE
    assert [n["filename"] for n in sim.notes] == ["fly-tipping.jpg", "letter.pdf"]


def test_a_file_in_two_fields_is_sent_once(sim, adapter):
    photo, *_ = two_photos_and_a_pdf()

    adapter.deliver({**CASE, "files": [photo], "mc_photo": photo}, KEY)

    assert len(sim.notes) == 1


def test_notes_are_bound_by_the_table_the_connection_writes_to():
    with CRMSimulator(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        entity_set="cr4d1_requests",
        id_attribute="cr4d1_requestid",
    ) as sim:
        reference = adapter_for(sim).deliver({"files": two_photos_and_a_pdf()[:1]}, KEY)

        (post,) = [r for r in sim.requests if r.path == NOTES_PATH]
        assert post.json()["objectid_cr4d1_request@odata.bind"] == f"/cr4d1_requests({reference})"
        assert sim.notes[0]["case_id"] == reference


# --- Resuming ------------------------------------------------------------------------------------


def test_the_case_reference_is_kept_before_any_file_is_sent(sim, adapter):
    saved: list[tuple[str, dict[str, str]]] = []

    class Kept(Progress):
        def save(self) -> None:
            saved.append((self.reference, dict(self.files)))
            # By the time the progress is kept, nothing of the next step has reached the CRM.
            assert len(sim.notes) == len(self.files)

    reference = adapter.deliver({**CASE, "files": two_photos_and_a_pdf()}, KEY, Kept())

    assert saved[0] == (reference, {})
    assert [len(files) for _, files in saved] == [0, 1, 2, 3]


def test_a_failure_on_the_third_file_resumes_at_the_third_file(sim, adapter):
    # Given a CRM that fails the request after the second file is accepted
    files = two_photos_and_a_pdf()
    payload = {**CASE, "files": files}
    progress = ProgressThen("close_up", lambda: sim.set_faults(error_rate=1.0, times=1))
    with pytest.raises(TransientError):
        adapter.deliver(payload, KEY, progress)
    assert [n["filename"] for n in sim.notes] == ["fly-tipping.jpg", "close up.png"]
    sim.clear_requests()

    # When the delivery is tried again with what the first attempt got done
    reference = adapter.deliver(payload, KEY, progress)

    # Then only the third file is sent: the case is not saved again, files 1-2 not re-sent
    assert case_saves(sim) == 0
    assert note_calls(sim) == ["GET", "POST"]  # looked up (the case is not new), then sent
    assert (sim.creates, sim.updates) == (1, 0)
    assert [(n["filename"], n["sha256"]) for n in sim.notes] == [(f.name, f.sha256) for f in files]
    assert progress.reference == reference
    assert set(progress.files) == {"photo", "close_up", "evidence"}


def test_a_note_saved_whose_answer_was_lost_is_adopted_not_sent_again(sim, make_adapter):
    # Given a CRM that saves the second note and hangs up before answering
    adapter = make_adapter(unanswered_wait=45)
    payload = {**CASE, "files": two_photos_and_a_pdf()}
    progress = ProgressThen("photo", lambda: sim.set_faults(drop_response=True, times=1))
    with pytest.raises(TransientError) as lost:
        adapter.deliver(payload, KEY, progress)
    assert len(sim.notes) == 2  # the CRM has it; the portal never heard
    assert "close_up" not in progress.files
    # the note may still be being saved: the next attempt waits before looking for it
    assert lost.value.retry_after == 45

    # When the delivery is tried again
    adapter.deliver(payload, KEY, progress)

    # Then the second note is found and adopted, and each file is on the case exactly once
    notes = sim.notes
    assert [n["filename"] for n in notes] == ["fly-tipping.jpg", "close up.png", "letter.pdf"]
    assert progress.files["close_up"] == notes[1]["id"]
    assert case_saves(sim) == 1


def test_a_retry_that_lost_all_progress_still_adds_no_second_note(sim, adapter):
    # Given a delivery whose case and notes were all made, but whose progress was never kept
    payload = {**CASE, "files": two_photos_and_a_pdf()}
    adapter.deliver(payload, KEY, Progress())

    # When it is tried again from nothing
    progress = Progress()
    reference = adapter.deliver(payload, KEY, progress)

    # Then the upsert finds the case and each note is found by its subject
    assert (sim.creates, sim.updates) == (1, 1)
    assert len(sim.notes) == 3
    assert progress.files == {n["subject"].split()[2]: n["id"] for n in sim.notes}
    assert progress.reference == reference


def test_a_failed_lookup_sends_nothing(sim, adapter):
    # Given a case an earlier attempt made, and a CRM that cannot answer the lookup
    progress = Progress()
    adapter.deliver(CASE, KEY, progress)
    sim.clear_requests()
    sim.set_faults(error_rate=1.0, times=1)

    # When a file is to be added to it
    with pytest.raises(TransientError) as failure:
        adapter.deliver({**CASE, "files": two_photos_and_a_pdf()}, KEY, progress)

    # Then no note is sent blind, and people are told why
    assert note_calls(sim) == ["GET"]
    assert sim.notes == []
    assert failure.value.message.startswith("ambiguous:")
    assert progress.files == {}


def test_a_lookup_the_crm_refuses_is_permanent_and_sends_nothing(sim, adapter):
    progress = Progress()
    adapter.deliver(CASE, KEY, progress)
    sim.set_faults(error_rate=1.0, error_status=400, times=1)

    with pytest.raises(PermanentError, match=r"^ambiguous:"):
        adapter.deliver({**CASE, "files": two_photos_and_a_pdf()}, KEY, progress)

    assert "POST" not in note_calls(sim)


# --- Refusing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        {"files": [two_photos_and_a_pdf()[0], "a note"]},
        {"mc_photos": [two_photos_and_a_pdf()[0], "a note"]},
        # a file answer as it was before files became DeliveryFiles: it must not vanish unsent
        {"files": {"reference": "uploads/0123.jpg", "name": "fly-tipping.jpg"}},
    ],
)
def test_a_mapping_that_mixes_files_and_values_is_refused_before_anything_is_sent(
    sim, adapter, payload: dict[str, Any]
):
    with pytest.raises(PermanentError):
        adapter.deliver({**CASE, **payload}, KEY)

    assert sim.requests == []


def test_a_file_deleted_by_retention_fails_permanently_and_sends_no_note(sim, adapter):
    def gone() -> bytes:
        raise PermanentError("The file 'evidence' was deleted by retention")

    letter = DeliveryFile.from_bytes("evidence", "letter.pdf", "application/pdf", pdf_bytes())
    deleted = dataclasses.replace(letter, opener=gone)

    with pytest.raises(PermanentError, match="deleted by retention"):
        adapter.deliver({**CASE, "files": [deleted]}, KEY)

    assert sim.notes == []


def test_a_note_the_crm_refuses_is_permanent_and_names_the_file_by_its_id_only():
    with CRMSimulator(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, max_attachment_bytes=100
    ) as sim:
        photo, *_ = two_photos_and_a_pdf()

        with pytest.raises(PermanentError) as refused:
            adapter_for(sim).deliver({**CASE, "files": [photo]}, KEY)

    assert refused.value.message == "The CRM refused the note for file 'photo' (400 0x80044a02)"
    assert "fly-tipping" not in refused.value.excerpt
