"""A case's photos and documents reach the webhook simulator over loopback, each exactly once.

The body lists every file with its facts and a signed link, and carries the bytes inline (base64)
within the connection's limit. The simulator decodes inline files and fetches the others from a
loopback server that serves them as the portal's link view does, so what arrived is compared with
what the resident sent by hash.
"""

import base64
import io
import json
import os
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image

from integrations.base import DeliveryFile, PermanentError, Progress, TransientError
from integrations.simulators.base import RecordedRequest, Response, Simulator
from integrations.simulators.webhook import WebhookSimulator
from integrations.webhook.adapter import WebhookAdapter, body_with_files
from tests.integrations.case_files import FileLinkServer, Served
from tests.integrations.webhook.conftest import SECRET

CASE = {"reference": "MC-2026-000042", "details": "Proof of address for a parking permit"}


@pytest.fixture
def links() -> Iterator[FileLinkServer]:
    with FileLinkServer() as server:
        yield server


def with_files(*files: Served) -> dict:
    return {**CASE, "files": [f.upload for f in files]}


def arrived(sim: WebhookSimulator) -> list[dict]:
    """The files of the one record the back office has, once it has fetched them."""
    sim.wait_for_files()
    (record,) = sim.records
    return record["files"]


def facts(entry: dict) -> tuple:
    return (entry["how"], entry["name"], entry["content_type"], entry["size"], entry["sha256"])


def sent(served: Served, how: str = "link") -> tuple:
    upload = served.upload
    return (how, upload.name, upload.content_type, len(served.data), served.sha256)


def listed(served: Served) -> dict:
    upload = served.upload
    return {"id": upload.id, **upload.describe(), "url": upload.signed_url()}


