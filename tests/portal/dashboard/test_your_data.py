"""The "Your data" and "Delete your account" pages: behind a fresh password, a resident's own
data only, clear errors, staff refused, and the worker-built download offered when ready."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.test import Client

from portal.accounts.roles import AGENT
from services.models import DataExport, Submission
from services.privacy import export
from tests.portal.accounts.factories import PASSWORD, UserFactory
from tests.portal.accounts.helpers import assert_clear_error, sign_in, title
from tests.portal.conftest import CommittingClient
from tests.services.privacy.conftest import make_case
from tests.services.privacy.conftest import storage as storage  # the fixture

pytestmark = pytest.mark.django_db

REAUTHENTICATE = "/accounts/reauthenticate/"
YOUR_DATA = "/account/your-data/"
DELETE = "/account/delete/"


@pytest.fixture
def me():
    return UserFactory.create(email="ann@example.org", full_name="Ann Example")


def reauthenticated(client: Client) -> Client:
    """The password given again just now, as these pages ask (allauth's reauthentication)."""
    response = client.post(REAUTHENTICATE, {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


@pytest.fixture
def signed_in(me):
    """Signed in, and the password confirmed again just now."""
    client = CommittingClient()
    assert sign_in(client, me.email, PASSWORD).status_code == 302
    return reauthenticated(client)


@pytest.fixture
def left_open(me):
    """A session that has not proved the password recently (left open, or stolen)."""
    client = CommittingClient()
    client.force_login(me, backend="allauth.account.auth_backends.AuthenticationBackend")
    return client


def test_the_account_home_links_to_your_data_and_deleting_your_account(signed_in):
    html = signed_in.get("/account/").content.decode()
    assert f'href="{YOUR_DATA}"' in html
    assert f'href="{DELETE}"' in html


@pytest.mark.parametrize(
    "path",
    [
        "/account/your-data/see/",
        "/account/your-data/your-data.json",
        "/account/your-data/your-data.zip",
        "/account/your-data/prepared.zip",
        DELETE,
    ],
)
def test_seeing_downloading_or_deleting_asks_for_the_password_again(left_open, path):
    response = left_open.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(REAUTHENTICATE)


def test_signed_out_visitors_are_asked_to_sign_in(client):
    for path in (YOUR_DATA, "/account/your-data/your-data.zip", DELETE):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_zip_download_holds_my_data_and_files_and_nobody_elses(signed_in, me, storage):
    # Given a request of mine and one of someone else's
    mine = make_case(storage, user=me, details="My pothole")
    theirs = make_case(storage, user=UserFactory.create(), details="Their pothole")

    # When I download my data
    response = signed_in.get("/account/your-data/your-data.zip")

    # Then it is a ZIP download of my data, my files in it, nothing of theirs
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="your-data-')
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    data = json.loads(archive.read("your-data.json"))
    assert [r["reference"] for r in data["requests"]] == [mine.reference]
    assert len([n for n in archive.namelist() if n.startswith("files/")]) == 2
    assert theirs.reference not in archive.read("your-data.html").decode()


def test_the_json_download_and_the_page_show_my_data(signed_in, me, storage):
    mine = make_case(storage, user=me, details="My pothole")

    as_json = signed_in.get("/account/your-data/your-data.json")
    page = signed_in.get("/account/your-data/see/")

    assert as_json["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(as_json.content)["requests"][0]["reference"] == mine.reference
    assert page.status_code == 200
    assert title(page).startswith("Everything we hold about you")
    html = page.content.decode()
    assert mine.reference in html
    assert "My pothole" in html
    assert "Ann Example" in html


def test_a_large_account_prepares_its_download_then_offers_it(signed_in, me, storage, settings):
    # Given more requests than are zipped while I wait
    settings.DATA_EXPORT_INLINE_MAX_SUBMISSIONS = 1
    make_case(storage, user=me)
    make_case(storage, user=me)

    # When I open the page, I am offered to have it prepared (and no direct download)
    page = signed_in.get(YOUR_DATA).content.decode()
    assert "Prepare your download" in page
    assert signed_in.get("/account/your-data/your-data.zip")["Location"] == YOUR_DATA

    # When I ask for it, the page says it is being prepared, with a way to check again
    response = signed_in.post(YOUR_DATA)
    assert response.status_code == 302
    page = signed_in.get(YOUR_DATA).content.decode()
    assert "We are preparing your download" in page
    assert "Check again" in page
    assert signed_in.get("/account/your-data/prepared.zip")["Location"] == YOUR_DATA

    # When the worker has built it, the page offers it and it downloads
    export.build(DataExport.objects.get(user=me).pk)
    page = signed_in.get(YOUR_DATA).content.decode()
    assert "Your download is ready" in page
    response = signed_in.get("/account/your-data/prepared.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert len(json.loads(archive.read("your-data.json"))["requests"]) == 2


def test_the_delete_page_says_what_goes_and_what_is_kept_and_for_how_long(
    signed_in, me, storage, settings
):
    settings.SUBMISSION_RETENTION_DAYS = 730
    make_case(storage, user=me)

    response = signed_in.get(DELETE)

    assert response.status_code == 200
    html = " ".join(response.content.decode().split())
    assert "What we delete straight away" in html
    assert "What we keep, and for how long" in html
    assert "(1 request): 730 days" in html


def test_deleting_without_confirming_shows_a_clear_error_and_changes_nothing(signed_in, me):
    response = signed_in.post(DELETE, {"confirm": ""})

    assert_clear_error(response)
    assert "Confirm that you want to delete your account" in response.content.decode()
    me.refresh_from_db()
    assert me.is_active


@pytest.mark.parametrize(
    "junk", [{"confirm": "\x00"}, {"confirm": ["on", "off"]}, {"x": "y" * 5000}]
)
def test_bad_input_on_the_delete_page_never_500s(signed_in, me, junk):
    response = signed_in.post(DELETE, junk)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert_clear_error(response)
        me.refresh_from_db()
        assert me.is_active


def test_deleting_my_account_signs_me_out_and_keeps_my_request_without_me(signed_in, me, storage):
    # Given a request of mine
    case = make_case(storage, user=me)

    # When I confirm the deletion
    response = signed_in.post(DELETE, {"confirm": "on"})

    # Then I am told it is done, signed out, and my request is kept without my details
    assert response["Location"] == "/account/deleted/"
    done = signed_in.get("/account/deleted/")
    assert "Your account has been deleted" in done.content.decode()
    assert signed_in.get("/account/")["Location"].startswith("/accounts/login/")
    case.refresh_from_db()
    assert case.user is None
    assert case.contact_email == ""
    assert Submission.objects.filter(pk=case.pk).exists()
    # and the password no longer signs anyone in
    assert sign_in(Client(), "ann@example.org", PASSWORD).status_code == 200


def test_staff_cannot_delete_their_account_here():
    # Given a contact-centre agent signed in (with the second factor staff must have)
    from tests.portal.accounts.helpers import activate_totp

    agent = UserFactory.create(roles=[AGENT])
    activate_totp(agent)
    client = CommittingClient()
    client.force_login(agent, backend="allauth.account.auth_backends.AuthenticationBackend")
    reauthenticated(client)

    # When they open the page or post the form
    page = client.get(DELETE)
    posted = client.post(DELETE, {"confirm": "on"})

    # Then they are told to ask a system admin, and nothing is deleted
    assert page.status_code == 403
    assert "You cannot delete a council staff account here" in page.content.decode()
    assert posted.status_code == 403
    agent.refresh_from_db()
    assert agent.is_active


def test_the_pages_in_welsh(signed_in):
    response = signed_in.get("/cy" + YOUR_DATA)
    assert response.status_code == 200
    assert title(response).startswith("Eich data")
    response = signed_in.get("/cy" + DELETE)
    assert title(response).startswith("Dileu eich cyfrif")


def test_posting_anything_to_your_data_never_500s_and_prepares_nothing_for_a_small_account(
    signed_in, me
):
    for junk in ({}, {"x": "\x00"}, {"prepare": ["a", "b"]}):
        response = signed_in.post(YOUR_DATA, junk)
        assert response.status_code == 302
    assert not DataExport.objects.filter(user=me).exists()
    for path in (YOUR_DATA, "/account/your-data/see/", "/account/your-data/your-data.json"):
        assert signed_in.head(path).status_code == 200
    assert signed_in.put(YOUR_DATA).status_code == 405
