"""Every resident page fits a 320 pixel wide screen: nothing is cut off or scrolls sideways.

WCAG 2.2's reflow criterion (1.4.10) asks for content that works at 320 CSS pixels without
horizontal scrolling. One test opens every page a resident can reach, in the states that change
its width most (a long table, addresses to choose from, errors), with JavaScript on and off, and
lists every page wider than the screen.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page

from portal.dashboard.tracking import make_token
from services.drafts import start_draft
from services.models import Service, Submission
from services.seed import seed_catalogue
from tests.browser.conftest import _open_page, assert_accessible, close_page
from tests.browser.journeys import sign_in
from tests.portal.accounts.factories import UserFactory
from tests.portal.dashboard.factories import DraftFactory, SubmissionFactory, live_version
from tests.portal.journey.forms import EVERY_TYPE, live_service

pytestmark = pytest.mark.browser

WIDTH = 320
POTHOLE_ANSWERS = {
    "immediate_danger": "no",
    "pothole_location": {
        "lat": 52.241445,
        "lng": -0.904485,
        "description": "Outside 12 High Street, by the bus stop on the corner of Mill Lane",
    },
    "surface": "road",
    "pothole_size": "large",
}


def too_wide(page: Page) -> str | None:
    """The page's width and its widest element if it scrolls sideways at this size, else None."""
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= WIDTH:
        return None
    widest = page.evaluate(
        """() => {
            let worst = null;
            for (const el of document.querySelectorAll('main *, header *, footer *')) {
                const right = el.getBoundingClientRect().right;
                if (right > window.innerWidth && (!worst || right > worst.right)) {
                    worst = {right, tag: el.tagName.toLowerCase() + (el.className ? '.' +
                        String(el.className).trim().split(/\\s+/).join('.') : '')};
                }
            }
            return worst ? `${worst.tag} reaches ${Math.round(worst.right)}px` : '';
        }"""
    )
    return f"{page.url}: {width}px wide; {widest}"


class Widths:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        self.seen = 0

    def check(self, path: str | None = None, then: Callable[[Page], None] | None = None) -> None:
        """Open `path` (or stay), do `then` (a step within the page), and measure it."""
        if path is not None:
            self.page.goto(path)
        if then is not None:
            then(self.page)
        self.page.wait_for_load_state()
        self.seen += 1
        problem = too_wide(self.page)
        if problem:
            self.problems.append(problem)


def find_address(page: Page) -> None:
    page.get_by_label("Postcode").fill("ZZ99 1AB")
    page.get_by_role("button", name="Find address").click()


def type_address(page: Page) -> None:
    page.get_by_role("button", name="Enter the address manually").click()


def send_empty(page: Page) -> None:
    page.locator("main form button[type=submit]").last.click()


@pytest.fixture
def resident_with_history(transactional_db):
    """A resident with many requests (a long account table), a draft and one of each form."""
    seed_catalogue()
    live_service(EVERY_TYPE, "every-type")
    resident = UserFactory(
        full_name="Ada Lovelace-Byron of Middlehampton",
        address={
            "uprn": "999900001066",
            "line1": "Flat 5, Mill House",
            "line2": "3 Mill Lane",
            "town": "Middlehampton",
            "postcode": "ZZ99 1AB",
        },
    )
    pothole = Service.objects.get(slug="report-pothole").live_version
    for status in Submission.Status.values:
        SubmissionFactory(user=resident, status=status)
    SubmissionFactory(user=resident, form_version=pothole, answers=POTHOLE_ANSWERS)
    DraftFactory(user=resident)
    return resident


def test_every_resident_page_fits_a_320_pixel_screen(
    browser: Browser, live_server, javascript: bool, resident_with_history
):
    resident = resident_with_history
    pothole = Submission.objects.filter(user=resident, service__slug="report-pothole").get()
    SubmissionFactory(user=None, contact_email="guest.person@example.org")
    guest = Submission.objects.get(user=None)
    every_type = start_draft(live_version("every-type"), user=resident)
    checking = start_draft(live_version("report-pothole"), user=resident)
    checking.answers, checking.last_page = POTHOLE_ANSWERS, "photo"
    checking.save()
    problems: list[str] = []
    seen = 0

    # Signed out: the shell, the catalogue, tracking, statements, signing in and the error pages.
    visitor = _open_page(browser, live_server.url, javascript, "phone-320")
    try:
        widths = Widths(visitor.page)
        for path in [
            "/",
            "/services/",
            "/services/?q=bin",
            "/services/report-pothole/",
            "/track/",
            f"/track/{make_token(guest)}/",
            "/track/not-a-real-link/",
            "/cookies/",
            "/accessibility-statement/",
            "/privacy-notice/",
            "/contact/",
            "/accounts/login/",
            "/accounts/signup/",
            "/accounts/password/reset/",
            "/accounts/password/reset/done/",
            "/accounts/login/code/",
            "/no-such-page/",
            "/cy/",
            "/cy/services/",
        ]:
            widths.check(path)
        widths.check("/track/", send_empty)
        widths.check("/accounts/signup/", send_empty)
        problems += widths.problems
        seen += widths.seen
    finally:
        close_page(visitor.page)

    # Signed in: the account, a request, the profile, every question type, check and confirmation.
    signed_in = _open_page(browser, live_server.url, javascript, "phone-320")
    try:
        sign_in(signed_in.page.context, live_server.url, resident)
        widths = Widths(signed_in.page)
        widths.check("/account/")
        widths.check("/account/requests/")
        widths.check("/account/requests/?show=closed")
        widths.check(f"/account/requests/{pothole.reference}/")
        widths.check("/account/profile/")
        widths.check("/account/profile/", type_address)
        widths.check("/account/notifications/")
        widths.check("/cy/account/notifications/")
        every_type_pages = [page["id"] for page in EVERY_TYPE["pages"]]
        for page_id in every_type_pages:
            widths.check(f"/services/every-type/{every_type.id}/{page_id}/")
        address_page = next(p for p in every_type_pages if "address" in p)
        widths.check(f"/services/every-type/{every_type.id}/{address_page}/", find_address)
        widths.check(f"/services/every-type/{every_type.id}/{address_page}/", type_address)
        widths.check(f"/services/report-pothole/{checking.id}/check-your-answers/")
        widths.check(f"/services/report-pothole/sent/{pothole.reference}/")
        for path in [
            "/accounts/email/",
            "/accounts/password/change/",
            "/accounts/2fa/",
            "/accounts/sessions/",
        ]:
            widths.check(path)
        problems += widths.problems
        seen += widths.seen
    finally:
        close_page(signed_in.page)

    assert seen > 40
    assert problems == [], "pages wider than 320 pixels:\n" + "\n".join(problems)


def test_tables_that_stack_on_phones_are_accessible(browser_page, resident_with_history):
    # Given the pages whose tables stack their rows on a phone: the cookies and the account
    page = browser_page.page

    # Then each passes axe-core at its width (desktop: a table; phone: stacked rows)
    page.goto("/cookies/")
    assert_accessible(page)
    sign_in(page.context, page.url.split("/cookies/")[0], resident_with_history)
    page.goto("/account/")
    assert_accessible(page)
    assert too_wide(page) is None or browser_page.viewport == "desktop"
    browser_page.problems.assert_none()
