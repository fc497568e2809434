"""The retention page in real Chromium: the data protection officer sees what retention
anonymises next and what it did; accessible, JavaScript on and off, at 1280 and 320 px."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.accounts.roles import DATA_PROTECTION
from services import retention
from services.models import Submission
from services.seed import seed_catalogue
from tests.browser.conftest import BrowserPage, assert_accessible
from tests.browser.journeys import sign_in
from tests.portal.accounts.factories import UserFactory
from tests.portal.dashboard.factories import SubmissionFactory
from tests.portal.staff.conftest import with_mfa

pytestmark = pytest.mark.browser


@pytest.fixture
def officer(transactional_db, settings):
    settings.SUBMISSION_RETENTION_DAYS = 30
    seed_catalogue()
    for days_ago in (45, 40, 20):
        case = SubmissionFactory(status=Submission.Status.CLOSED_FIXED)
        Submission.objects.filter(pk=case.pk).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )
    retention.apply_retention(now=timezone.now() - timedelta(days=12))
    return with_mfa(UserFactory(roles=[DATA_PROTECTION], full_name="Dana Protection"))


def test_the_officer_sees_what_retention_anonymises_next(
    browser_page: BrowserPage, live_server, officer
):
    page = browser_page.page
    sign_in(page.context, live_server.url, officer)

    page.goto("/staff/audit/")
    if browser_page.javascript and browser_page.viewport == "phone-320":
        menu = page.get_by_role("button", name="Menu")
        if menu.is_visible():
            menu.click()
    page.get_by_role("link", name="Retention").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Retention")
    next_table = page.get_by_role("table").first
    expect(next_table).to_contain_text("30 days")
    runs = page.get_by_role("table").last
    expect(runs).to_contain_text("report-missed-bin: 1")
    assert_accessible(page)
    if os.environ.get("SCREENSHOTS"):
        variant = f"{browser_page.viewport}-{'js' if browser_page.javascript else 'nojs'}"
        path = Path(os.environ["SCREENSHOTS"]) / f"staff-retention-{variant}.png"
        page.screenshot(path=str(path), full_page=True)
    browser_page.problems.assert_none()
