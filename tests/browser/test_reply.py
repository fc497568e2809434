"""Two-way, in real Chromium: an agent asks the resident a question from the case, the resident
answers on their request page with a photo, and a real worker sends the reply to the webhook
back office, which fetches the photo by its signed link: once. The resident's pages are
accessible at 1280 and 320 px, JavaScript on and off, and say what is wrong with a bad reply."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import FilePayload, expect

from integrations.simulators.webhook import WebhookSimulator
from portal.accounts.roles import AGENT
from services.delivery.engine import attempt_delivery
from services.models import Draft, OutgoingUpdate, SubmissionFile, Team
from services.submissions import submit_draft
from tests.browser.conftest import BrowserPage, assert_accessible, assert_accessible_at
from tests.browser.journeys import WIDTHS, sign_in
from tests.conftest import default_queue, start_celery_worker, stop_worker
from tests.file_samples import jpeg_bytes
from tests.portal.accounts.factories import UserFactory
from tests.portal.staff.conftest import with_mfa
from tests.services.delivery.conftest import SECRET, make_connection, make_routed_version

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(tempfile.gettempdir()) / "twoway-screenshots"


@pytest.fixture
def back_office():
    with WebhookSimulator(SECRET) as simulator:
        yield simulator


@pytest.fixture
def worker_dir(settings):
    """Where the worker keeps its files; the live server stores uploads there too."""
    workdir = Path(tempfile.mkdtemp(prefix="reply-worker-"))
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(workdir / "var" / "private")},
        },
    }
    yield workdir
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def worker(live_server, worker_dir):
    queue = f"reply-test-{uuid.uuid4().hex[:8]}"
    with default_queue(queue):
        # PORTAL_URL: the back office fetches the photo by a link to this live server.
        process = start_celery_worker(
            queue, workdir=worker_dir, env={"PORTAL_URL": live_server.url}
        )
        try:
            yield process
        finally:
            stop_worker(process)


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_a_question_is_answered_with_a_photo_that_reaches_the_back_office_once(
    desktop_page: BrowserPage, live_server, back_office, worker
):
    page = desktop_page.page
    js = "js" if desktop_page.javascript else "no-js"
    # Given a resident's request, delivered to the back office
    version = make_routed_version(make_connection(back_office.records_url))
    resident: Any = UserFactory(email="rhian@example.org", full_name="Rhian Resident")
    case = submit_draft(
        Draft.objects.create(form_version=version, user=resident, answers={"bin_type": "garden"}),
        user=resident,
        contact_email=resident.email,
        language="en",
    )
    attempt_delivery(case.deliveries.get().pk)
    [record] = back_office.records
    # and an agent of the team that handles it
    agent = with_mfa(UserFactory(roles=[AGENT], full_name="Awen Agent"))
    team = Team.objects.create(name="Waste")
    team.services.add(version.form.service)
    team.members.add(agent)

    # When the agent asks the resident a question from the case
    sign_in(page.context, live_server.url, agent)
    page.goto(f"/staff/cases/{case.reference}/")
    page.get_by_role("link", name="Ask the resident a question").click()
    assert_accessible(page)
    page.get_by_label("Your question").fill("Can you send us a photo of where the bin was left?")
    page.get_by_role("button", name="Send the question").click()
    expect(page.get_by_text("Question sent.")).to_be_visible()
    page.context.clear_cookies()

    # Then the resident sees it on their request page, and can answer there
    sign_in(page.context, live_server.url, resident)
    page.goto(f"/account/requests/{case.reference}/")
    reply = page.locator("#reply")
    expect(reply.get_by_role("heading", name="We need more information")).to_be_visible()
    expect(reply).to_contain_text("Can you send us a photo of where the bin was left?")
    assert_accessible_at(page, WIDTHS)
    page.set_viewport_size({"width": 320, "height": 640})
    shoot(page, f"resident-request-320-{js}")
    page.set_viewport_size({"width": 1280, "height": 800})
    shoot(page, f"resident-request-1280-{js}")

    # A reply without words is refused, with the GOV.UK error summary
    page.get_by_role("button", name="Send your reply").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your reply")
    assert_accessible_at(page, WIDTHS)
    shoot(page, f"resident-reply-error-{js}")

    # When they answer with words and a photo
    page.get_by_label("Your reply").fill("It is by the gate of number 4.")
    page.get_by_label("Add photos or documents (optional)").set_input_files(
        files=[FilePayload(name="by the gate.jpg", mimeType="image/jpeg", buffer=jpeg_bytes())]
    )
    page.get_by_role("button", name="Send your reply").click()

    # Then their request says so
    expect(page.get_by_text("Your reply has been sent.")).to_be_visible()
    expect(page.locator("#reply")).to_contain_text("It is by the gate of number 4.")
    expect(page.locator("#reply")).to_contain_text("File: by the gate.jpg")
    assert_accessible_at(page, WIDTHS)
    shoot(page, f"resident-replied-{js}")

    # And the worker sends it to the back office's case, which fetches the photo, once
    worker.wait_for(
        lambda: OutgoingUpdate.objects.filter(state="delivered").exists(),
        timeout=30,
        what="the reply to reach the back office",
    )
    back_office.wait_for_files()
    [update] = back_office.updates
    assert update["reference"] == record["id"]
    assert update["data"]["update"]["text"] == "It is by the gate of number 4."
    [photo] = update["files"]
    stored = SubmissionFile.objects.get(submission=case)
    assert (photo["status"], photo["sha256"]) == ("fetched", stored.sha256), photo
    assert back_office.update_count_for(update["idempotency_key"]) == 1

    # And the agent sees the reply on the case's timeline
    page.context.clear_cookies()
    sign_in(page.context, live_server.url, agent)
    page.goto(f"/staff/cases/{case.reference}/timeline/")
    expect(page.get_by_role("heading", name="Reply from the resident")).to_be_visible()
    expect(page.get_by_text("Sent to Back office 1")).to_be_visible()
    assert_accessible(page)
    shoot(page, f"staff-timeline-{js}")
    desktop_page.problems.assert_none()
