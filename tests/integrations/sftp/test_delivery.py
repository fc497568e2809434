"""The batch file drop against a real SFTP server on loopback (asyncssh): no mocks."""

import csv
import hashlib
import io
import json
from typing import Any

import asyncssh
import pytest

from integrations.base import DeliveryFile, PermanentError, TransientError
from integrations.sftp.adapter import SFTPAdapter
from integrations.simulators.sftp import SFTPSimulator
from tests.file_samples import two_photos_and_a_pdf

ITEMS = [
    ({"reference": "MC-1", "old_address": "1 Mill Lane", "moving_on": "2026-12-01"}, "key-1"),
    ({"reference": "MC-2", "new_address": "2 Quay St", "people": ["Jo", "Sam"]}, "key-2"),
]


def renames(sim: SFTPSimulator) -> list[str]:
    return [event.target for event in sim.events if event.kind == "rename"]


# --- Success -------------------------------------------------------------------------------------


def test_a_batch_is_one_csv_of_every_field_then_its_manifest(sim, adapter):
    references = adapter.deliver_batch(ITEMS, "batch-7")

    assert references == {"key-1": "batch-7#1", "key-2": "batch-7#2"}
    files = sim.files()
    assert set(files) == {"drop/moving-home-batch-7.csv", "drop/moving-home-batch-7.manifest.json"}
    rows = list(csv.DictReader(io.StringIO(files["drop/moving-home-batch-7.csv"].decode())))
    assert rows == [
        {
            "portal_key": "key-1",
            "reference": "MC-1",
            "old_address": "1 Mill Lane",
            "moving_on": "2026-12-01",
            "new_address": "",
            "people": "",
        },
        {
            "portal_key": "key-2",
            "reference": "MC-2",
            "old_address": "",
            "moving_on": "",
            "new_address": "2 Quay St",
            "people": '["Jo", "Sam"]',
        },
    ]
    manifest = json.loads(files["drop/moving-home-batch-7.manifest.json"])
    data = files["drop/moving-home-batch-7.csv"]
    assert manifest == {
        "batch_id": "batch-7",
        "format": "csv",
        "data_file": "moving-home-batch-7.csv",
        "rows": 2,
        "keys": ["key-1", "key-2"],
        "files": [
            {
                "path": "moving-home-batch-7.csv",
                "bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        ],
    }


def test_json_lines_carry_each_submission_as_an_object(sim, make_adapter):
    make_adapter(format="jsonl").deliver_batch(ITEMS, "batch-8")

    lines = sim.files()["drop/moving-home-batch-8.jsonl"].decode().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"portal_key": "key-1", **ITEMS[0][0]},
        {"portal_key": "key-2", **ITEMS[1][0]},
    ]
    assert json.loads(sim.files()["drop/moving-home-batch-8.manifest.json"])["format"] == "jsonl"


def test_uploaded_files_go_first_then_the_data_then_the_manifest_last(sim, adapter, photo):
    meter, again = photo("meter.jpg", id="meter"), photo("meter.jpg", id="more")
    items = [({"reference": "MC-1", "meter": meter, "more": [again]}, "key-1")]

    adapter.deliver_batch(items, "batch-9")

    assert renames(sim) == [
        "drop/batch-9/files/1-meter.jpg",
        "drop/batch-9/files/1-meter-2.jpg",
        "drop/moving-home-batch-9.csv",
        "drop/moving-home-batch-9.manifest.json",
    ]
    files = sim.files()
    assert files["drop/batch-9/files/1-meter.jpg"] == meter.read()
    (row,) = csv.DictReader(io.StringIO(files["drop/moving-home-batch-9.csv"].decode()))
    assert row["meter"] == "batch-9/files/1-meter.jpg"
    assert row["more"] == '["batch-9/files/1-meter-2.jpg"]'
    listed = json.loads(files["drop/moving-home-batch-9.manifest.json"])["files"]
    assert [entry["path"] for entry in listed] == [
        "batch-9/files/1-meter.jpg",
        "batch-9/files/1-meter-2.jpg",
        "moving-home-batch-9.csv",
    ]
    for entry in listed:
        content = files[f"drop/{entry['path']}"]
        assert entry["sha256"] == hashlib.sha256(content).hexdigest()


