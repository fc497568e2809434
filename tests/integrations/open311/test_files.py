"""A case's photos and documents reach the Open311 simulator over loopback, each exactly once.

GeoReport v2 takes one media_url, which a server downloads on receipt: the adapter sends the
first photo's signed link there and the other files' links in the description (or in the
attribute the connection names for files). The simulator fetches every link from a loopback
server that serves them as the portal's link view does, so what arrived is compared with what
the resident sent by hash.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import parse_qsl

import httpx
import pytest

from integrations.base import DeliveryFile, PermanentError, Progress, TransientError
from integrations.open311.adapter import Open311Adapter, size_text
from integrations.simulators.base import RecordedRequest, Response, Simulator
from integrations.simulators.open311 import Open311Simulator
from tests.integrations.case_files import FileLinkServer, Served, jpeg, pdf
from tests.integrations.open311.conftest import API_KEY

REPORT = {"lat": 52.4862, "long": -1.8904, "description": "Deep pothole outside 12 Mill Lane"}


@pytest.fixture
def links() -> Iterator[FileLinkServer]:
    with FileLinkServer() as server:
        yield server


def with_files(*files: Served) -> dict:
    return {**REPORT, "files": [f.upload for f in files]}


def form_of(request: RecordedRequest) -> list[tuple[str, str]]:
    return parse_qsl(request.body.decode(), keep_blank_values=True)


def arrived(sim: Open311Simulator) -> list[dict]:
    """The files of the one request the server has, once it has fetched them."""
    sim.wait_for_files()
    (record,) = sim.records
    return record["files"]


def facts(entry: dict) -> tuple:
    return (entry["status"], entry["name"], entry["content_type"], entry["size"], entry["sha256"])


def sent(served: Served) -> tuple:
    upload = served.upload
    return ("fetched", upload.name, upload.content_type, len(served.data), served.sha256)


# --- The native shape ----------------------------------------------------------------------------


def test_two_photos_and_a_pdf_arrive_byte_identical_the_first_photo_as_media_url(
    sim, adapter, links
):
    photo, close_up, letter = links.case_files()

    reference = adapter.deliver(with_files(photo, close_up, letter), "files-key")

    files = arrived(sim)
    assert [f["source"] for f in files] == ["media_url", "description", "description"]
    assert [facts(f) for f in files] == [sent(photo), sent(close_up), sent(letter)]
    (record,) = sim.records
    assert reference == record["service_request_id"]
    assert record["fields"]["media_url"] == photo.upload.signed_url()
    assert record["fields"]["description"] == (
        "Deep pothole outside 12 Mill Lane\n\n"
        "Files:\n"
        f"close up.png (image/png, {size_text(len(close_up.data))}): "
        f"{close_up.upload.signed_url()}\n"
        f"council letter.pdf (application/pdf, {size_text(len(letter.data))}): "
        f"{letter.upload.signed_url()}\n\n"
        "Portal reference: files-key"
    )
    assert [links.fetches(f) for f in (photo, close_up, letter)] == [1, 1, 1]


def test_the_first_photo_is_the_media_url_even_when_a_document_comes_first(sim, adapter, links):
    letter = links.add("evidence", "letter.pdf", "application/pdf", pdf())
    photo = links.add("photo", "pothole.jpg", "image/jpeg", jpeg())

    adapter.deliver({**REPORT, "evidence": letter.upload, "photo": photo.upload}, "k")

    files = arrived(sim)
    assert [(f["source"], f["sha256"]) for f in files] == [
        ("media_url", photo.sha256),
        ("description", letter.sha256),
    ]


def test_without_a_photo_the_first_file_is_the_media_url(sim, adapter, links):
    letter = links.case_files()[2]

    adapter.deliver({**REPORT, "media_url": letter.upload}, "k")

    (record,) = sim.records
    assert record["fields"]["media_url"] == letter.upload.signed_url()
    assert "Files:" not in record["fields"]["description"]
    assert [facts(f) for f in arrived(sim)] == [sent(letter)]


def test_a_link_mapped_to_media_url_stays_and_every_file_is_listed(sim, adapter, links):
    photo, _close_up, letter = links.case_files()
    payload = {**with_files(photo, letter), "media_url": photo.upload.signed_url()}

    adapter.deliver(payload, "k")

    assert [f["source"] for f in arrived(sim)] == ["media_url", "description", "description"]


def test_the_connections_files_attribute_carries_the_other_links(links):
    # Given a server whose service defines an attribute for file links
    with Open311Simulator(API_KEY, file_attributes={"photos"}) as sim:
        adapter = Open311Adapter(
            Open311Adapter.validate_config(
                {"endpoint": sim.endpoint, "api_key": API_KEY, "service_code": "POTHOLE"}
                | {"files_attribute": "photos"}
            )
        )
        photo, close_up, letter = links.case_files()

        # When the case is delivered
        adapter.deliver(with_files(photo, close_up, letter), "k")

        # Then the links go there, one per file, and the description is the resident's own
        form = form_of(sim.requests[0])
        assert [value for name, value in form if name == "attribute[photos][]"] == [
            close_up.upload.signed_url(),
            letter.upload.signed_url(),
        ]
        assert dict(form)["description"].startswith("Deep pothole outside 12 Mill Lane\n\n")
        assert "Files:" not in dict(form)["description"]
        files = arrived(sim)
        assert [f["source"] for f in files] == [
            "media_url",
            "attribute[photos]",
            "attribute[photos]",
        ]
        assert [facts(f) for f in files] == [sent(photo), sent(close_up), sent(letter)]


def test_a_value_mapped_onto_the_files_attribute_is_refused(sim, make_adapter):
    adapter = make_adapter(files_attribute="photos")

    with pytest.raises(PermanentError, match="where this connection sends file links"):
        adapter.deliver({**REPORT, "attribute.photos": "see the pictures"}, "k")

    assert sim.requests == []


def test_a_value_that_is_not_a_file_is_refused_in_the_files_field(sim, adapter):
    with pytest.raises(PermanentError, match="'files' takes only files"):
        adapter.deliver({**REPORT, "files": "see the pictures"}, "k")

    assert sim.requests == []


def test_a_file_deleted_by_retention_fails_permanently_and_nothing_is_sent(sim, adapter):
    def gone() -> str:
        raise PermanentError("The file 'pothole.jpg' was deleted by retention")

    data = jpeg()
    deleted = DeliveryFile("photo", "pothole.jpg", "image/jpeg", len(data), "0" * 64, bytes, gone)

    with pytest.raises(PermanentError, match="deleted by retention"):
        adapter.deliver({**REPORT, "photo": deleted}, "k")

    assert sim.requests == []


# --- Exactly once --------------------------------------------------------------------------------


def test_commit_then_drop_then_retry_leaves_one_request_carrying_each_file_once(
    sim, adapter, links
):
    # Given a server that makes the request, fetches its files, and loses its answer
    photo, close_up, letter = links.case_files()
    payload = with_files(photo, close_up, letter)
    progress = Progress()
    first_attempt_at = datetime.now(UTC)
    sim.set_faults(drop_response=True, times=1)
    with pytest.raises(TransientError):
        adapter.deliver(payload, "dropped-key", progress)

    # When the delivery is tried again
    again = adapter.redeliver(payload, "dropped-key", first_attempt_at, progress)

    # Then the request already made is adopted with the files it carried: none came twice
    assert again.note == f"ambiguous: looked up, adopted {again.reference}"
    assert sim.count_for("dropped-key") == 1
    assert [facts(f) for f in arrived(sim)] == [sent(photo), sent(close_up), sent(letter)]
    assert [links.fetches(f) for f in (photo, close_up, letter)] == [1, 1, 1]


def test_a_third_file_without_a_link_yet_holds_the_whole_request_back(sim, adapter, links):
    # Given a case whose third file's link cannot be made just now (the database is away)
    photo, close_up, letter = links.case_files()
    calls: list[int] = []

    def flaky_link() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise TransientError("database unavailable")
        return letter.upload.signed_url()

    third = DeliveryFile(
        "evidence",
        "letter.pdf",
        "application/pdf",
        len(letter.data),
        letter.sha256,
        lambda: letter.data,
        flaky_link,
    )
    payload = {**with_files(photo, close_up), "evidence": third}

    # When the first attempt fails on it and the retry succeeds
    first_attempt_at = datetime.now(UTC)
    with pytest.raises(TransientError):
        adapter.deliver(payload, "k", Progress())
    assert sim.requests == []  # nothing half-sent
    adapter.redeliver(payload, "k", first_attempt_at, Progress())

    # Then one request carried all three files, each fetched once
    assert sim.count_for("k") == 1
    assert [facts(f) for f in arrived(sim)] == [sent(photo), sent(close_up), sent(letter)]
    assert [links.fetches(f) for f in (photo, close_up, letter)] == [1, 1, 1]


# --- What is kept about a failure ----------------------------------------------------------------


class Echoing(Simulator):
    """A server that refuses every request, quoting what it was sent, as some do."""

    def handle(self, request: RecordedRequest) -> Response:
        sent = dict(form_of(request))
        return Response.json(
            [{"code": 400, "description": f"Bad media_url {sent.get('media_url')}"}], status=400
        )


def test_links_and_file_names_never_reach_an_error_or_its_excerpt(links):
    photo, close_up, _letter = links.case_files()
    with Echoing() as echoing:
        config = {"endpoint": echoing.url, "api_key": API_KEY, "service_code": "POTHOLE"}
        adapter = Open311Adapter(Open311Adapter.validate_config(config))
        with pytest.raises(PermanentError) as failure:
            adapter.deliver(with_files(photo, close_up), "k")

    error = failure.value
    assert photo.upload.signed_url() not in error.message + error.excerpt
    assert "[redacted]" in error.excerpt


# --- The simulator -------------------------------------------------------------------------------


def test_a_link_that_cannot_be_fetched_is_recorded_as_failed_and_the_request_stands(
    sim, adapter, links
):
    missing = DeliveryFile.from_bytes(
        "photo", "pothole.jpg", "image/jpeg", jpeg(), url=f"{links.url}/files/no-such-file/"
    )

    reference = adapter.deliver({**REPORT, "photo": missing}, "k")

    (entry,) = arrived(sim)
    assert (entry["status"], entry["http_status"]) == ("failed", 404)
    assert sim.records[0]["service_request_id"] == reference


def test_a_simulator_told_not_to_fetch_records_the_links_only(links):
    with Open311Simulator(API_KEY, fetch_files=False) as sim:
        config = {"endpoint": sim.endpoint, "api_key": API_KEY, "service_code": "POTHOLE"}
        photo = links.case_files()[0]
        Open311Adapter(Open311Adapter.validate_config(config)).deliver(with_files(photo), "k")

        (entry,) = arrived(sim)
        assert (entry["status"], entry["url"]) == ("pending", photo.upload.signed_url())
        assert links.fetches(photo) == 0


def test_the_records_endpoint_shows_each_requests_files(sim, adapter, links):
    photo = links.case_files()[0]
    adapter.deliver(with_files(photo), "k")
    sim.wait_for_files()

    shown = httpx.get(f"{sim.url}/_records").json()

    (entry,) = shown["records"][0]["files"]
    assert (entry["source"], entry["sha256"], entry["name"]) == (
        "media_url",
        photo.sha256,
        "pothole.jpg",
    )


def test_sizes_are_written_as_people_write_them():
    assert [size_text(n) for n in (930, 1024, 48_900, 2_516_582)] == [
        "930 bytes",
        "1 KB",
        "48 KB",
        "2.4 MB",
    ]
