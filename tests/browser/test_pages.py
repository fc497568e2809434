"""Journeys through the portal's shell in real Chromium: every page accessible, with JavaScript on
and off, on a desktop and on a 320 pixel wide screen."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BrowserPage, assert_accessible
from tests.portal.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser

BRAND_COLOUR = "rgb(0, 87, 109)"  # $council-brand in portal/static_src/portal.scss


def test_home_page_is_styled_accessible_and_error_free(browser_page: BrowserPage):
    page = browser_page.page

    page.goto("/")

    expect(page).to_have_title("Report, request or apply – My Council")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Report, request or apply")
    # The compiled stylesheet loaded: the header carries the council's colour, not GOV.UK black.
    header = page.locator(".govuk-generic-header")
    assert header.evaluate("el => getComputedStyle(el).backgroundColor") == BRAND_COLOUR
    font = page.locator("h1").evaluate("el => getComputedStyle(el).fontFamily")
    assert "GDS Transport" not in font
    assert "arial" in font.lower()
    assert_accessible(page)
    # No console errors means no CSP violation either: the nonce'd script and the module ran.
    browser_page.problems.assert_none()


def test_components_are_enhanced_only_when_javascript_runs(browser_page: BrowserPage):
    page = browser_page.page

    page.goto("/")

    body_classes = page.locator("body").get_attribute("class") or ""
    skip_link = page.locator(".govuk-skip-link")
    if browser_page.javascript:
        assert "govuk-frontend-supported" in body_classes
        expect(skip_link).to_have_attribute("data-govuk-skip-link-init", "")
    else:
        assert "js-enabled" not in body_classes
        expect(skip_link).not_to_have_attribute("data-govuk-skip-link-init", "")
    # The navigation is usable either way: on a phone with JavaScript it sits behind "Menu".
    navigation = page.get_by_role("navigation", name="Menu")
    if browser_page.javascript and browser_page.viewport == "phone-320":
        page.get_by_role("button", name="Menu").click()
    expect(navigation.get_by_role("link", name="Sign in")).to_be_visible()


def test_accessibility_statement_is_accessible(browser_page: BrowserPage):
    page = browser_page.page

    page.goto("/")
    page.get_by_role("contentinfo").get_by_role("link", name="Accessibility statement").click()

    expect(page).to_have_url(re.compile(r"/accessibility-statement/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Accessibility statement")
    assert_accessible(page)
    browser_page.problems.assert_none()


def test_sign_in_page_is_accessible(browser_page: BrowserPage):
    page = browser_page.page

    page.goto("/accounts/login/")

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    browser_page.problems.assert_none()


def test_sign_up_errors_are_shown_and_accessible(browser_page: BrowserPage):
    page = browser_page.page
    page.goto("/accounts/signup/")

    # Sending the form empty: the server, not the browser, explains what is missing.
    page.locator("main form").get_by_role("button").last.click()

    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)
    # The POST worked, so the Secure CSRF cookie was kept on http://localhost.
    assert not [line for line in browser_page.problems.failed_responses if " 403 " in line]


def test_language_switcher_goes_to_the_same_page_in_welsh_and_back(desktop_page: BrowserPage):
    page = desktop_page.page
    page.goto("/accessibility-statement/")
    languages = page.get_by_role("navigation", name="Language")
    expect(languages.locator("[aria-current]")).to_have_text("English")

    languages.get_by_role("link", name="Cymraeg").click()

    expect(page).to_have_url(re.compile(r"/cy/accessibility-statement/$"))
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    languages = page.get_by_role("navigation", name=re.compile("Language|Iaith"))
    expect(languages.locator("[aria-current]")).to_have_text("Cymraeg")
    expect(languages.locator("a[hreflang=en]")).to_have_attribute("lang", "en")

    languages.get_by_role("link", name="English").click()

    expect(page).to_have_url(re.compile(r"^http://[^/]+/accessibility-statement/$"))
    expect(page.locator("html")).to_have_attribute("lang", re.compile(r"^en"))


def test_skip_link_is_first_in_tab_order_and_reaches_main_content(browser_page: BrowserPage):
    page = browser_page.page
    page.goto("/")

    page.keyboard.press("Tab")

    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()

    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"#main-content$"))
    if browser_page.javascript:
        # GOV.UK Frontend moves focus onto <main> itself, so screen readers start reading there.
        expect(page.locator("main")).to_be_focused()


def test_signed_in_resident_can_sign_out_without_javascript(desktop_page: BrowserPage):
    page = desktop_page.page
    resident = UserFactory()
    page.goto("/accounts/login/")
    page.get_by_label(re.compile("email", re.IGNORECASE)).first.fill(str(resident.email))
    page.get_by_label(re.compile("^password", re.IGNORECASE)).first.fill(PASSWORD)
    page.locator("main form").get_by_role("button", name=re.compile("sign in", re.I)).click()
    navigation = page.get_by_role("navigation", name="Menu")
    if desktop_page.javascript:
        expect(page.get_by_role("button", name="Menu")).to_be_hidden()  # desktop: no toggle
    expect(navigation.get_by_role("link", name="Your account")).to_be_visible()

    navigation.get_by_role("button", name="Sign out").click()

    expect(navigation.get_by_role("link", name="Sign in")).to_be_visible()
    expect(navigation.get_by_role("button", name="Sign out")).to_have_count(0)
    desktop_page.problems.assert_none()