def noisy_png() -> bytes:
    """A real PNG too random to compress: bigger than the other test files."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (48, 48), os.urandom(48 * 48 * 3)).save(buffer, "PNG")
    return buffer.getvalue()


# --- The native shape ----------------------------------------------------------------------------


def test_two_photos_and_a_pdf_arrive_byte_identical_listed_with_their_links(sim, adapter, links):
    photo, close_up, letter = links.case_files()

    reference = adapter.deliver(with_files(photo, close_up, letter), "files-key")

    (record,) = sim.records
    assert reference == record["id"]
    assert record["data"] == {**CASE, "files": [listed(photo), listed(close_up), listed(letter)]}
    assert [facts(f) for f in arrived(sim)] == [sent(photo), sent(close_up), sent(letter)]
    assert [links.fetches(f) for f in (photo, close_up, letter)] == [1, 1, 1]


def test_files_within_the_inline_limit_travel_inside_the_request(sim, make_adapter, links):
    photo, close_up, letter = links.case_files()
    adapter = make_adapter(inline_files_max_bytes=10 * 1024 * 1024)

    adapter.deliver(with_files(photo, close_up, letter), "k")

    body = json.loads(sim.requests[0].body)
    assert [base64.b64decode(f["content"]) for f in body["files"]] == [
        photo.data,
        close_up.data,
        letter.data,
    ]
    assert [facts(f) for f in arrived(sim)] == [
        sent(photo, "inline"),
        sent(close_up, "inline"),
        sent(letter, "inline"),
    ]
    assert [links.fetches(f) for f in (photo, close_up, letter)] == [0, 0, 0]
    kept = sim.records[0]["data"]["files"]
    assert [f.get("content") for f in kept] == [None, None, None]  # kept as their hashes only


def test_a_file_too_big_for_what_is_left_goes_by_link_and_smaller_ones_after_it_inline(
    sim, make_adapter, links
):
    # Given a limit that holds the first and last files but not the big one between them
    photo, _close_up, letter = links.case_files()
    big = links.add("photo_wide", "wide.png", "image/png", noisy_png())
    limit = len(photo.data) + len(letter.data)
    assert len(big.data) > len(letter.data)

    # When the case is delivered
    make_adapter(inline_files_max_bytes=limit).deliver(with_files(photo, big, letter), "k")

    # Then the big one is fetched by its link, and the others came inside the request
    assert [facts(f) for f in arrived(sim)] == [
        sent(photo, "inline"),
        sent(big, "link"),
        sent(letter, "inline"),
    ]
    assert [links.fetches(f) for f in (photo, big, letter)] == [0, 1, 0]


def test_the_limit_is_on_the_inlined_files_together_not_on_each(sim, make_adapter, links):
    photo, _close_up, letter = links.case_files()
    assert len(letter.data) <= len(photo.data)  # each would fit alone

    make_adapter(inline_files_max_bytes=len(photo.data)).deliver(with_files(photo, letter), "k")

    assert [facts(f) for f in arrived(sim)] == [sent(photo, "inline"), sent(letter, "link")]


def test_fields_holding_files_hold_references_into_the_list(sim, adapter, links):
    photo, close_up, letter = links.case_files()
    payload = {**CASE, "evidence": letter.upload, "photos": [photo.upload, close_up.upload]}

    adapter.deliver(payload, "k")

    data = sim.records[0]["data"]
    assert data["evidence"] == {"file_id": "evidence"}
    assert data["photos"] == [{"file_id": "photo"}, {"file_id": "photo_close_up"}]
    assert [f["id"] for f in data["files"]] == ["evidence", "photo", "photo_close_up"]
    assert [facts(f) for f in arrived(sim)] == [sent(letter), sent(photo), sent(close_up)]


def test_a_case_without_files_has_no_files_list(sim, adapter):
    adapter.deliver({**CASE, "evidence": None}, "k")

    assert sim.records[0]["data"] == {**CASE, "evidence": None}


def test_a_value_in_the_files_field_that_is_not_a_file_is_refused_and_nothing_sent(sim, adapter):
    with pytest.raises(PermanentError, match="where the webhook lists the case's files"):
        adapter.deliver({**CASE, "files": "see attached"}, "k")

    assert sim.requests == []


def test_a_file_deleted_by_retention_fails_permanently_and_nothing_is_sent(sim, adapter):
    def gone() -> str:
        raise PermanentError("The file 'letter.pdf' was deleted by retention")

    deleted = DeliveryFile("evidence", "letter.pdf", "application/pdf", 10, "0" * 64, bytes, gone)

    with pytest.raises(PermanentError, match="deleted by retention"):
        adapter.deliver({**CASE, "evidence": deleted}, "k")

    assert sim.requests == []


def test_a_file_changed_since_upload_is_never_sent_inline(sim, make_adapter):
    tampered = DeliveryFile(
        "evidence", "letter.pdf", "application/pdf", 5, "0" * 64, lambda: b"other", str
    )

    with pytest.raises(PermanentError, match="has changed since it was uploaded"):
        make_adapter(inline_files_max_bytes=1024).deliver({**CASE, "evidence": tampered}, "k")

    assert sim.requests == []


# --- Exactly once --------------------------------------------------------------------------------


def test_commit_then_drop_then_retry_leaves_one_record_with_each_file_once(
    sim, make_adapter, links
):
    # Given a back office that keeps the record and its files and loses its answer
    photo, close_up, letter = links.case_files()
    payload = with_files(photo, close_up, letter)
    adapter = make_adapter(inline_files_max_bytes=len(photo.data))
    sim.set_faults(drop_response=True, times=1)
    with pytest.raises(TransientError):
        adapter.deliver(payload, "dropped-key", Progress())

    # When the delivery is tried again, with the same key
    reference = adapter.deliver(payload, "dropped-key", Progress())

    # Then it is the same record, which took each file once
    assert sim.count_for("dropped-key") == 1
    assert sim.replays == 1
    assert reference == sim.records[0]["id"]
    assert [facts(f) for f in arrived(sim)] == [
        sent(photo, "inline"),
        sent(close_up),
        sent(letter),
    ]
    assert [links.fetches(f) for f in (close_up, letter)] == [1, 1]


def test_a_third_file_that_cannot_be_read_yet_holds_the_whole_request_back(
    sim, make_adapter, links
):
    # Given a case whose third file's storage cannot be read just now
    photo, close_up, letter = links.case_files()
    calls: list[int] = []

    def flaky_read() -> bytes:
        calls.append(1)
        if len(calls) == 1:
            raise TransientError("storage unavailable")
        return letter.data

    third = DeliveryFile(
        "evidence",
        "letter.pdf",
        "application/pdf",
        len(letter.data),
        letter.sha256,
        flaky_read,
        letter.upload.signed_url,
    )
    payload = {**with_files(photo, close_up), "evidence": third}
    adapter = make_adapter(inline_files_max_bytes=1024 * 1024)

    # When the first attempt fails on it and the retry succeeds
    with pytest.raises(TransientError):
        adapter.deliver(payload, "k", Progress())
    assert sim.requests == []  # nothing half-sent
    adapter.deliver(payload, "k", Progress())

    # Then one record took all three files, once each
    assert sim.count_for("k") == 1
    assert [f["sha256"] for f in arrived(sim)] == [photo.sha256, close_up.sha256, letter.sha256]


# --- What is kept about a failure ----------------------------------------------------------------


class Echoing(Simulator):
    """A back office that refuses every request, quoting it, as some do."""

    def handle(self, request: RecordedRequest) -> Response:
        return Response(422, b"Cannot process " + request.body)


def test_file_names_and_links_never_reach_an_excerpt(links):
    photo = links.case_files()[0]
    with Echoing() as echoing:
        config = {"url": f"{echoing.url}/hook", "signing_secret": SECRET}
        adapter = WebhookAdapter(WebhookAdapter.validate_config(config))
        with pytest.raises(PermanentError) as failure:
            adapter.deliver(with_files(photo), "k")

    assert photo.upload.signed_url() not in failure.value.excerpt
    assert photo.upload.name not in failure.value.excerpt
    assert "[redacted]" in failure.value.excerpt


# --- The body, as a plain function ---------------------------------------------------------------


def test_no_limit_inlines_nothing_and_files_are_read_only_when_inlined():
    def unreadable() -> bytes:
        raise AssertionError("a file sent by link must not be read")

    upload = DeliveryFile("photo", "p.jpg", "image/jpeg", 3, "0" * 64, unreadable, lambda: "u")

    body = body_with_files({"photo": upload}, inline_max_bytes=0)

    assert body.data == {
        "photo": {"file_id": "photo"},
        "files": [
            {
                "id": "photo",
                "name": "p.jpg",
                "content_type": "image/jpeg",
                "size": 3,
                "sha256": "0" * 64,
                "url": "u",
            }
        ],
    }
    assert body.inlined == frozenset()


# --- The simulator -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "problem"),
    [("not base64!", "files[0].content is not base64"), ("b3RoZXI=", "does not match its sha256")],
)
def test_the_simulator_refuses_inline_content_that_is_not_the_files_bytes(content, problem):
    item = {"name": "a.pdf", "content_type": "application/pdf", "sha256": "0" * 64, "url": "u"}
    with WebhookSimulator(None) as sim:
        answer = httpx.post(sim.records_url, json={"files": [{**item, "content": content}]})

        assert answer.status_code == 422
        assert problem in answer.json()["error"]
        assert sim.records == []


def test_the_records_endpoint_shows_each_records_files(sim, adapter, links):
    photo = links.case_files()[0]
    adapter.deliver(with_files(photo), "k")
    sim.wait_for_files()

    shown = httpx.get(f"{sim.url}/_records").json()

    (entry,) = shown["records"][0]["files"]
    assert (entry["source"], entry["status"], entry["sha256"]) == (
        "files[0]",
        "fetched",
        photo.sha256,
    )
