"""'Your requests' and a request's page in real Chromium: JavaScript on and off, at 1280 and at
320 pixels, in English and Welsh. Every page axe-core clean and no wider than the screen; the
filters and pages are links, so they work without JavaScript."""

from __future__ import annotations

import os
import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from services.models import CaseUpdate, Service, Submission, SubmissionFile
from services.seed import seed_catalogue
from tests.browser.conftest import BrowserPage, assert_accessible
from tests.browser.journeys import sign_in
from tests.browser.test_layout import too_wide
from tests.portal.accounts.factories import UserFactory
from tests.portal.dashboard.factories import SubmissionFactory, live_version

pytestmark = pytest.mark.browser

Status = Submission.Status
# Set to a directory to keep a screenshot of each page checked (to look at, not compared).
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", "")


@pytest.fixture
def resident_with_requests(transactional_db):
    """A resident with 14 requests over two pages: one waiting for their reply (with the
    officer's question), a pothole report with a photo and a long history, some closed."""
    seed_catalogue()
    Service.objects.filter(slug="report-missed-bin").update(target_working_days=2)
    Service.objects.filter(slug="report-pothole").update(target_working_days=10)
    resident = UserFactory(full_name="Ada Lovelace-Byron of Middlehampton")
    officer = UserFactory(full_name="Officer")
    now = timezone.now()
    statuses = [Status.CLOSED_FIXED, Status.DUPLICATE, Status.IN_PROGRESS, Status.RECEIVED] * 3
    for n, status in enumerate(statuses):
        made = SubmissionFactory(user=resident, status=status)
        Submission.objects.filter(pk=made.pk).update(created_at=now - timedelta(days=40 - n))
    pothole = SubmissionFactory(
        user=resident,
        status=Status.ACTION_SCHEDULED,
        form_version=live_version("report-pothole"),
        answers={},
    )
    Submission.objects.filter(pk=pothole.pk).update(created_at=now - timedelta(days=3))
    for n, (status, english, welsh) in enumerate(
        [
            (Status.IN_PROGRESS, "An inspector will look at it.", "Bydd arolygydd yn edrych arno."),
            (
                Status.ACTION_SCHEDULED,
                "A crew will fill it in on Thursday morning, weather permitting.",
                "Bydd criw yn ei lenwi fore Iau, os bydd y tywydd yn caniatáu.",
            ),
        ]
    ):
        _officer_update(pothole, officer, status, now - timedelta(days=2 - n), english, welsh)
    SubmissionFile.objects.create(
        submission=pothole,
        question_id="photo",
        name="pothole-outside-number-12-high-street-by-the-bus-stop-on-mill-lane.jpg",
        storage_name="uploads/" + "0" * 32 + ".jpg",
        content_type="image/jpeg",
        size=2_345_678,
        sha256="0" * 64,
    )
    waiting = SubmissionFactory(user=resident, status=Status.NEEDS_INFORMATION)
    Submission.objects.filter(pk=waiting.pk).update(created_at=now - timedelta(days=1))
    _officer_update(
        waiting,
        officer,
        Status.NEEDS_INFORMATION,
        now - timedelta(hours=1),
        "Which colour is the bin we missed: green, blue or black?",
        "Pa liw yw’r bin a fethwyd gennym: gwyrdd, glas neu ddu?",
    )
    return {"resident": resident, "pothole": pothole, "waiting": waiting}


def _officer_update(submission, officer, status, at, english, welsh):
    CaseUpdate.objects.create(
        submission=submission,
        changed_by=officer,
        source=CaseUpdate.Source.STAFF,
        update_id=uuid.uuid4().hex,
        portal_status=status,
        occurred_at=at,
        public_text_en=english,
        public_text_cy=welsh,
        applied=True,
        outcome=CaseUpdate.Outcome.APPLIED,
    )


