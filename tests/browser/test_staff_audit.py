"""The audit log in real Chromium: the data protection officer finds who saw a resident's data,
sees which file a download was, narrows it by dates and downloads it; accessible, JavaScript on
and off, at 1280 and 320 px."""

import pytest
from playwright.sync_api import expect

from portal.accounts.roles import AGENT, DATA_PROTECTION
from services.audit import record_access
from services.models import SubmissionFile
from services.seed import seed_catalogue
from tests.browser.conftest import BrowserPage, assert_accessible
from tests.browser.journeys import sign_in
from tests.portal.accounts.factories import UserFactory
from tests.portal.dashboard.factories import SubmissionFactory
from tests.portal.staff.conftest import with_mfa

pytestmark = pytest.mark.browser


@pytest.fixture
def officer_and_history(transactional_db):
    seed_catalogue()
    agent = with_mfa(UserFactory(roles=[AGENT], full_name="Alex Agent"))
    resident = UserFactory(full_name="Olwen Pritchard", email="olwen.p@example.org")
    case = SubmissionFactory(user=resident)
    for where in ("staff:search", "staff:case", "staff:timeline"):
        record_access(agent, where=where, submission=case, subject=resident)
    # A download of a file whose name is one long word: it wraps rather than widen the table
    photo = SubmissionFile.objects.create(
        submission=case,
        question_id="photo",
        name="photo-of-the-overflowing-bin-outside-number-12-on-tuesday-morning.jpg",
        storage_name="not-read.jpg",
        content_type="image/jpeg",
        size=1000,
        sha256="0" * 64,
    )
    record_access(agent, where="staff:attachment", submission=case, subject=resident, file=photo)
    officer = with_mfa(UserFactory(roles=[DATA_PROTECTION], full_name="Dana Protection"))
    return officer, case


def test_the_officer_finds_who_saw_a_residents_data_and_can_download_it(
    browser_page: BrowserPage, live_server, officer_and_history
):
    officer, case = officer_and_history
    page = browser_page.page
    sign_in(page.context, live_server.url, officer)

    page.goto("/staff/audit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    assert_accessible(page)

    page.get_by_label("Resident").fill("olwen.p@example.org")
    page.get_by_role("button", name="Apply filters").click()
    # The agent's three views and download, and the officer's own first look at the log (it
    # is recorded)
    expect(page.get_by_role("heading", name="5 entries")).to_be_visible()
    table = page.get_by_role("table")
    expect(table).to_contain_text("Audit log search")
    expect(table).to_contain_text("Alex Agent")
    expect(table).to_contain_text("Case timeline")
    expect(table).to_contain_text("File downloaded")
    expect(table).to_contain_text(f", file 1 of 1: {case.files.get().name}")
    expect(table).to_contain_text(case.reference)
    expect(page.get_by_role("link", name="Download all these entries (CSV)")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Seen on or after").fill("31/2/2026")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_title("Error: Audit log – Staff workspace – My Council")
    expect(page.get_by_role("alert")).to_contain_text("Enter a real date, like 27/3/2026")
    assert_accessible(page)
    browser_page.problems.assert_none()
