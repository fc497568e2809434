"""The accessibility check itself must fail on an inaccessible page, with JavaScript on or off."""

import pytest

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
