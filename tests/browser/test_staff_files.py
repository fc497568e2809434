"""A case's files in the staff workspace, in real Chromium: listed with their type and size, one
downloaded, one deleted by retention saying when; a back office's fetches on the timeline.
Accessible, JavaScript on and off, at 1280 and 320 px."""

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from django.test import Client
from playwright.sync_api import expect

from portal.accounts.roles import AGENT
from services.file_links import signed_file_url
from services.models import SubmissionFile, Team
from services.seed import seed_catalogue
from tests.browser.conftest import BrowserPage, assert_accessible
from tests.browser.journeys import sign_in
from tests.portal.accounts.factories import UserFactory
from tests.portal.dashboard.factories import SubmissionFactory, live_version
from tests.portal.staff.conftest import STREETS, with_mfa
from tests.services.delivery_admin.factories import ConnectionFactory
from tests.services.stored_files import pdf_bytes, png_bytes, stored_bytes, stored_files

__all__ = ["stored_files"]

pytestmark = pytest.mark.browser


@pytest.fixture
def agent_and_case(transactional_db, stored_files):
    services = {service.slug: service for service in seed_catalogue()}
    team = Team.objects.create(name="Streets")
    team.services.add(services[STREETS])
    agent = with_mfa(UserFactory(roles=[AGENT], full_name="Stan Streets"))
    team.members.add(agent)
    case = SubmissionFactory(form_version=live_version(STREETS), answers={})
    photo = stored_files(case, "photo", png_bytes(640, 480), "pothole on Mill Lane.png")
    letter = stored_files(case, "evidence", pdf_bytes(), "letter from the council.pdf")
    SubmissionFile.objects.filter(pk=letter.pk).update(
        deleted_at=datetime(2027, 3, 5, 9, 30, tzinfo=UTC)
    )
    # The highways system fetched the photo by its signed link: its details, then the bytes
    link = urlsplit(signed_file_url(photo, ConnectionFactory(name="Highways system").pk)).path
    assert Client().head(link).status_code == 200
    assert Client().get(link).status_code == 200
    return agent, case, photo


def test_an_agent_sees_a_cases_files_downloads_one_and_sees_its_fetches(
    browser_page: BrowserPage, live_server, agent_and_case
):
    agent, case, photo = agent_and_case
    page = browser_page.page
    sign_in(page.context, live_server.url, agent)

    page.goto(f"/staff/cases/{case.reference}/")
    files = page.locator("#files")
    expect(files).to_contain_text("PNG image")
    expect(files).to_contain_text("letter from the council.pdf")
    expect(files).to_contain_text("Deleted under the retention policy on 5 March 2027")
    expect(files.get_by_role("link", name="letter from the council.pdf")).to_have_count(0)
    assert_accessible(page)

    with page.expect_download() as download:
        files.get_by_role("link", name="pothole on Mill Lane.png").click()
    assert download.value.suggested_filename == "pothole on Mill Lane.png"
    with open(download.value.path(), "rb") as saved:
        assert saved.read() == stored_bytes(photo.storage_name)

    page.get_by_role("link", name="Timeline").click()
    expect(page.get_by_role("heading", name="Fetched by Highways system")).to_have_count(2)
    expect(page.get_by_text("Checked the file without downloading it")).to_be_visible()
    assert_accessible(page)
    browser_page.problems.assert_none()
