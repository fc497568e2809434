"""A back office fetches a resident's file by its signed link (GET/HEAD /files/<token>/).

A genuine link sends the file as a download, whole or the one part asked for, and the fetch is
recorded for the case's timeline; any other link (expired, altered, parts of two links, for a
file or connection no longer there) gets 404 and records nothing.
"""

import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from portal.core import ratelimit
from portal.filelinks import views
from services.file_links import SALT, signed_file_url
from services.models import FileFetch
from tests.services.stored_files import png_bytes, stored_bytes

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    return urlsplit(url).path


def token_of(url: str) -> str:
    return path_of(url).rstrip("/").rsplit("/", 1)[-1]


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def client() -> Client:
    return Client()


def test_a_link_sends_its_file_as_a_download_and_the_fetch_is_recorded(client, photo, highways):
    # Given a link made for the highways system to fetch the resident's photo
    url = signed_file_url(photo, highways.pk)

    # When the system fetches it
    before = timezone.now()
    response = client.get(path_of(url))

    # Then it gets the stored bytes, as a download under the resident's name, typed by content
    assert response.status_code == 200
    assert body_of(response) == stored_bytes(photo.storage_name)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="pothole on Mill Lane.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(photo.size)
    assert response["Accept-Ranges"] == "bytes"
    assert response["ETag"] == f'"{photo.sha256}"'
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    # And the fetch is recorded: which system, when, how, and what it was sent
    fetch = FileFetch.objects.get()
    assert (fetch.file, fetch.connection, fetch.method, fetch.status) == (
        photo,
        highways,
        "GET",
        200,
    )
    assert before <= fetch.at <= timezone.now()


def test_each_link_sends_only_its_own_file(client, photo, letter, highways):
    response = client.get(path_of(signed_file_url(letter, highways.pk)))

    assert body_of(response) == stored_bytes(letter.storage_name)
    assert response["Content-Type"] == "application/pdf"
    assert FileFetch.objects.get().file == letter


def test_a_name_outside_ascii_is_given_in_the_rfc_6266_form(client, case, stored_files, highways):
    photo = stored_files(case, "photo", png_bytes(), "llun y ffordd – ŵy.png")

    response = client.get(path_of(signed_file_url(photo, highways.pk)))

    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''llun%20y%20ffordd%20%E2%80%93%20%C5%B5y.png"
    )


@pytest.mark.parametrize("range_header", [None, "bytes=0-9"])
def test_head_sends_the_headers_of_the_whole_file_without_its_bytes(
    client, photo, highways, range_header
):
    # (RFC 9110 defines ranges for GET only, so a HEAD with one describes the whole file.)
    headers = {"Range": range_header} if range_header else {}

    response = client.head(path_of(signed_file_url(photo, highways.pk)), headers=headers)

    assert response.status_code == 200
    assert response.content == b""
    assert response["Content-Length"] == str(photo.size)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Accept-Ranges"] == "bytes"
    fetch = FileFetch.objects.get()
    assert (fetch.method, fetch.status, fetch.connection) == ("HEAD", 200, highways)


@pytest.mark.parametrize(
    ("range_header", "first", "last"),
    [
        ("bytes=0-9", 0, 9),
        ("bytes=10-", 10, None),  # open-ended: to the end
        ("bytes=-16", -16, None),  # a suffix: the last 16 bytes
        ("bytes=5-5", 5, 5),
    ],
)
def test_a_single_range_sends_that_part(client, photo, highways, range_header, first, last):
    whole = stored_bytes(photo.storage_name)
    first = first % len(whole)
    last = len(whole) - 1 if last is None else last
    expected = whole[first : last + 1]

    response = client.get(
        path_of(signed_file_url(photo, highways.pk)), headers={"Range": range_header}
    )

    assert response.status_code == 206
    assert body_of(response) == expected
    assert response["Content-Range"] == f"bytes {first}-{last}/{len(whole)}"
    assert response["Content-Length"] == str(len(expected))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert (FileFetch.objects.get().method, FileFetch.objects.get().status) == ("GET", 206)


def test_a_range_the_file_does_not_have_is_refused_with_its_size(client, photo, highways):
    response = client.get(
        path_of(signed_file_url(photo, highways.pk)),
        headers={"Range": f"bytes={photo.size}-"},
    )

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{photo.size}"
    assert not FileFetch.objects.exists()


@pytest.mark.parametrize("range_header", ["bytes=0-9,20-29", "bytes=9-1", "bytes=x-y", "lines=1-2"])
def test_several_ranges_or_a_bad_range_header_send_the_whole_file(
    client, photo, highways, range_header
):
    response = client.get(
        path_of(signed_file_url(photo, highways.pk)), headers={"Range": range_header}
    )

    assert response.status_code == 200
    assert body_of(response) == stored_bytes(photo.storage_name)
    assert "Content-Range" not in response


@pytest.mark.parametrize(
    ("if_range", "status"),
    [("same", 206), ('"another-version"', 200), ("Tue, 01 Dec 2026 00:00:00 GMT", 200)],
)
def test_a_range_is_sent_only_if_the_file_is_the_one_if_range_names(
    client, photo, highways, if_range, status
):
    validator = f'"{photo.sha256}"' if if_range == "same" else if_range

    response = client.get(
        path_of(signed_file_url(photo, highways.pk)),
        headers={"Range": "bytes=0-9", "If-Range": validator},
    )

    assert response.status_code == status


def link_made_days_ago(monkeypatch, days, make):
    then = time.time() - timedelta(days=days).total_seconds()
    monkeypatch.setattr(signing.time, "time", lambda: then)
    url = make()
    monkeypatch.undo()
    return path_of(url)