def test_two_photos_and_a_pdf_arrive_byte_identical_beside_their_row(sim, make_adapter):
    # Given two submissions in one batch, the second with two photos and a letter
    adapter = make_adapter(format="jsonl")
    photo, close_up, letter = two_photos_and_a_pdf()
    items = [
        ({"reference": "MC-1", "evidence": []}, "key-1"),
        ({"reference": "MC-2", "photo": photo, "evidence": [close_up, letter]}, "key-2"),
    ]

    # When the batch is delivered
    adapter.deliver_batch(items, "batch-3")

    # Then the server holds each file once, byte-identical, named by its row's reference
    received = {r["path"]: r for r in sim.records()}
    for path, sent in [
        ("drop/batch-3/files/2-pothole.jpg", photo),
        ("drop/batch-3/files/2-close-up.png", close_up),
        ("drop/batch-3/files/2-letter.pdf", letter),
    ]:
        assert (received[path]["size"], received[path]["sha256"]) == (sent.size, sent.sha256)
    assert len([p for p in received if "/files/" in p]) == 3
    # and the row lists them where the mapping put them
    rows = [json.loads(line) for line in sim.files()["drop/moving-home-batch-3.jsonl"].splitlines()]
    assert rows[1]["photo"] == "batch-3/files/2-pothole.jpg"
    assert rows[1]["evidence"] == ["batch-3/files/2-close-up.png", "batch-3/files/2-letter.pdf"]


def test_a_file_that_can_no_longer_be_had_fails_the_batch_before_its_data_file(sim, adapter):
    def deleted() -> Any:
        raise PermanentError("The file 'gone.pdf' was deleted under the retention policy")

    gone = DeliveryFile("letter", "gone.pdf", "application/pdf", 3, "0" * 64, deleted, deleted)

    with pytest.raises(PermanentError, match="deleted under the retention policy"):
        adapter.deliver_batch([({"reference": "MC-1", "letter": gone}, "key-1")], "batch-4")

    assert not [path for path in sim.files() if path.endswith((".csv", ".manifest.json"))]


def test_every_file_is_written_under_a_temporary_name_and_renamed_into_place(sim, adapter):
    adapter.deliver_batch(ITEMS, "batch-10")

    written = [event.path for event in sim.events if event.kind in ("open", "write", "close")]
    assert written
    assert all(path.split("/")[-1].startswith(".") for path in written)
    assert all(path.endswith(".part") for path in written)
    assert [(e.path, e.target) for e in sim.events if e.kind == "rename"] == [
        ("drop/.moving-home-batch-10.csv.part", "drop/moving-home-batch-10.csv"),
        (
            "drop/.moving-home-batch-10.manifest.json.part",
            "drop/moving-home-batch-10.manifest.json",
        ),
    ]
    assert not any(name.endswith(".part") for name in sim.files())


# --- Idempotency ---------------------------------------------------------------------------------


def test_running_the_same_batch_again_overwrites_the_same_files(sim, adapter):
    first = adapter.deliver_batch(ITEMS, "batch-11")
    before = sim.files()

    again = adapter.deliver_batch(ITEMS, "batch-11")

    assert again == first
    assert sim.files() == before  # the same two files, nothing added
    assert len(renames(sim)) == 4


def test_a_drop_mid_upload_is_transient_and_the_retry_completes_the_batch(sim, adapter):
    # Given the server hangs up after 20 bytes of the data file
    sim.set_faults(drop_after_bytes=20)

    with pytest.raises(TransientError, match="connection failed"):
        adapter.deliver_batch(ITEMS, "batch-12")

    # Then only a hidden, half-written file is left, and no manifest
    assert sim.drops == 1
    assert set(sim.files()) == {"drop/.moving-home-batch-12.csv.part"}
    assert len(sim.files()["drop/.moving-home-batch-12.csv.part"]) == 20

    # When the batch is retried with the same id, it completes
    references = adapter.deliver_batch(ITEMS, "batch-12")

    assert references == {"key-1": "batch-12#1", "key-2": "batch-12#2"}
    files = sim.files()
    assert set(files) == {
        "drop/moving-home-batch-12.csv",
        "drop/moving-home-batch-12.manifest.json",
    }
    assert files["drop/moving-home-batch-12.csv"].count(b"\r\n") == 3


def test_single_deliveries_are_refused_because_the_adapter_is_batched(adapter, sim):
    assert SFTPAdapter.batched

    with pytest.raises(PermanentError, match="use deliver_batch"):
        adapter.deliver(ITEMS[0][0], "key-1")

    assert sim.events == []


# --- Permanent failures --------------------------------------------------------------------------


