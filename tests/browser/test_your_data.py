"""Your data and deleting your account in real Chromium: the password asked again, the ZIP
downloaded, the data seen on screen, the deletion refused until confirmed, then done; every page
accessible with JavaScript on and off, at 1280 and 320 pixels."""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from services.models import Submission
from tests.browser.conftest import BrowserPage, assert_accessible
from tests.browser.journeys import sign_in
from tests.portal.accounts.factories import PASSWORD, UserFactory
from tests.services.privacy.conftest import make_case
from tests.services.privacy.conftest import storage as storage  # the fixture

pytestmark = pytest.mark.browser

# Screenshots for people to look at (not compared): set SCREENSHOTS to a folder to keep them.
SCREENSHOTS = os.environ.get("SCREENSHOTS", "")


def shot(browser_page: BrowserPage, name: str) -> None:
    if SCREENSHOTS:
        variant = f"{browser_page.viewport}-{'js' if browser_page.javascript else 'nojs'}"
        path = Path(SCREENSHOTS) / f"{name}-{variant}.png"
        browser_page.page.screenshot(path=str(path), full_page=True)


def give_password_again(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()


@pytest.fixture
def resident():
    return UserFactory.create(email="ann@example.org", full_name="Ann Example")


def test_a_resident_downloads_and_sees_their_data(
    browser_page: BrowserPage, live_server, resident, storage
):
    # Given a resident with a request, signed in
    page = browser_page.page
    case = make_case(storage, user=resident, details="Pothole by the school gates")
    sign_in(page.context, live_server.url, resident)

    # When they open "Your data" from their account
    page.goto("/account/")
    page.get_by_role("link", name="See or download your data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
    assert_accessible(page)
    shot(browser_page, "your-data")

    # and download it, giving their password again first
    page.get_by_role("button", name="Download your data (ZIP)").click()
    with page.expect_download() as download:
        give_password_again(page)
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))

    # Then the ZIP holds their request with its files
    data = json.loads(archive.read("your-data.json"))
    assert [r["reference"] for r in data["requests"]] == [case.reference]
    assert len([n for n in archive.namelist() if n.startswith("files/")]) == 2

    # And they can see it all on screen too
    page.goto("/account/your-data/")
    page.get_by_role("link", name="See your data on screen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Everything we hold about you")
    expect(page.get_by_text("Pothole by the school gates")).to_be_visible()
    assert_accessible(page)
    shot(browser_page, "your-data-seen")
    browser_page.problems.assert_none()


def test_a_resident_deletes_their_account(
    browser_page: BrowserPage, live_server, resident, storage
):
    # Given a resident with a request, signed in
    page = browser_page.page
    case = make_case(storage, user=resident)
    sign_in(page.context, live_server.url, resident)

    # When they choose to delete their account, giving their password again
    page.goto("/account/")
    page.get_by_role("link", name="Delete your account").click()
    give_password_again(page)

    # Then the page says what goes and what is kept
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your account")
    expect(page.get_by_role("heading", name="What we keep, and for how long")).to_be_visible()
    assert_accessible(page)
    shot(browser_page, "account-delete")

    # When they press the button without confirming, they are told what to do
    page.get_by_role("button", name="Delete your account").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Confirm that you want to delete your account"
    )
    assert_accessible(page)
    shot(browser_page, "account-delete-error")
    resident.refresh_from_db()
    assert resident.is_active

    # When they confirm, the account is deleted and they are signed out
    page.get_by_label("I understand that my account will be deleted").check()
    page.get_by_role("button", name="Delete your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account has been deleted")
    assert_accessible(page)
    shot(browser_page, "account-deleted")
    resident.refresh_from_db()
    assert not resident.is_active
    assert Submission.objects.get(pk=case.pk).user is None
    page.goto("/account/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    browser_page.problems.assert_none()
