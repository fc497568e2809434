"""Files reach the SOAP case system as attachments: one AddAttachment per file, after the case,
each exactly once. Against the simulator over loopback; counts come from its own records."""

import hashlib
import io
import logging
from datetime import UTC, datetime

import pytest
from PIL import Image
from pypdf import PdfWriter

from integrations.base import DeliveryFile, PermanentError, Progress, TransientError
from integrations.simulators.soap_case import SoapCaseSimulator
from integrations.soap.adapter import SoapCaseAdapter, attachment_reference
from tests.integrations.soap.conftest import PASSWORD, USERNAME

PAYLOAD = {
    "ServiceCode": "FLY_TIPPING",
    "Description": "Mattress and two tyres in the lay-by on Wick Lane",
    "ContactName": "Jo Bloggs-Testperson",
}
KEY = "6f1d4c0e-2b7a-4e57-9a43-0c1f3d2e8b91"  # a delivery's key, as the engine gives it


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (30, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def originals() -> dict[str, bytes]:
    """The bytes the resident uploaded, by file id."""
    return {"photos.1": jpeg_bytes(), "photos.2": png_bytes(), "evidence": pdf_bytes()}


@pytest.fixture
def files(originals) -> list[DeliveryFile]:
    """Two photos and a PDF, as the delivery engine hands them to an adapter."""
    return [
        DeliveryFile.from_bytes("photos.1", "lay-by.jpg", "image/jpeg", originals["photos.1"]),
        DeliveryFile.from_bytes("photos.2", "tyres.png", "image/png", originals["photos.2"]),
        DeliveryFile.from_bytes("evidence", "letter.pdf", "application/pdf", originals["evidence"]),
    ]


@pytest.fixture
def payload(files) -> dict:
    return {**PAYLOAD, "Attachments": files}


class ArmedProgress(Progress):
    """Progress as the engine keeps it, which also does `then()` once `after` files are kept:
    a way to make a chosen file call fail."""

    def __init__(self, after: int, then) -> None:
        super().__init__()
        self.after, self.then = after, then

    def save(self) -> None:
        if self.then is not None and len(self.files) == self.after:
            self.then, then = None, self.then
            then()


def as_loaded(progress: Progress) -> Progress:
    """The progress a later attempt starts from: what the earlier one kept, read back."""
    return Progress(progress.reference, progress.files)


def sign_in(adapter: SoapCaseAdapter) -> None:
    adapter.fetch_updates(None)


def fingerprints(attachments: list[dict]) -> list[tuple]:
    return [(a["file_name"], a["content_type"], a["size"], a["sha256"]) for a in attachments]


def expected(files: list[DeliveryFile], originals: dict[str, bytes]) -> list[tuple]:
    return [
        (f.name, f.content_type, len(originals[f.id]), hashlib.sha256(originals[f.id]).hexdigest())
        for f in files
    ]


# --- Success -------------------------------------------------------------------------------------


def test_two_photos_and_a_pdf_arrive_as_three_byte_identical_attachments_of_the_case(
    sim, adapter, payload, files, originals
):
    progress = Progress()

    reference = adapter.deliver(payload, KEY, progress)

    (case,) = sim.records
    assert reference == case["case_reference"]
    attachments = sim.attachments_of(reference)
    assert fingerprints(attachments) == expected(files, originals)
    assert [a["client_reference"] for a in attachments] == [
        attachment_reference(KEY, f) for f in files
    ]
    assert len({a["client_reference"] for a in attachments}) == 3
    assert progress.reference == reference
    assert progress.files == {
        f.id: a["attachment_id"] for f, a in zip(files, attachments, strict=True)
    }
    # The case first, then one call per file; no lookup on a first attempt
    calls = [sim.calls(op) for op in ("CreateServiceRequest", "AddAttachment")]
    assert calls == [1, 3]
    assert sim.calls("GetCaseAttachments") == 0


def test_the_case_is_kept_in_the_progress_before_any_file_is_sent(sim, adapter, payload):
    seen: list[tuple[str, int]] = []

    class Watching(Progress):
        def save(self) -> None:
            seen.append((self.reference, sim.calls("AddAttachment")))

    reference = adapter.deliver(payload, KEY, Watching())

    assert seen[0] == (reference, 0)
    assert len(seen) == 4  # the case, then each of the three files as it was accepted


def test_a_file_mapped_to_a_generic_field_is_attached_and_the_field_carries_its_name(
    sim, adapter, files
):
    reference = adapter.deliver({**PAYLOAD, "field.Evidence": files[2]}, KEY)

    assert sim.record_for(KEY)["fields"] == {"Evidence": "letter.pdf"}
    assert [a["file_name"] for a in sim.attachments_of(reference)] == ["letter.pdf"]


def test_a_delivery_without_files_makes_no_attachment_call(sim, adapter):
    adapter.deliver(PAYLOAD, KEY)

    assert sim.calls("AddAttachment") == sim.calls("GetCaseAttachments") == 0
    assert sim.attachments == []


def test_identical_bytes_under_two_questions_are_attached_once(sim, adapter, originals):
    photo = originals["photos.1"]
    same = [
        DeliveryFile.from_bytes("front", "front.jpg", "image/jpeg", photo),
        DeliveryFile.from_bytes("again", "again.jpg", "image/jpeg", photo),
    ]
    progress = ArmedProgress(after=0, then=lambda: sim.set_faults(drop_response=True, times=1))
    with pytest.raises(TransientError):
        adapter.deliver({**PAYLOAD, "Attachments": same}, KEY, progress)  # the first: lost

    again = adapter.redeliver(
        {**PAYLOAD, "Attachments": same}, KEY, datetime.now(UTC), as_loaded(progress)
    )

    # Their ClientReference is the delivery's key and the bytes' hash: one attachment for both
    assert len(sim.attachments_of(again.reference)) == 1
    assert again.note.endswith("adopted 2 already attached")
    assert sim.calls("AddAttachment") == 1


# --- Resuming ------------------------------------------------------------------------------------


def test_a_failure_on_the_third_file_resumes_at_the_third_file(
    sim, adapter, payload, files, originals
):
    # Given the case system fails the third AddAttachment with trouble of its own
    def fail_next_attachment() -> None:
        sim.set_soap_fault("Server.Unavailable", operation="AddAttachment", times=1)

    progress = ArmedProgress(after=2, then=fail_next_attachment)
    with pytest.raises(TransientError, match="Attaching file 'evidence' to case CS-000001"):
        adapter.deliver(payload, KEY, progress)
    assert sorted(progress.files) == ["photos.1", "photos.2"]

    # When the retry starts from what the first attempt kept
    again = adapter.redeliver(payload, KEY, datetime.now(UTC), as_loaded(progress))

    # Then it attaches only the third file to the same case, and nothing is doubled
    assert again.reference == progress.reference == "CS-000001"
    assert again.note == "resumed case CS-000001, made earlier"
    assert len(sim.records) == 1
    assert sim.calls("CreateServiceRequest") == 1
    assert sim.calls("FindCasesByClientReference") == 0  # the progress named the case
    assert fingerprints(sim.attachments_of("CS-000001")) == expected(files, originals)
    assert sim.calls("AddAttachment") == 4  # 1, 2, 3 refused, 3


def test_an_attachment_committed_but_unanswered_is_adopted_not_sent_again(
    sim, make_adapter, payload, files, originals
):
    # Given the second file's AddAttachment is committed and then its answer is lost
    adapter = make_adapter(unanswered_wait=45)
    sign_in(adapter)

    def drop_next_answer() -> None:
        sim.set_faults(drop_response=True, times=1)

    progress = ArmedProgress(after=1, then=drop_next_answer)
    with pytest.raises(TransientError, match=r"Attaching file 'photos\.2'") as failure:
        adapter.deliver(payload, KEY, progress)
    assert failure.value.retry_after == 45  # the system may still be working on it
    assert len(sim.attachments) == 2  # it was attached
    assert list(progress.files) == ["photos.1"]

    # When the retry runs
    again = adapter.redeliver(payload, KEY, datetime.now(UTC), as_loaded(progress))

    # Then it finds the second file on the case, adopts it, and sends only the third
    attachments = sim.attachments_of(again.reference)
    assert fingerprints(attachments) == expected(files, originals)
    assert sim.calls("AddAttachment") == 3
    assert again.note == (
        "resumed case CS-000001, made earlier; looked up its files, adopted 1 already attached"
    )


def test_with_no_progress_kept_a_retry_still_makes_no_second_case_and_sends_no_file_twice(
    sim, adapter, payload, files, originals
):
    # Given an attempt made the case and attached two files, then died without a record
    def drop_next_answer() -> None:
        sim.set_faults(drop_response=True, times=1)

    sign_in(adapter)
    with pytest.raises(TransientError):
        adapter.deliver(payload, KEY, ArmedProgress(after=1, then=drop_next_answer))

    # When a retry starts from nothing
    again = adapter.redeliver(payload, KEY, datetime.now(UTC), Progress())

    # Then it adopts the case and both files, and attaches only the third
    assert again.note.startswith("ambiguous: looked up, adopted CS-000001; looked up its files")
    assert sim.count_for(KEY) == 1
    assert fingerprints(sim.attachments_of("CS-000001")) == expected(files, originals)


def test_a_failed_attachment_lookup_sends_nothing_and_is_retried_later(sim, adapter, payload):
    progress = Progress()
    sign_in(adapter)
    sim.set_faults(drop_response=True, times=1)
    with pytest.raises(TransientError):
        adapter.deliver(payload, KEY, progress)  # the case is made, its answer lost
    sim.set_soap_fault("Server.Unavailable", operation="GetCaseAttachments", times=1)

    with pytest.raises(TransientError, match="not sent again"):
        adapter.redeliver(payload, KEY, datetime.now(UTC), progress)

    assert sim.calls("AddAttachment") == 0
    assert progress.reference == "CS-000001"  # adopted, and kept for the next attempt


def test_a_system_without_the_lookup_that_dedupes_client_references_keeps_one_attachment(
    payload, files
):
    with SoapCaseSimulator(
        username=USERNAME, password=PASSWORD, unique_client_reference=True, lookup=False
    ) as unique:
        config = {"wsdl_url": unique.wsdl_url, "username": USERNAME, "password": PASSWORD}
        adapter = SoapCaseAdapter(SoapCaseAdapter.validate_config(config))
        sign_in(adapter)
        progress = ArmedProgress(
            after=0, then=lambda: unique.set_faults(drop_response=True, times=1)
        )
        with pytest.raises(TransientError):
            adapter.deliver(payload, KEY, progress)  # the first file attached, answer lost

        adapter.redeliver(payload, KEY, datetime.now(UTC), as_loaded(progress))

        assert unique.calls("GetCaseAttachments") == 0
        assert unique.calls("AddAttachment") == 4  # the first file twice: same reference
        assert [a["file_name"] for a in unique.attachments] == [f.name for f in files]


# --- Refusals ------------------------------------------------------------------------------------


def test_a_file_the_system_refuses_is_permanent_and_the_case_is_kept(payload):
    with SoapCaseSimulator(username=USERNAME, password=PASSWORD, max_attachment_bytes=500) as small:
        config = {"wsdl_url": small.wsdl_url, "username": USERNAME, "password": PASSWORD}
        adapter = SoapCaseAdapter(SoapCaseAdapter.validate_config(config))
        progress = Progress()

        with pytest.raises(PermanentError, match=r"refused the request \(Client.Val") as failure:
            adapter.deliver(payload, KEY, progress)

        assert str(failure.value).startswith("Attaching file 'photos.1' to case CS-000001")
        assert failure.value.status_code == "Client.Validation"
        assert progress.reference == "CS-000001"
        assert small.attachments == []


def test_a_refusal_that_echoes_the_file_name_keeps_the_name_out_of_the_excerpt(sim, adapter):
    name = "jo-bloggs-testperson-" + "x" * 300 + ".pdf"  # too long for the system
    upload = DeliveryFile.from_bytes("evidence", name, "application/pdf", pdf_bytes())

    with pytest.raises(PermanentError) as failure:
        adapter.deliver({**PAYLOAD, "Attachments": [upload]}, KEY)

    assert failure.value.excerpt == "Client.Validation: FileName '[redacted]' is not a file name"
    assert "jo-bloggs" not in str(failure.value)


def test_files_for_a_system_that_takes_none_are_refused_before_any_case_is_made(payload):
    with SoapCaseSimulator(username=USERNAME, password=PASSWORD, attachments=False) as old:
        config = {"wsdl_url": old.wsdl_url, "username": USERNAME, "password": PASSWORD}
        adapter = SoapCaseAdapter(SoapCaseAdapter.validate_config(config))

        with pytest.raises(PermanentError, match="offers no AddAttachment"):
            adapter.deliver(payload, KEY)

        assert old.records == []


def test_a_file_changed_since_upload_is_permanent_and_sends_nothing_of_it(sim, adapter, files):
    changed = DeliveryFile(
        id="evidence",
        name="letter.pdf",
        content_type="application/pdf",
        size=files[2].size,
        sha256=files[2].sha256,
        opener=lambda: b"not what was uploaded",
        linker=lambda: "",
    )
    progress = Progress()

    with pytest.raises(PermanentError, match="has changed since it was uploaded"):
        adapter.deliver({**PAYLOAD, "Attachments": [files[0], changed]}, KEY, progress)

    assert list(progress.files) == ["photos.1"]
    assert [a["file_name"] for a in sim.attachments] == ["lay-by.jpg"]


def test_no_file_name_reaches_the_logs(sim, adapter, payload, files, caplog):
    caplog.set_level(logging.DEBUG)
    sign_in(adapter)
    sim.set_faults(drop_response=True, times=1)
    with pytest.raises(TransientError):
        adapter.deliver(payload, KEY)

    adapter.redeliver(payload, KEY, datetime.now(UTC))

    assert "soap attachment added" in caplog.text
    assert "soap attachments adopted" not in caplog.text  # the case was adopted, files sent
    for upload in files:
        assert upload.name not in caplog.text
