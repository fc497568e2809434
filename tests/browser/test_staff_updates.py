"""An agent sends a resident's failed update to a back office again from the case's timeline,
in real Chromium, JavaScript on and off, accessible at 1280 and 320 px."""

import os
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from playwright.sync_api import expect

from tests.browser.conftest import BrowserPage, assert_accessible, assert_accessible_at
from tests.browser.journeys import WIDTHS, sign_in
from tests.browser.test_staff import agent_and_case
from tests.portal.staff.test_updates import failed_update

__all__ = ["agent_and_case"]

pytestmark = pytest.mark.browser

# Where to save screenshots of the page to look at (SCREENSHOTS=/some/dir); none when unset.
SCREENSHOTS = os.environ.get("SCREENSHOTS", "")


def test_an_agent_sends_a_failed_update_again(
    desktop_page: BrowserPage, live_server, agent_and_case
):
    agent, case = agent_and_case
    update = failed_update(case)
    alerted_before = update.alerted_at
    page = desktop_page.page
    sign_in(page.context, live_server.url, agent)

    page.goto(f"/staff/cases/{case.reference}/timeline/")
    expect(page.get_by_role("heading", name="Updates not sent")).to_be_visible()
    assert_accessible_at(page, WIDTHS)
    if SCREENSHOTS:
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(Path(SCREENSHOTS) / f"timeline-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("button", name=f"Send again the update to {update.connection.name}").click()

    expect(
        page.get_by_text(f"The update will be sent to {update.connection.name} again now")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Updates not sent")).to_have_count(0)
    assert_accessible(page)
    # Made pending with a fresh budget and its alert cleared. The session's shared worker may
    # already have taken it since (and even failed it again, alerting anew), so its state now
    # is not the proof; the alert's time and who sent it again are.
    update.refresh_from_db()
    assert update.alerted_at is None or update.alerted_at > alerted_before
    assert LogEntry.objects.filter(
        object_id=str(case.pk), change_message__startswith=f"Send again: update {update.pk} "
    ).exists()
    desktop_page.problems.assert_none()