def test_a_link_works_for_thirty_days_and_no_longer(client, photo, highways, monkeypatch):
    def make():
        return signed_file_url(photo, highways.pk)

    # A link made 29 days ago works; one made 31 days ago does not, and records nothing
    assert client.get(link_made_days_ago(monkeypatch, 29, make)).status_code == 200
    FileFetch.objects.all().delete()
    assert client.get(link_made_days_ago(monkeypatch, 31, make)).status_code == 404
    assert not FileFetch.objects.exists()


def test_how_long_a_link_works_is_a_setting(client, photo, highways, monkeypatch, settings):
    settings.FILE_LINK_MAX_AGE_DAYS = 7
    url = link_made_days_ago(monkeypatch, 8, lambda: signed_file_url(photo, highways.pk))

    assert client.get(url).status_code == 404
    assert client.head(url).status_code == 404
    assert not FileFetch.objects.exists()


def swapped(token_a: str, token_b: str) -> str:
    """Token A's content with token B's timestamp and signature."""
    content, _, _ = token_a.rpartition(":")[0].rpartition(":")
    timestamp_and_signature = token_b[len(token_b.rpartition(":")[0].rpartition(":")[0]) + 1 :]
    return f"{content}:{timestamp_and_signature}"


def test_parts_of_two_links_put_together_do_not_work(client, photo, letter, highways, crm):
    photo_for_highways = token_of(signed_file_url(photo, highways.pk))
    letter_for_highways = token_of(signed_file_url(letter, highways.pk))
    photo_for_crm = token_of(signed_file_url(photo, crm.pk))
    # (the helper really does swap: a token with its own parts is itself)
    assert swapped(photo_for_highways, photo_for_highways) == photo_for_highways

    for token in (
        swapped(letter_for_highways, photo_for_highways),  # another file's signature
        swapped(photo_for_crm, photo_for_highways),  # another connection's signature
        swapped(photo_for_highways, photo_for_crm),
    ):
        assert client.get(f"/files/{token}/").status_code == 404, token
        assert client.head(f"/files/{token}/").status_code == 404, token
    assert not FileFetch.objects.exists()


def altered(token: str, position: int) -> str:
    replacement = "A" if token[position] != "A" else "B"
    return token[:position] + replacement + token[position + 1 :]


@pytest.mark.parametrize("position", [0, 5, -30, -1])
def test_an_altered_link_does_not_work(client, photo, highways, position):
    token = token_of(signed_file_url(photo, highways.pk))

    assert client.get(f"/files/{altered(token, position)}/").status_code == 404
    assert not FileFetch.objects.exists()


@pytest.mark.parametrize(
    "token",
    [
        signing.dumps({"f": 1, "c": 1}, salt="dashboard.tracking"),  # signed for something else
        signing.dumps("not a dict", salt=SALT),
        signing.dumps({"f": "1", "c": 1}, salt=SALT),
        signing.dumps({"f": 1}, salt=SALT),
        "x",
        "a" * 2000,
        "%00",
        "::",
    ],
    # Signed tokens carry the time they were made: named by position, so that every xdist
    # worker collects the same test ids.
    ids=[
        "signed-for-something-else",
        "not-a-dict",
        "file-id-as-text",
        "no-connection",
        "one-letter",
        "very-long",
        "nul",
        "separators-only",
    ],
)
def test_a_link_that_is_no_file_link_is_not_found(client, photo, highways, token):
    assert client.get(f"/files/{token}/").status_code == 404
    assert not FileFetch.objects.exists()


def test_a_link_to_a_file_deleted_by_retention_does_not_work(client, photo, highways):
    url = path_of(signed_file_url(photo, highways.pk))
    photo.deleted_at = timezone.now()
    photo.save()

    assert client.get(url).status_code == 404
    assert client.head(url).status_code == 404
    assert not FileFetch.objects.exists()


def test_a_link_to_a_file_whose_bytes_are_gone_does_not_work(client, photo, highways):
    url = path_of(signed_file_url(photo, highways.pk))
    default_storage.delete(photo.storage_name)

    assert client.get(url).status_code == 404
    assert client.head(url).status_code == 404
    assert not FileFetch.objects.exists()


def test_a_link_made_for_a_connection_since_removed_does_not_work(client, photo, highways):
    url = path_of(signed_file_url(photo, highways.pk))
    highways.delete()

    assert client.get(url).status_code == 404
    assert not FileFetch.objects.exists()


def test_only_get_and_head_are_answered(client, photo, highways):
    url = path_of(signed_file_url(photo, highways.pk))

    for method in (client.post, client.put, client.delete):
        assert method(url).status_code == 405
    assert not FileFetch.objects.exists()


def test_a_source_that_tries_many_bad_links_is_refused_even_a_good_one(
    client, photo, highways, one_rate_window
):
    # Given a source that has tried as many links that do not work as it may in a minute (an
    # address of its own: other tests' servers fetch links from 127.0.0.1 in the background)
    source = {"REMOTE_ADDR": "203.0.113.9"}
    limit = int(views.BAD_LINKS_PER_CLIENT.rate.partition("/")[0])
    for n in range(limit):
        assert client.get(f"/files/guess-{n}/", **source).status_code == 404

    # When it tries once more, even with a genuine link
    response = client.get(path_of(signed_file_url(photo, highways.pk)), **source)

    # Then it is told to wait, and nothing is sent or recorded
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert not FileFetch.objects.exists()


def test_a_source_fetching_too_often_is_told_to_wait(
    client, photo, highways, monkeypatch, one_rate_window
):
    # Given a limit of three requests a minute from one source
    monkeypatch.setattr(views, "REQUESTS_PER_CLIENT", ratelimit.Limit("test:file-links", "3/m"))
    url = path_of(signed_file_url(photo, highways.pk))

    statuses = [client.get(url).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert FileFetch.objects.count() == 3
