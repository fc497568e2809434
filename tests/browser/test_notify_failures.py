"""What a permanent delivery failure from GOV.UK Notify looks like to people, in real Chromium:
the resident's banner on their account pages and the warning on the staff case; accessible at
1280 and 320 px, JavaScript on and off."""

import os
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from portal.accounts.roles import AGENT
from services.messages.outbox import queue_message
from services.messages.receipts import fingerprint
from services.models import OutgoingMessage, Team
from services.seed import seed_catalogue
from tests.browser.conftest import BrowserPage, assert_accessible_at
from tests.browser.journeys import WIDTHS, sign_in
from tests.portal.accounts.factories import UserFactory
from tests.portal.dashboard.factories import SubmissionFactory
from tests.portal.staff.conftest import WASTE, with_mfa

pytestmark = pytest.mark.browser


def _screenshot(page, name: str) -> None:
    """Where a developer asks for them (SCREENSHOT_DIR), keep what the page looked like."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


@pytest.fixture
def failed_case(transactional_db):
    services = {service.slug: service for service in seed_catalogue()}
    team = Team.objects.create(name="Waste")
    team.services.add(services[WASTE])
    agent = with_mfa(UserFactory(roles=[AGENT], full_name="Alex Agent"))
    team.members.add(agent)
    resident = UserFactory(
        full_name="Olwen Pritchard", email="olwen@example.org", phone="07700 900123"
    )
    case = SubmissionFactory(user=resident)
    message = queue_message(
        kind="status_update",
        recipient="olwen@example.org",
        subject="s",
        body="b",
        submission=case,
    )
    at = datetime(2026, 12, 5, 10, 30, tzinfo=UTC)
    OutgoingMessage.objects.filter(pk=message.pk).update(
        state="sent",
        sent_at=at,
        delivery_status=OutgoingMessage.DeliveryStatus.PERMANENT_FAILURE,
        delivery_status_at=at,
    )
    resident.undeliverable = {
        "email": fingerprint("email", "olwen@example.org"),
        "sms": fingerprint("sms", "07700 900123"),
    }
    resident.save()
    return agent, resident, case


def test_the_resident_is_asked_to_correct_their_details(
    browser_page: BrowserPage, live_server, failed_case
):
    _, resident, _ = failed_case
    page = browser_page.page
    sign_in(page.context, live_server.url, resident)

    page.goto("/account/")
    banner = page.get_by_role("region", name="Important")
    expect(banner).to_contain_text("We could not send messages to your email address.")
    expect(banner).to_contain_text("We could not send text messages to your phone number.")
    assert_accessible_at(page, WIDTHS)
    _screenshot(page, f"resident-banner-{browser_page.viewport}")

    banner.get_by_role("link", name="Check or change your phone number").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    assert_accessible_at(page, WIDTHS)

    page.goto("/cy/account/")
    expect(page.get_by_role("region", name="Pwysig")).to_contain_text("rhif ffôn")
    _screenshot(page, f"resident-banner-cy-{browser_page.viewport}")


def test_staff_see_the_undelivered_message_on_the_case(
    browser_page: BrowserPage, live_server, failed_case
):
    agent, _, case = failed_case
    page = browser_page.page
    sign_in(page.context, live_server.url, agent)

    page.goto(f"/staff/cases/{case.reference}/timeline/")
    expect(page.locator(".govuk-warning-text")).to_contain_text("could not be delivered")
    expect(
        page.get_by_role("heading", name="Message to the resident not delivered: status update")
    ).to_be_visible()
    assert_accessible_at(page, WIDTHS)
    _screenshot(page, f"staff-timeline-{browser_page.viewport}")