def check(browser_page: BrowserPage, name: str) -> None:
    """axe-core clean and no wider than the screen, at the page's width; kept as a screenshot
    when SCREENSHOT_DIR is set."""
    page = browser_page.page
    assert_accessible(page)
    assert too_wide(page) is None or browser_page.viewport == "desktop", too_wide(page)
    if SCREENSHOTS:
        js = "js" if browser_page.javascript else "no-js"
        path = Path(SCREENSHOTS) / f"{name}-{browser_page.viewport}-{js}.png"
        page.screenshot(path=str(path), full_page=True)


def cards(page: Page):
    return page.locator(".council-request-list > li")


def test_a_resident_pages_filters_and_opens_their_requests(
    browser_page: BrowserPage, live_server, resident_with_requests
):
    page = browser_page.page
    sign_in(page.context, live_server.url, resident_with_requests["resident"])

    # The account's home: the newest three, and what needs a reply
    page.goto("/account/")
    expect(page.get_by_text("1 request needs your reply")).to_be_visible()
    expect(cards(page)).to_have_count(3)
    check(browser_page, "account")

    # All of them, ten to a page, newest first
    page.get_by_role("link", name="See all 14 of your requests").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your requests")
    expect(cards(page)).to_have_count(10)
    expect(cards(page).first).to_contain_text("Needs your reply")
    check(browser_page, "requests")
    page.get_by_role("link", name="Next page").click()
    expect(cards(page)).to_have_count(4)
    expect(page).to_have_title(re.compile(r"^Your requests \(page 2 of 2\) – "))
    check(browser_page, "requests-page-2")

    # Just the closed ones, then just the one waiting for me
    filters = page.get_by_role("navigation", name="Which requests to show")
    filters.get_by_role("link", name="Closed (6)").click()
    expect(cards(page)).to_have_count(6)
    expect(filters.get_by_role("link", name="Closed (6)")).to_have_attribute("aria-current", "page")
    check(browser_page, "requests-closed")
    filters = page.get_by_role("navigation", name="Which requests to show")
    filters.get_by_role("link", name="Needs your reply (1)").click()
    expect(cards(page)).to_have_count(1)

    # Its page asks for the reply first, with the council's question
    waiting = resident_with_requests["waiting"]
    title = cards(page).first.get_by_role("heading", level=2)
    expect(title).to_contain_text(waiting.reference)  # hidden, for screen readers
    title.get_by_role("link").click()
    banner = page.get_by_role("region", name="Important")
    expect(banner).to_contain_text("Which colour is the bin we missed")
    expect(banner.get_by_role("link", name="Reply to us")).to_have_attribute("href", "#reply")
    check(browser_page, "request-needs-reply")

    browser_page.problems.assert_none()


def test_a_request_page_shows_its_progress_files_and_target_date(
    browser_page: BrowserPage, live_server, resident_with_requests
):
    page = browser_page.page
    sign_in(page.context, live_server.url, resident_with_requests["resident"])
    pothole = resident_with_requests["pothole"]

    page.goto(f"/account/requests/{pothole.reference}/")
    expect(page.get_by_text("We aim to respond within 10 working days, by")).to_be_visible()
    expect(page.get_by_text("A crew will fill it in on Thursday morning")).to_be_visible()
    expect(page.get_by_text(re.compile(r"JPEG image, 2\.2\sMB"))).to_be_visible()
    check(browser_page, "request")

    # In Welsh: the officer's Welsh words
    page.goto(f"/cy/account/requests/{pothole.reference}/")
    expect(page.get_by_text("Bydd criw yn ei lenwi fore Iau")).to_be_visible()
    expect(page.get_by_text("Rydym yn anelu at ymateb o fewn 10 diwrnod gwaith")).to_be_visible()
    check(browser_page, "request-cy")
    page.goto("/cy/account/requests/?show=open")
    expect(page.get_by_role("heading", level=1)).to_have_text("Eich ceisiadau")
    check(browser_page, "requests-cy")

    # A made-up page and filter show the first page, not an error
    page.goto("/account/requests/?page=banana&show=%00")
    expect(cards(page)).to_have_count(10)

    browser_page.problems.assert_none()
