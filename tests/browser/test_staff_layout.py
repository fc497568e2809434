"""Staff workspace pages fit a 375 pixel wide phone: nothing is wider than the screen, in real
Chromium, JavaScript on and off. The case timeline's "Retry now" for a failed delivery, the
studio's connection form (whose hints carry long addresses), and the lists with MOJ Frontend's
filter layout (cases, residents, the audit log). SCREENSHOTS=/some/dir saves each at 1280 and
375 px to look at."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from portal.accounts.roles import DATA_PROTECTION, SUPERVISOR, SYSTEM_ADMIN
from services.audit import record_access
from services.models import Delivery, Team
from tests.browser.conftest import BrowserPage, assert_accessible_at
from tests.browser.journeys import WIDTHS, sign_in
from tests.browser.test_staff import agent_and_case
from tests.portal.accounts.factories import UserFactory
from tests.portal.dashboard.factories import SubmissionFactory
from tests.portal.staff.conftest import with_mfa
from tests.services.delivery_admin.factories import DeliveryFactory

__all__ = ["agent_and_case"]

pytestmark = pytest.mark.browser

PHONE = 375
SCREENSHOTS = os.environ.get("SCREENSHOTS", "")
# What a back office's failure looks like on the case: a status, an address and its words.
LONG_ERROR = (
    "HTTP 503 from https://waste-management.middlehampton.gov.uk/api/v2/service-requests: "
    "Service Unavailable"
)


def wider_than_the_phone(page: Page) -> str:
    """ "" if the page fits PHONE pixels at that width, else how wide it is and what sticks out.

    Nothing may be cut off either: an element that hides what overflows it (the MOJ timeline
    does) is as wide as the screen while the long unbroken words inside it are lost.
    """
    page.set_viewport_size({"width": PHONE, "height": 800})
    try:
        width = page.evaluate("document.documentElement.scrollWidth")
        cut_off = page.evaluate(
            """() => [...document.querySelectorAll('main *')]
                .filter(el => ['hidden', 'clip'].includes(getComputedStyle(el).overflowX))
                .filter(el => el.clientWidth > 1 && el.scrollWidth > el.clientWidth + 1)
                .map(el => el.tagName.toLowerCase() + '.' +
                    String(el.className).trim().split(/\\s+/).join('.'))
                .join(', ')"""
        )
        if width <= PHONE and not cut_off:
            return ""
        # Long unbroken text sticks out of its element without widening it: such an element is
        # wider inside (scrollWidth) than it is.
        widest = page.evaluate(
            """() => {
                const screen = document.documentElement.clientWidth;
                const name = el => el.tagName.toLowerCase() + '.' +
                    String(el.className).trim().split(/\\s+/).join('.');
                return [...document.querySelectorAll('body *')]
                    .filter(el => el.getBoundingClientRect().right > screen ||
                        el.scrollWidth > el.clientWidth + 1)
                    .slice(-3).map(name).join(', ');
            }"""
        )
        return f"{page.url} is {width}px wide at {PHONE}px: {widest}; cut off: {cut_off}"
    finally:
        page.set_viewport_size({"width": 1280, "height": 800})


def screenshots(page: Page, name: str) -> None:
    if not SCREENSHOTS:
        return
    for width in (1280, PHONE):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


def test_a_supervisor_retries_a_failed_delivery_and_its_button_fits_a_phone(
    desktop_page: BrowserPage, live_server, agent_and_case
):
    # Given a case whose delivery failed for good, with the back office's long error
    _, case = agent_and_case
    failed: Delivery = DeliveryFactory.create(
        submission=case, state=Delivery.State.FAILED, last_error=LONG_ERROR
    )
    supervisor = with_mfa(UserFactory(roles=[SUPERVISOR], full_name="Sue Pervisor"))
    Team.objects.get(name="Waste").members.add(supervisor)
    page = desktop_page.page
    sign_in(page.context, live_server.url, supervisor)

    # When a supervisor opens its timeline
    page.goto(f"/staff/cases/{case.reference}/timeline/")

    # Then the failure and its button are shown, and nothing is wider than a phone
    system = failed.connection.name
    expect(page.get_by_role("heading", name="Failed deliveries")).to_be_visible()
    expect(page.get_by_text(f"To {system}: {LONG_ERROR}")).to_be_visible()
    assert wider_than_the_phone(page) == ""
    assert_accessible_at(page, WIDTHS)
    screenshots(page, "timeline-failed-delivery")

    # And the button still sends it again
    page.get_by_role("button", name=f"Retry now the delivery to {system}").click()
    expect(page.get_by_text("The delivery will be sent again now")).to_be_visible()
    failed.refresh_from_db()
    assert failed.state == Delivery.State.PENDING
    desktop_page.problems.assert_none()


def test_the_connection_form_fits_a_phone_and_shows_its_hints_as_written(
    desktop_page: BrowserPage, live_server, transactional_db
):
    admin = with_mfa(UserFactory(is_staff=True, roles=[SYSTEM_ADMIN], full_name="Ada Admin"))
    page = desktop_page.page
    sign_in(page.context, live_server.url, admin)

    # When a system admin opens the form for a CRM connection, whose hints name addresses
    page.goto("/staff/studio/connections/new/crm/")

    # Then the hints read as written, placeholders in angle brackets and all
    expect(page.get_by_text("https://login.microsoftonline.com/<tenant id>/oauth2")).to_be_visible()
    expect(page.get_by_text("Dynamics needs <CRM address>/.default")).to_be_visible()
    # And their long addresses wrap: nothing is wider than a phone
    assert wider_than_the_phone(page) == ""
    assert_accessible_at(page, WIDTHS)
    screenshots(page, "connection-crm")
    desktop_page.problems.assert_none()


def residents_seen(agent: Any, case: Any) -> None:
    for where in ("staff:search", "staff:case"):
        record_access(agent, where=where, submission=case, subject=case.user)


def test_the_lists_with_filters_fit_a_phone(desktop_page: BrowserPage, live_server, agent_and_case):
    # Given cases to find, and an access log to search
    agent, case = agent_and_case
    residents_seen(agent, case)
    officer = with_mfa(UserFactory(roles=[DATA_PROTECTION], full_name="Dana Protection"))
    page = desktop_page.page

    # When an agent finds cases and residents, and the officer searches the log
    sign_in(page.context, live_server.url, agent)
    page.goto("/staff/?q=olwen")
    expect(page.get_by_role("heading", name="1 case")).to_be_visible()
    problems = [wider_than_the_phone(page)]
    screenshots(page, "search")
    page.goto("/staff/residents/?q=olwen")
    expect(page.get_by_role("heading", name="1 resident")).to_be_visible()
    problems.append(wider_than_the_phone(page))
    screenshots(page, "residents")
    sign_in(page.context, live_server.url, officer)
    page.goto("/staff/audit/?person=olwen")
    # (the log holds the agent's two views and the two searches just made)
    expect(page.get_by_role("heading", name="4 entries")).to_be_visible()
    problems.append(wider_than_the_phone(page))
    screenshots(page, "audit-log")

    # Then none of them is wider than the phone
    assert [problem for problem in problems if problem] == []
    desktop_page.problems.assert_none()


def test_the_case_list_fits_a_laptop_without_scrolling_sideways(
    desktop_page: BrowserPage, live_server, agent_and_case
):
    # Given guests' cases, each listed by an address that is one long word
    agent, case = agent_and_case
    for n in range(3):
        SubmissionFactory(
            service=case.service,
            form_version=case.form_version,
            user=None,
            contact_name="",
            contact_email=f"gareth.thomaswilliams{n}@residentsassociation.example",
        )
    page = desktop_page.page
    sign_in(page.context, live_server.url, agent)

    # When an agent lists the cases on a 1280 pixel wide screen
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/staff/")
    expect(page.get_by_role("heading", name="5 cases")).to_be_visible()
    screenshots(page, "case-list")

    # Then every column, the date sent included, is in view: the table needs no scrolling
    hidden = page.evaluate(
        """() => [...document.querySelectorAll('.staff-scroll-table')]
            .map(el => el.scrollWidth - el.clientWidth)"""
    )
    assert hidden == [0]
    desktop_page.problems.assert_none()