def test_a_host_key_that_is_not_the_configured_one_is_refused_before_logging_in(sim, make_adapter):
    stranger = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    adapter = make_adapter(host_key=stranger)

    with pytest.raises(PermanentError, match="not the one configured") as failure:
        adapter.deliver_batch(ITEMS, "batch-13")

    assert sim.host_key_fingerprint in str(failure.value)
    assert sim.auth_failures == 0  # the password was never sent
    assert sim.events == []


@pytest.mark.parametrize("form", ["fingerprint", "public_key", "known_hosts"])
def test_the_host_key_may_be_given_as_a_fingerprint_a_key_or_a_known_hosts_line(
    sim, make_adapter, form
):
    host_key = {
        "fingerprint": sim.host_key_fingerprint,
        "public_key": sim.host_key_line,
        "known_hosts": f"[127.0.0.1]:{sim.port} {sim.host_key_line}",
    }[form]

    make_adapter(host_key=host_key).check_connection()


def test_a_wrong_password_is_permanent(sim, make_adapter):
    with pytest.raises(PermanentError, match="refused the user name, password or key"):
        make_adapter(password="not-it").deliver_batch(ITEMS, "batch-14")

    assert sim.auth_failures >= 1
    assert sim.files() == {}


def test_a_refused_login_is_permanent_even_with_the_right_password(sim, adapter):
    sim.set_faults(refuse_auth=True)

    with pytest.raises(PermanentError, match="refused"):
        adapter.deliver_batch(ITEMS, "batch-15")


def test_permission_denied_is_permanent(sim, adapter):
    sim.set_faults(read_only=True)

    with pytest.raises(PermanentError, match="permission"):
        adapter.deliver_batch(ITEMS, "batch-16")

    assert sim.files() == {}


def test_a_missing_folder_is_permanent(sim, make_adapter):
    with pytest.raises(PermanentError, match="does not exist"):
        make_adapter(directory="no-such-folder").deliver_batch(ITEMS, "batch-17")


def test_logging_in_with_a_private_key(tmp_path):
    key = asyncssh.generate_private_key("ssh-ed25519")
    public = key.export_public_key().decode()
    with SFTPSimulator(tmp_path / "keyed", authorized_key=public) as keyed:
        config = {
            "host": "127.0.0.1",
            "port": keyed.port,
            "host_key": keyed.host_key_fingerprint,
            "username": "portal",
            "private_key": key.export_private_key("openssh").decode(),
        }
        adapter = SFTPAdapter(SFTPAdapter.validate_config(config))

        adapter.deliver_batch(ITEMS, "batch-18")

        assert "moving-home-batch-18.manifest.json" not in keyed.files()  # no prefix configured
        assert "batch-18.manifest.json" in keyed.files()


# --- Transient failures --------------------------------------------------------------------------


def test_a_server_that_is_down_is_transient(sim, adapter):
    sim.stop()

    with pytest.raises(TransientError, match="ConnectionRefused"):
        adapter.deliver_batch(ITEMS, "batch-19")


def test_a_server_slower_than_the_timeout_is_transient(sim, make_adapter):
    adapter = make_adapter(timeout=0.3)
    sim.set_faults(latency=2.0)

    with pytest.raises(TransientError):
        adapter.deliver_batch(ITEMS, "batch-20")


# --- Connection check ----------------------------------------------------------------------------


def test_check_connection_verifies_the_host_key_logs_in_and_finds_the_folder(sim, make_adapter):
    make_adapter().check_connection()

    with pytest.raises(PermanentError, match="does not exist"):
        make_adapter(directory="elsewhere").check_connection()
    with pytest.raises(PermanentError, match="refused"):
        make_adapter(password="nope").check_connection()
    assert sim.events == []  # nothing was written


def test_an_answer_a_spreadsheet_would_run_arrives_as_text_in_the_batch_file(sim, adapter):
    # Given answers that Excel would run as formulas when the back office opens the batch
    items = [
        (
            {
                "reference": "MC-1",
                "name": '=HYPERLINK("http://evil.example","Click")',
                "notes": "@SUM(1+9)*cmd|' /C calc'!A0",
            },
            "key-1",
        )
    ]

    # When the batch is written
    adapter.deliver_batch(items, "batch-formula")

    # Then each one arrives prefixed with a quote, shown as text rather than run
    data = sim.files()["drop/moving-home-batch-formula.csv"].decode()
    (row,) = csv.DictReader(io.StringIO(data))
    assert row["name"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert row["notes"] == "'@SUM(1+9)*cmd|' /C calc'!A0"
    assert row["reference"] == "MC-1"
