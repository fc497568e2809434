"""The harness itself: the accessibility check must fail on an inaccessible page, with JavaScript
on or off, and nothing a page asks for may leave loopback."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BrowserPage, assert_accessible

pytestmark = pytest.mark.browser


def test_assert_accessible_lists_each_violation(desktop_page: BrowserPage, live_server):
    page = desktop_page.page
    # A page of our own with two WCAG failures: an image without alt text, an unlabelled input.
    page.route(
        "**/broken/",
        lambda route: route.fulfill(
            content_type="text/html",
            body='<!DOCTYPE html><html lang="en"><title>Broken</title><main>'
            '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
            '<input type="text"></main></html>',
        ),
    )
    page.goto("/broken/")

    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(page)

    assert "image-alt" in str(failure.value)
    assert "label" in str(failure.value)


def test_assert_accessible_checks_each_new_page_not_the_first_again(
    desktop_page: BrowserPage, live_server
):
    """Without JavaScript the check reuses one copy of the page; a later page's faults count."""
    page = desktop_page.page

    def serve(title: str, main: str) -> str:
        return f'<!DOCTYPE html><html lang="en"><title>{title}</title><main>{main}</main></html>'

    clean = serve("Clean", "<h1>Clean</h1><p>Nothing wrong here.</p>")
    broken = serve("Broken", '<h1>Broken</h1><input type="text">')
    page.route("**/clean/", lambda route: route.fulfill(content_type="text/html", body=clean))
    page.route("**/broken/", lambda route: route.fulfill(content_type="text/html", body=broken))
    page.goto("/clean/")
    assert_accessible(page)
    page.goto("/broken/")

    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(page)

    assert "label" in str(failure.value)
    assert "/broken/" in str(failure.value)


@pytest.mark.parametrize("javascript", [True], ids=["js"])
def test_map_tiles_are_answered_here_and_any_other_request_off_loopback_is_refused(
    desktop_page: BrowserPage, live_server, settings
):
    settings.MAP_TILE_URL = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    page = desktop_page.page
    body = (
        '<!DOCTYPE html><html lang="en"><title>Outside</title><main>'
        '<img id="tile" alt="" src="https://a.tiles.example.org/13/4075/2724.png">'
        '<img id="other" alt="" src="https://www.example.org/tracker.gif"></main></html>'
    )
    page.route("**/outside/", lambda route: route.fulfill(content_type="text/html", body=body))

    page.goto("/outside/")

    expect(page.locator("#tile")).to_have_js_property("naturalWidth", 256)
    assert desktop_page.problems.outside_loopback == [
        "a request outside loopback: https://www.example.org/tracker.gif"
    ]
