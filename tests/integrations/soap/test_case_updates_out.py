"""A resident's reply, reopening or "not fixed" reaches the SOAP case system as AddNote on the
case, its files by AddAttachment, each exactly once. ClientReference is not unique (as in most
such systems), so every attempt after the first looks the note and the files up first."""

import pytest

from integrations.base import DeliveryFile, PermanentError, Progress, TransientError
from integrations.simulators.soap_case import SoapCaseSimulator
from integrations.soap.adapter import SoapCaseAdapter, attachment_reference
from tests.integrations.case_files import jpeg, pdf
from tests.integrations.updates_out import an_update

PAYLOAD = {"ServiceCode": "FLY_TIPPING", "Description": "Mattress in the lay-by"}
PHOTO = DeliveryFile.from_bytes("photo", "still there.jpg", "image/jpeg", jpeg())
LETTER = DeliveryFile.from_bytes("letter", "letter.pdf", "application/pdf", pdf())


@pytest.fixture
def case(sim: SoapCaseSimulator, adapter) -> str:
    reference = adapter.deliver(PAYLOAD, "case-key")
    sim.clear_requests()
    return reference


def test_a_reply_is_a_note_on_the_case_and_its_files_attachments(sim, adapter, case):
    answer = adapter.send_update(case, an_update(PHOTO, LETTER), "update-key")

    (note,) = sim.notes_of(case)
    assert answer == note["note_id"]
    assert note["client_reference"] == "update-key"
    assert note["note_type"] == "reply"
    assert note["text"] == "The pothole is about 30 cm across; photos attached."
    assert note["sent_at"] == "2026-12-05T10:30:00Z"
    attached = sim.attachments_of(case)
    assert [(a["file_name"], a["sha256"]) for a in attached] == [
        ("still there.jpg", PHOTO.sha256),
        ("letter.pdf", LETTER.sha256),
    ]
    assert [a["client_reference"] for a in attached] == [
        attachment_reference("update-key", PHOTO),
        attachment_reference("update-key", LETTER),
    ]
    # The first attempt has nothing to look up
    assert sim.calls("GetCaseNotes") == sim.calls("GetCaseAttachments") == 0


@pytest.mark.parametrize("kind", ["reopen", "not_fixed"])
def test_reopen_and_not_fixed_are_note_types(sim, adapter, case, kind):
    adapter.send_update(case, an_update(kind=kind, text="Still there"), f"k-{kind}")

    assert [n["note_type"] for n in sim.notes_of(case)] == [kind]


def test_an_answer_dropped_after_commit_then_the_retry_adopts_the_note(sim, adapter, case):
    update = an_update(PHOTO, LETTER)
    progress = Progress()
    sim.set_faults(drop_response=True, times=1)  # AddNote is saved, its answer lost

    with pytest.raises(TransientError) as lost:
        adapter.send_update(case, update, "dropped", progress)
    assert lost.value.retry_after is not None  # unanswered: the lookup waits
    again = adapter.resend_update(case, update, "dropped", progress)

    (note,) = sim.notes_of(case)
    assert again == note["note_id"]
    assert [a["sha256"] for a in sim.attachments_of(case)] == [PHOTO.sha256, LETTER.sha256]


def test_a_file_whose_answer_was_lost_is_adopted_not_attached_again(sim, adapter, case):
    update = an_update(PHOTO, LETTER)
    progress = Progress()
    adapter.send_update(case, an_update(), "lost-file", progress)  # the note, answered
    sim.set_faults(drop_response=True, times=1)  # the photo is attached, its answer lost
    with pytest.raises(TransientError):
        adapter.send_update(case, update, "lost-file", progress)

    adapter.resend_update(case, update, "lost-file", progress)

    assert len(sim.notes_of(case)) == 1
    assert [a["sha256"] for a in sim.attachments_of(case)] == [PHOTO.sha256, LETTER.sha256]


def test_a_failed_note_lookup_sends_nothing(sim, adapter, case):
    sim.set_soap_fault("Server.Unavailable", times=1, operation="GetCaseNotes")

    with pytest.raises(TransientError, match="not sent again"):
        adapter.resend_update(case, an_update(PHOTO), "unsure")

    assert sim.notes == []
    assert sim.attachments_of(case) == []


def test_without_the_lookup_a_repeat_would_double_which_is_why_it_exists(sim, adapter, case):
    adapter.send_update(case, an_update(), "twice")
    adapter.send_update(case, an_update(), "twice")

    assert len(sim.notes_of(case)) == 2  # the simulator forgives nothing


def test_an_update_its_progress_holds_sends_nothing_again(sim, adapter, case):
    progress = Progress()
    first = adapter.send_update(case, an_update(PHOTO), "held", progress)
    sim.clear_requests()

    assert adapter.resend_update(case, an_update(PHOTO), "held", progress) == first
    assert sim.calls("AddNote") == sim.calls("AddAttachment") == 0


def test_a_case_the_system_does_not_know_is_permanent(sim, adapter, case):
    with pytest.raises(PermanentError):
        adapter.send_update("CS-999999", an_update(), "k")


def test_the_systems_own_trouble_is_transient(sim, adapter, case):
    sim.set_soap_fault("Server.Unavailable", times=1, operation="AddNote")
    with pytest.raises(TransientError):
        adapter.send_update(case, an_update(), "k")
    assert sim.notes == []


def test_a_system_without_add_note_refuses_updates_before_sending_anything():
    with SoapCaseSimulator(username="u", password="p", notes=False) as sim:
        adapter = SoapCaseAdapter(
            SoapCaseAdapter.validate_config(
                {"wsdl_url": sim.wsdl_url, "username": "u", "password": "p"}
            )
        )
        case = adapter.deliver(PAYLOAD, "case-key")
        with pytest.raises(PermanentError, match="AddNote"):
            adapter.send_update(case, an_update(), "k")
        assert sim.notes == []


def test_a_note_type_the_system_does_not_know_is_refused_permanently(sim, adapter, case):
    with pytest.raises(PermanentError, match=r"Client\.Validation"):
        adapter.send_update(case, an_update(kind="thanks"), "k")
    assert sim.notes == []


def test_a_system_that_dedupes_client_references_answers_the_first_note(case):
    with SoapCaseSimulator(username="u", password="p", unique_client_reference=True) as sim:
        adapter = SoapCaseAdapter(
            SoapCaseAdapter.validate_config(
                {"wsdl_url": sim.wsdl_url, "username": "u", "password": "p"}
            )
        )
        reference = adapter.deliver(PAYLOAD, "case-key")
        first = adapter.send_update(reference, an_update(), "same")

        assert adapter.send_update(reference, an_update(), "same") == first
        assert len(sim.notes_of(reference)) == 1
