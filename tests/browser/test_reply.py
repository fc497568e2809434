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
from services.models import CaseMessage, Draft, OutgoingUpdate, Submission, SubmissionFile, Team
from services.staff.status import change_status
from services.submissions import submit_draft
from services.tracking import make_token
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
    worker.wait_for(
        lambda: not case.deliveries.exclude(state="delivered").exists(),
        timeout=30,
        what="the case's delivery",
    )
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
    shoot(page, f"staff-question-1280-{js}")
    page.set_viewport_size({"width": 375, "height": 700})
    shoot(page, f"staff-question-375-{js}")
    page.set_viewport_size({"width": 1280, "height": 800})
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


def test_a_resident_says_a_closed_request_is_not_fixed(
    browser_page: BrowserPage, live_server, settings
):
    page = browser_page.page
    name = f"{browser_page.viewport}-{'js' if browser_page.javascript else 'no-js'}"
    # Given a request closed as done yesterday, and one of a guest waiting for an answer
    version = make_routed_version()
    officer = UserFactory(full_name="Olive Officer")
    resident: Any = UserFactory(email="rhian@example.org")
    case = submit_draft(
        Draft.objects.create(form_version=version, user=resident, answers={"bin_type": "garden"}),
        user=resident,
        contact_email=resident.email,
        language="en",
    )
    change_status(case, officer, status=Submission.Status.CLOSED_FIXED, message="Emptied today.")

    # When the resident opens it, they are offered to reopen it
    sign_in(page.context, live_server.url, resident)
    page.goto(f"/account/requests/{case.reference}/")
    page.get_by_role("link", name="Reopen this request").click()
    expect(page.get_by_role("heading", name="Reopen your request")).to_be_visible()
    assert_accessible(page)

    # A reopening without a reason is refused
    page.get_by_role("button", name="Reopen the request").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Tell us why")
    assert_accessible(page)
    shoot(page, f"resident-reopen-error-{name}")

    # When they say it is not fixed, and why
    page.get_by_label("It has not been fixed").check()
    page.get_by_label("Tell us why").fill("The bin is still full.")
    page.get_by_role("button", name="Reopen the request").click()

    # Then it is open again, and says so
    expect(page.get_by_text("Your request has been reopened.")).to_be_visible()
    expect(page.locator("#reply")).to_contain_text("You told us it is not fixed")
    assert_accessible(page)
    shoot(page, f"resident-reopened-{name}")
    case.refresh_from_db()
    assert case.status == Submission.Status.IN_PROGRESS
    browser_page.problems.assert_none()


def test_a_guest_answers_through_their_tracking_link(desktop_page: BrowserPage, live_server):
    page = desktop_page.page
    officer = UserFactory(full_name="Olive Officer")
    draft = Draft.objects.create(form_version=make_routed_version(), answers={"bin_type": "garden"})
    case = submit_draft(draft, user=None, contact_email="guest@example.org", language="en")
    change_status(case, officer, status=Submission.Status.NEEDS_INFORMATION, message="Which bin?")

    page.goto(f"/track/{make_token(case)}/")
    page.get_by_label("Your reply").fill("The brown one")
    page.get_by_role("button", name="Send your reply").click()

    expect(page.get_by_text("Your reply has been sent.")).to_be_visible()
    assert_accessible_at(page, WIDTHS)
    assert CaseMessage.objects.get(kind="reply").text == "The brown one"
    desktop_page.problems.assert_none()
