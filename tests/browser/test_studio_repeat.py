"""The studio's form builder with a list question ("add another") in real Chromium, JavaScript on
and off: a service admin adds a list with its first question about each item in English and
Welsh, then a radios question about each item; every page axe-core clean at 1280 and 320 px.

With SCREENSHOT_DIR set, the pages are saved there at 1280 and 375 pixels wide.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from portal.accounts.roles import SERVICE_ADMIN
from services.models import FormVersion, Service
from services.seed import seed_catalogue
from tests.browser.conftest import BrowserPage, assert_accessible_at
from tests.browser.journeys import WIDTHS, sign_in
from tests.portal.accounts.factories import UserFactory
from tests.portal.staff.conftest import with_mfa

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", "")


def shoot(page: Page, javascript: bool, name: str) -> None:
    if not SCREENSHOTS:
        return
    size = page.viewport_size
    mode = "js" if javascript else "no-js"
    for width, height in ((1280, 800), (375, 700)):
        page.set_viewport_size({"width": width, "height": height})
        path = Path(SCREENSHOTS) / f"studio-repeat-{name}-{mode}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
    if size is not None:
        page.set_viewport_size(size)


def check(page: Page, javascript: bool, name: str) -> None:
    page.wait_for_load_state()
    assert_accessible_at(page, WIDTHS)
    shoot(page, javascript, name)


def pair(page: Page, legend: str, english: str, welsh: str = "") -> None:
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("English").fill(english)
    if welsh:
        group.get_by_label("Welsh").fill(welsh)


def test_a_service_admin_builds_a_list_question_and_its_questions_about_each_item(
    desktop_page: BrowserPage, live_server, transactional_db
):
    seed_catalogue()
    service = Service.objects.get(slug="report-missed-bin")
    live = service.form.live_version
    assert live is not None
    FormVersion.new_draft_from(live)
    page, javascript = desktop_page.page, desktop_page.javascript
    admin: Any = with_mfa(UserFactory(is_staff=True, roles=[SERVICE_ADMIN], full_name="Sam"))
    sign_in(page.context, live_server.url, admin)

    page.goto(reverse("studio:question_add", args=[service.pk]))
    page.get_by_role("radio", name="List of items (“add another”)").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a question")
    # Saved without its first question about each item: said beside the field
    pair(page, "Question", "What do you need collected?", "Beth sydd angen ei gasglu?")
    page.get_by_role("button", name="Add the question", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Enter the first question about each item in English"
    )
    check(page, javascript, "add-error")
    pair(page, "The first question about each item", "Describe the item", "Disgrifiwch yr eitem")
    pair(page, "What one item is called (optional)", "item", "eitem")
    page.get_by_label("Most items (optional, 10 if left blank)").fill("5")
    page.get_by_role("button", name="Add the question", exact=True).click()

    # The draft lists what is asked about each item, with Welsh missing (the plural name)
    expect(page.get_by_text("Asked about each item")).to_be_visible()
    check(page, javascript, "draft")
    page.get_by_role("link", name="Add a question about each item").click()
    page.get_by_role("radio", name="One answer from a list (radios)").check()
    page.get_by_role("button", name="Continue").click()
    check(page, javascript, "item-question")
    pair(page, "Question", "How big is it?", "Pa mor fawr yw hi?")
    page.get_by_label("Label in English").first.fill("Small")
    page.get_by_label("Label in Welsh").first.fill("Bach")
    page.get_by_label("Label in English").nth(1).fill("Large")
    page.get_by_label("Label in Welsh").nth(1).fill("Mawr")
    page.get_by_role("button", name="Add the question", exact=True).click()
    expect(page.get_by_text("Question “How big is it?” added to each item")).to_be_visible()
    check(page, javascript, "draft-with-items")

    draft = FormVersion.objects.get(form=service.form, status="draft")
    listed = next(
        q for p in draft.schema["pages"] for q in p.get("questions", []) if q["type"] == "repeat"
    )
    assert [item["id"] for item in listed["questions"]] == ["description", "how_big_is_it"]
