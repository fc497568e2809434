"""Driving a resident's journey through a form in real Chromium, checking every page on the way.

`Journey` wraps a Playwright page. Whatever a test does, every document the browser loads must
be checked with axe-core at desktop width and at 320 pixels before the next one loads:
`finish()` fails, naming the pages, if one was not. Steps that submit a form wait for the
navigation they start, never for a time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.test import Client
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.browser.conftest import BrowserPage, assert_accessible_at

REFERENCE = re.compile(r"^[A-HJ-NPR-Z2-9]{4}-[A-HJ-NPR-Z2-9]{4}$")
WIDTHS = ("desktop", "phone-320")


def sign_in(context: BrowserContext, base_url: str, user: Any) -> None:
    """Give the browser a signed-in session, as the sign-in page would (tested elsewhere)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[_session_cookie_name()]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


def _session_cookie_name() -> str:
    from django.conf import settings

    return str(settings.SESSION_COOKIE_NAME)


@dataclass
class Journey:
    browser_page: BrowserPage
    audited: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    _current: str | None = None
    _current_audited: bool = True

    def __post_init__(self) -> None:
        self.page.on("domcontentloaded", self._new_document)

    @property
    def page(self) -> Page:
        return self.browser_page.page

    @property
    def javascript(self) -> bool:
        return self.browser_page.javascript

    def _new_document(self, page: Page) -> None:
        if self._current is not None and not self._current_audited:
            self.missed.append(self._current)
        self._current, self._current_audited = page.url, False

    # --- Checking pages ------------------------------------------------------------------------

    def audit(self) -> None:
        """axe-core on the page as it is now, at desktop width and at 320 pixels."""
        self.page.wait_for_load_state()
        assert_accessible_at(self.page, WIDTHS)
        self.audited.append(self.page.url)
        self._current_audited = True

    def finish(self) -> None:
        assert self._current_audited, f"{self.page.url} was not checked with axe"
        assert not self.missed, f"pages not checked with axe: {self.missed}"
        self.browser_page.problems.assert_none()

    # --- Moving on -----------------------------------------------------------------------------

    def goto(self, path: str) -> None:
        self.page.goto(path)
        self.audit()

    def submit(self, button: Locator) -> None:
        """Press a button that sends a form, wait for the page it leads to, and check it."""
        with self.page.expect_navigation():
            button.click()
        self.audit()

    def follow(self, link: Locator) -> None:
        with self.page.expect_navigation():
            link.click()
        self.audit()

    def button(self, name: str) -> Locator:
        return self.page.locator("main").get_by_role("button", name=name, exact=True)

    def continue_(self) -> None:
        self.submit(self.button("Continue"))

    def back(self) -> None:
        self.follow(self.page.get_by_role("link", name="Back", exact=True))

    def expect_page(self, page_id: str) -> None:
        expect(self.page).to_have_url(re.compile(rf"/{re.escape(page_id)}/(\?.*)?$"))

    def expect_heading(self, text: str) -> None:
        expect(self.page.get_by_role("heading", level=1)).to_have_text(text)

    # --- Answering -----------------------------------------------------------------------------

    def fill(self, label: str, value: str) -> None:
        self.page.get_by_label(label, exact=True).fill(value)

    def choose(self, label: str) -> None:
        self.page.get_by_role("radio", name=label, exact=True).check()

    def tick(self, *labels: str) -> None:
        for label in labels:
            self.page.get_by_role("checkbox", name=label, exact=True).check()

    def untick(self, *labels: str) -> None:
        for label in labels:
            self.page.get_by_role("checkbox", name=label, exact=True).uncheck()

    def date(self, day: int | str, month: int | str, year: int | str) -> None:
        self.fill("Day", str(day))
        self.fill("Month", str(month))
        self.fill("Year", str(year))

    def answer(self, do: Callable[[], None] | None = None) -> None:
        """Answer the page (or accept what it shows) and continue."""
        if do is not None:
            do()
        self.continue_()

    # --- Errors --------------------------------------------------------------------------------

    def expect_error(self, message: str) -> None:
        """The GOV.UK error pattern: "Error: " in the title, a summary linking to the field,
        the message beside the field; with JavaScript the summary takes focus and its link
        moves focus to the field."""
        page = self.page
        expect(page).to_have_title(re.compile(r"^Error: "))
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_visible()
        link = summary.get_by_role("link", name=message, exact=True)
        expect(link).to_be_visible()
        href = link.get_attribute("href") or ""
        assert href.startswith("#"), href
        target = page.locator(f"[id='{href[1:]}']")
        expect(target).to_have_count(1)
        expect(target).to_be_visible()
        expect(page.locator(".govuk-error-message").filter(has_text=message)).to_be_visible()
        if self.javascript:
            expect(summary).to_be_focused()
            link.click()
            expect(target).to_be_focused()

    def expect_no_error(self) -> None:
        expect(self.page.locator(".govuk-error-summary")).to_have_count(0)

    # --- Check your answers and send -----------------------------------------------------------

    def expect_answer(self, key: str, value: str | re.Pattern[str]) -> None:
        row = self.page.locator(".govuk-summary-list__row").filter(
            has=self.page.locator("dt", has_text=re.compile(rf"^{re.escape(key)}$"))
        )
        expect(row.locator(".govuk-summary-list__value")).to_have_text(value)

    def change(self, key: str) -> None:
        self.follow(self.page.get_by_role("link", name=f"Change {key}", exact=True))

    def send(self) -> str:
        """Accept and send; returns the reference shown on the confirmation page."""
        self.submit(self.button("Accept and send"))
        self.expect_heading("Request sent")
        reference = self.page.locator("#reference").inner_text().strip()
        assert REFERENCE.fullmatch(reference), reference
        return reference
