"""A list question ("add another") in real Chromium, JavaScript on and off: one item at a time,
the list with Change and Remove, a refused "no" while too few items are added, removing with a
confirmation, changing an item from check your answers, and sending. Every page is checked with
axe-core at desktop width and at 320 pixels (journeys.Journey), error states included.

With SCREENSHOT_DIR set, each list page is also saved there at 1280 and 320 pixels wide.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from services.models import Submission
from tests.browser.conftest import BrowserPage
from tests.browser.journeys import Journey
from tests.portal.journey.forms import live_service
from tests.portal.journey.test_repeat import BULKY

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", "")


@pytest.fixture
def journey(desktop_page: BrowserPage, transactional_db) -> Journey:
    live_service(BULKY, "bulky-items")
    return Journey(desktop_page)


def shoot(journey: Journey, name: str) -> None:
    if not SCREENSHOTS:
        return
    page = journey.page
    size = page.viewport_size
    mode = "js" if journey.javascript else "no-js"
    for width, height in ((1280, 800), (320, 640)):
        page.set_viewport_size({"width": width, "height": height})
        path = Path(SCREENSHOTS) / f"repeat-{name}-{mode}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
    if size is not None:
        page.set_viewport_size(size)


def add_item(journey: Journey, description: str, size: str) -> None:
    journey.fill("Description", description)
    journey.choose(size)
    journey.continue_()


def test_a_resident_adds_changes_and_removes_items_then_sends_the_list(journey: Journey):
    page = journey.page
    journey.goto("/services/bulky-items/start/")
    journey.submit(journey.button("Start now"))

    # The first visit asks for the first item; a blank item is refused beside its fields
    expect(page.locator(".govuk-caption-l")).to_have_text("Item 1")
    shoot(journey, "item")
    journey.choose("Small")
    journey.continue_()
    journey.expect_error("Enter an answer")
    add_item(journey, "Sofa", "Large")

    # The list, and a "no" refused while fewer than two items are added
    journey.expect_heading("You have added 1 item")
    shoot(journey, "summary")
    journey.choose("No")
    journey.continue_()
    journey.expect_error("You need to add at least 2 items")
    shoot(journey, "summary-error")
    journey.choose("Yes")
    journey.continue_()
    add_item(journey, "Fridge", "Small")
    journey.expect_heading("You have added 2 items")

    # Remove the fridge, after saying yes to the confirmation
    journey.follow(page.get_by_role("link", name="Remove Item 2", exact=True))
    shoot(journey, "remove")
    journey.continue_()
    journey.expect_error("Select yes if you want to remove this item")
    journey.choose("Yes")
    journey.continue_()
    journey.expect_heading("You have added 1 item")
    journey.choose("Yes")
    journey.continue_()
    add_item(journey, "Chair", "Small")
    journey.choose("No")
    journey.continue_()

    # A large item: how do we get in?
    journey.fill("How do we get in?", "Side gate")
    journey.continue_()

    # Check your answers: each item, changed from here, back here
    journey.expect_answer("Items to collect", "2 items")
    journey.expect_answer("Item 2", re.compile(r"Description: Chair\s*Size: Small"))
    shoot(journey, "check")
    journey.follow(page.get_by_role("link", name="Change Item 2", exact=True))
    add_item(journey, "Armchair", "Small")
    journey.choose("No")
    journey.continue_()
    journey.expect_answer("Item 2", re.compile(r"Description: Armchair\s*Size: Small"))

    journey.fill("Email address", "guest@example.org")
    journey.send()
    journey.finish()
    submission = Submission.objects.get()
    assert submission.answers["items"] == [
        {"description": "Sofa", "size": "large"},
        {"description": "Armchair", "size": "small"},
    ]


def test_the_list_pages_are_in_welsh(journey: Journey):
    page = journey.page
    journey.goto("/cy/services/bulky-items/start/")
    journey.submit(page.locator("main").get_by_role("button"))
    expect(page.locator(".govuk-caption-l")).to_have_text("Eitem 1")
    journey.fill("Description (cy)", "Soffa")
    page.get_by_role("radio", name="Large (cy)", exact=True).check()
    journey.submit(page.locator("main").get_by_role("button", name="Parhau", exact=True))
    journey.expect_heading("Rydych wedi ychwanegu 1 eitem")
    expect(page.get_by_text("Oes angen i chi ychwanegu eitem arall?")).to_be_visible()
    shoot(journey, "summary-cy")
    journey.finish()
