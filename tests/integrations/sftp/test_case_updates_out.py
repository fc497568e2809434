"""A resident's reply, reopening or "not fixed" is written beside the case's batch on the SFTP
drop: the update's files, then its JSON, each uploaded under a hidden name and renamed into
place, so a retry rewrites the same names and the drop holds one update, never two."""

import hashlib

import pytest

from integrations.base import DeliveryFile, PermanentError, Progress, TransientError
from integrations.simulators.sftp import SFTPSimulator
from tests.integrations.case_files import jpeg, pdf
from tests.integrations.updates_out import SENT_AT, an_update

PHOTO = DeliveryFile.from_bytes("photo", "still there.jpg", "image/jpeg", jpeg())
LETTER = DeliveryFile.from_bytes("letter", "letter.pdf", "application/pdf", pdf())


@pytest.fixture
def case(adapter) -> str:
    (reference,) = adapter.deliver_batch([({"name": "A resident"}, "case-key")], "batch-3").values()
    return reference


def test_an_update_and_its_files_are_written_beside_the_case(sim: SFTPSimulator, adapter, case):
    sim.clear_events()

    answer = adapter.send_update(case, an_update(PHOTO, LETTER), "update-key")

    assert answer == "batch-3/updates/upd-0001.json"
    files = sim.files()
    assert files["drop/batch-3/updates/upd-0001/still there.jpg"] == PHOTO.read()
    assert files["drop/batch-3/updates/upd-0001/letter.pdf"] == LETTER.read()
    assert sim.case_updates()["drop/batch-3/updates/upd-0001.json"] == {
        "reference": case,
        "portal_key": "update-key",
        "update_id": "upd-0001",
        "kind": "reply",
        "text": "The pothole is about 30 cm across; photos attached.",
        "sent_at": SENT_AT.isoformat().replace("+00:00", "Z"),
        "files": [
            {
                "path": "batch-3/updates/upd-0001/still there.jpg",
                "bytes": PHOTO.size,
                "sha256": PHOTO.sha256,
            },
            {
                "path": "batch-3/updates/upd-0001/letter.pdf",
                "bytes": LETTER.size,
                "sha256": LETTER.sha256,
            },
        ],
    }
    renames = [e.target for e in sim.events if e.kind == "rename"]
    assert renames[-1] == "drop/batch-3/updates/upd-0001.json"  # last: the files are there
    assert not any(name.rsplit("/", 1)[-1].startswith(".") for name in files)


def test_an_update_id_that_is_no_safe_file_name_is_hashed(sim, adapter, case):
    answer = adapter.send_update(case, an_update(update_id="../x y"), "k")

    assert answer == f"batch-3/updates/{hashlib.sha256(b'../x y').hexdigest()}.json"


def test_an_answer_lost_after_a_rename_then_the_retry_leaves_one_update(sim, adapter, case):
    # The first rename (the photo's) is done, and its answer lost
    sim.set_faults(drop_after_rename=True)
    progress = Progress()
    with pytest.raises(TransientError):
        adapter.send_update(case, an_update(PHOTO, LETTER), "dropped", progress)
    assert sim.drops == 1
    assert not progress.done(PHOTO)

    adapter.resend_update(case, an_update(PHOTO, LETTER), "dropped", progress)

    # The retry rewrote the photo under its one name: the drop holds each file once
    assert list(sim.case_updates()) == ["drop/batch-3/updates/upd-0001.json"]
    assert sorted(p for p in sim.files() if "/updates/" in p) == [
        "drop/batch-3/updates/upd-0001.json",
        "drop/batch-3/updates/upd-0001/letter.pdf",
        "drop/batch-3/updates/upd-0001/still there.jpg",
    ]


def test_files_an_earlier_attempt_was_told_of_are_not_sent_again(sim, adapter, case):
    progress = Progress()
    progress.record_file(PHOTO, "batch-3/updates/upd-0001/still there.jpg")
    sim.clear_events()

    adapter.resend_update(case, an_update(PHOTO, LETTER), "again", progress)

    opened = [e.path for e in sim.events if e.kind == "open"]
    assert not any("still there" in path for path in opened)
    listed = sim.case_updates()["drop/batch-3/updates/upd-0001.json"]["files"]
    assert [f["sha256"] for f in listed] == [PHOTO.sha256, LETTER.sha256]


def test_a_retry_after_a_drop_mid_upload_rewrites_the_same_names(sim, adapter, case):
    sim.set_faults(drop_after_bytes=50)
    with pytest.raises(TransientError):
        adapter.send_update(case, an_update(PHOTO), "mid")

    adapter.resend_update(case, an_update(PHOTO), "mid")

    assert list(sim.case_updates()) == ["drop/batch-3/updates/upd-0001.json"]
    assert sim.files()["drop/batch-3/updates/upd-0001/still there.jpg"] == PHOTO.read()


def test_a_reference_this_drop_did_not_make_is_permanent(sim, adapter):
    with pytest.raises(PermanentError, match="no batch"):
        adapter.send_update("NOT-A-BATCH", an_update(), "k")


def test_a_read_only_drop_is_permanent(sim, adapter, case):
    sim.set_faults(read_only=True)
    with pytest.raises(PermanentError):
        adapter.send_update(case, an_update(), "k")
