"""Check the progress of a request in real Chromium, JavaScript on and off: from the home page,
through the GOV.UK error pattern, to the request's page; axe-core clean at 1280 and 320 pixels."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from services.models import Submission
from services.seed import seed_catalogue
from tests.browser.conftest import BrowserPage, assert_accessible_at
from tests.browser.journeys import WIDTHS
from tests.browser.test_layout import too_wide
from tests.portal.dashboard.factories import SubmissionFactory
from tests.services.seeding import seed_live_catalogue

pytestmark = pytest.mark.browser

# Set to a directory to keep screenshots at 1280 and 375 pixels (to look at, not compared).
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", "")


def check(browser_page: BrowserPage, name: str) -> None:
    """axe-core clean and no wider than the screen at 1280 and 320 pixels; kept as screenshots."""
    page = browser_page.page
    assert_accessible_at(page, WIDTHS)
    for width in (1280, 375, 320):
        page.set_viewport_size({"width": width, "height": 800})
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, (width, too_wide(page))
        if SCREENSHOTS and width != 320:
            js = "js" if browser_page.javascript else "no-js"
            shot = Path(SCREENSHOTS) / f"track-{name}-{width}-{js}.png"
            page.screenshot(path=str(shot), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


def ask(page: Page, reference: str, postcode: str, *, button: str = "Continue") -> None:
    page.get_by_label("Reference number").fill(reference)
    page.get_by_label("Postcode").fill(postcode)
    page.get_by_role("button", name=button).click()


def test_a_guest_finds_their_request_by_its_reference_and_postcode(
    desktop_page: BrowserPage, live_server, transactional_db
):
    seed_catalogue()
    case: Submission = SubmissionFactory.create(user=None, contact_email="guest@example.org")
    page = desktop_page.page

    # Given a guest on the home page, who follows its link
    page.goto("/")
    check(desktop_page, "home")
    page.get_by_role("link", name="Check the progress of a request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the progress of a request")
    check(desktop_page, "empty")

    # When they continue without answering, they are told what to give
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter your reference number")
    expect(summary).to_contain_text("Enter the postcode, or the email address or phone number")
    check(desktop_page, "missing")

    # When the postcode is wrong, the one error says neither which part
    ask(page, case.reference, "ZZ99 9ZZ")
    expect(summary).to_contain_text("We could not find a request with that reference and postcode")
    check(desktop_page, "no-match")

    # When they give both as they might type them, they see their request
    ask(page, case.reference.lower().replace("-", " "), "zz991aa")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Request {case.reference}")
    expect(page.get_by_text("Garden waste (brown bin)")).to_be_visible()
    check(desktop_page, "found")
    desktop_page.problems.assert_none()


def test_checking_progress_in_welsh(desktop_page: BrowserPage, live_server, transactional_db):
    seed_catalogue()
    case: Submission = SubmissionFactory.create(user=None, contact_email="guest@example.org")
    page = desktop_page.page

    page.goto("/cy/track/")
    page.get_by_label("Cyfeirnod").fill(case.reference)
    page.get_by_label("Cod post").fill("ZZ99 9ZZ")
    page.get_by_role("button", name="Parhau").click()

    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Ni allem ddod o hyd i gais gyda’r cyfeirnod a’r cod post hynny"
    )
    check(desktop_page, "no-match-cy")
    desktop_page.problems.assert_none()


def test_too_many_tries_get_a_page_that_says_how_long_to_wait(
    desktop_page: BrowserPage, live_server, transactional_db
):
    seed_catalogue()
    page = desktop_page.page
    page.goto("/track/")

    # Given five tries with references that exist nowhere
    for n in range(5):
        ask(page, f"ABCD-EFG{n + 2}", "ZZ99 9ZZ")
        expect(page.locator(".govuk-error-summary")).to_be_visible()

    # When a sixth is made
    ask(page, "ABCD-EFGH", "ZZ99 9ZZ")

    # Then the page says what happened and how long to wait
    expect(page.get_by_role("heading", level=1)).to_have_text("You have tried too many times")
    expect(page.get_by_text("Wait 10 minutes, then try again.")).to_be_visible()
    check(desktop_page, "too-many")
    assert [f.split()[0] for f in desktop_page.problems.failed_responses] == ["429"]


def test_a_service_start_page_links_a_guest_to_check_progress(
    desktop_page: BrowserPage, live_server, transactional_db
):
    seed_live_catalogue()
    page = desktop_page.page

    page.goto("/services/report-pothole/")
    check(desktop_page, "start-page")
    page.get_by_role("link", name="Check the progress of a request").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check the progress of a request")
    desktop_page.problems.assert_none()
