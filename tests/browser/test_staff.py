"""The staff workspace in real Chromium: an agent finds a case by reference, postcode and name,
opens it and its timeline, and submits a form for a resident who phones; every page accessible,
JavaScript on and off, at 1280 and 320 px."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal.accounts.roles import AGENT
from services.models import OutgoingMessage, Submission, Team
from services.seed import seed_catalogue
from tests.browser.conftest import BrowserPage, assert_accessible, assert_accessible_at
from tests.browser.journeys import WIDTHS, sign_in
from tests.portal.accounts.factories import UserFactory
from tests.portal.dashboard.factories import SubmissionFactory
from tests.portal.staff.conftest import WASTE, with_mfa
from tests.services.seeding import nothing_queued, seed_live_catalogue

pytestmark = pytest.mark.browser


@pytest.fixture
def agent_and_case(transactional_db):
    services = {service.slug: service for service in seed_catalogue()}
    team = Team.objects.create(name="Waste")
    team.services.add(services[WASTE])
    agent = with_mfa(UserFactory(roles=[AGENT], full_name="Alex Agent"))
    team.members.add(agent)
    resident = UserFactory(full_name="Olwen Pritchard")
    case = SubmissionFactory(user=resident)  # a missed bin at 1 High Street, ZZ99 1AA
    SubmissionFactory()  # someone else's, so a search has something to leave out
    return agent, case


def test_an_agent_finds_a_case_by_reference_postcode_and_name_and_opens_it(
    browser_page: BrowserPage, live_server, agent_and_case
):
    agent, case = agent_and_case
    page = browser_page.page
    sign_in(page.context, live_server.url, agent)

    page.goto("/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a case")
    assert_accessible(page)

    search_box = page.get_by_label("Reference, name, email, phone, postcode or address")
    results = page.get_by_role("table")
    for typed in (case.reference.lower().replace("-", " "), "zz99 1aa", "olwen pritchard"):
        search_box.fill(typed)
        page.get_by_role("button", name="Search").click()
        expect(results.get_by_role("link", name=case.reference)).to_be_visible()
    assert_accessible(page)

    results.get_by_role("link", name=case.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Report a missed bin")
    expect(page.get_by_text("Olwen Pritchard")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Timeline").click()
    expect(page.get_by_role("heading", name="Sent: Online")).to_be_visible()
    assert_accessible(page)
    browser_page.problems.assert_none()


def test_a_bad_filter_shows_an_accessible_error(
    browser_page: BrowserPage, live_server, agent_and_case
):
    agent, _ = agent_and_case
    page = browser_page.page
    sign_in(page.context, live_server.url, agent)

    page.goto("/staff/")
    page.get_by_label("Sent on or after").fill("31/2/2026")
    page.get_by_role("button", name="Apply filters").click()

    expect(page).to_have_title("Error: Find a case – Staff workspace – My Council")
    expect(page.get_by_role("alert")).to_contain_text("Enter a real date, like 27/3/2026")
    assert_accessible(page)
    browser_page.problems.assert_none()


def test_an_agent_adds_a_note_and_logs_a_call_from_the_case(
    browser_page: BrowserPage, live_server, agent_and_case
):
    agent, case = agent_and_case
    page = browser_page.page
    sign_in(page.context, live_server.url, agent)
    page.goto(f"/staff/cases/{case.reference}/")

    page.get_by_role("link", name="Add a note").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a note")
    assert_accessible(page)
    page.get_by_role("button", name="Add the note").click()  # nothing written yet
    expect(page.get_by_role("alert")).to_contain_text("Enter the note")
    assert_accessible(page)
    page.get_by_label("Note").fill("Bin is behind the side gate")
    page.get_by_role("button", name="Add the note").click()
    expect(page.get_by_role("heading", name="Internal note")).to_be_visible()

    page.get_by_role("link", name="Log a contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a contact")
    assert_accessible(page)
    page.get_by_label("Phone call").check()
    page.get_by_label("Needs follow-up").check()
    page.get_by_label("What was said").fill("Crew will return tomorrow")
    page.get_by_role("button", name="Log the contact").click()
    expect(page.get_by_role("heading", name="Phone call")).to_be_visible()
    expect(page.get_by_text("Outcome: Needs follow-up")).to_be_visible()
    assert_accessible(page)
    browser_page.problems.assert_none()


def test_an_agent_changes_a_cases_status_with_a_message_to_the_resident(
    browser_page: BrowserPage, live_server, agent_and_case
):
    agent, case = agent_and_case
    page = browser_page.page
    sign_in(page.context, live_server.url, agent)
    page.goto(f"/staff/cases/{case.reference}/")

    page.get_by_role("link", name="Change status").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the status")
    assert_accessible(page)
    page.get_by_role("button", name="Change the status and tell the resident").click()
    expect(page.get_by_role("alert")).to_contain_text("Select the new status")
    expect(page.get_by_role("alert")).to_contain_text("Enter a message to the resident")
    assert_accessible(page)

    page.get_by_label("Action scheduled").check()
    page.get_by_label("Message to the resident").fill("A crew will come on Monday.")
    page.get_by_role("button", name="Change the status and tell the resident").click()
    expect(page.get_by_role("heading", name="Status changed to Action scheduled")).to_be_visible()
    expect(page.get_by_text("Message to the resident: A crew will come on Monday.")).to_be_visible()
    assert_accessible(page)
    browser_page.problems.assert_none()


def test_an_agent_finds_a_resident_and_opens_their_page(
    browser_page: BrowserPage, live_server, agent_and_case
):
    agent, case = agent_and_case
    page = browser_page.page
    sign_in(page.context, live_server.url, agent)

    page.goto("/staff/")
    page.get_by_role("link", name="Residents").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a resident")
    assert_accessible(page)

    page.get_by_label("Name, email, phone, postcode or address").fill("olwen pritchard")
    page.get_by_role("button", name="Search").click()
    results = page.get_by_role("table")
    expect(results.get_by_role("link", name="Olwen Pritchard")).to_be_visible()
    assert_accessible(page)

    results.get_by_role("link", name="Olwen Pritchard").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Olwen Pritchard")
    expect(page.get_by_role("link", name=case.reference)).to_be_visible()
    assert_accessible(page)

    # The case view's resident details lead to the same page
    page.get_by_role("link", name=case.reference).click()
    page.get_by_role("link", name="See the resident’s details, cases and contact history").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Olwen Pritchard")
    browser_page.problems.assert_none()


@pytest.fixture
def bins_agent_and_resident(transactional_db, monkeypatch):
    nothing_queued(monkeypatch)
    services = {service.slug: service for service in seed_live_catalogue()}
    team = Team.objects.create(name="Bins")
    team.services.add(services["request-replacement-bin"])
    agent = with_mfa(UserFactory(roles=[AGENT], full_name="Alex Agent"))
    team.members.add(agent)
    resident = UserFactory(
        full_name="Olwen Pritchard",
        email="olwen@example.org",
        phone="+447700900982",
        address={
            "uprn": "",
            "line1": "6 Mill Lane",
            "line2": "",
            "town": "Middlehampton",
            "postcode": "ZZ99 1AB",
        },
    )
    return agent, resident


def test_an_agent_submits_a_form_for_a_resident_who_phones(
    desktop_page: BrowserPage, live_server, bins_agent_and_resident, mail_through_celery
):
    agent, resident = bins_agent_and_resident
    page = desktop_page.page
    sign_in(page.context, live_server.url, agent)
    acting_for = page.locator(".moj-identity-bar")

    # The agent starts: a form sent with nothing chosen says what is missing
    page.goto("/staff/")
    page.get_by_role("link", name="Submit for a resident").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit a form for a resident")
    assert_accessible_at(page, WIDTHS)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Select the service")
    assert_accessible_at(page, WIDTHS)
    page.get_by_label("Service").select_option(label="Request a replacement bin")
    page.get_by_label("By phone (contact centre)").check()
    page.get_by_label("English").check()
    page.get_by_role("button", name="Continue").click()

    # They find the caller's account by the number they ring from, and act for them
    expect(page.get_by_role("heading", level=1)).to_have_text("Who are you acting for?")
    page.get_by_label("Find their account by name, email or phone number").fill("07700 900982")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 resident found")).to_be_visible()
    assert_accessible_at(page, WIDTHS)
    page.get_by_role("button", name="Act for Olwen Pritchard").click()

    # The resident's own form, each page saying whom the agent acts for
    expect(page.get_by_role("heading", level=1)).to_have_text("What is your address?")
    expect(acting_for).to_contain_text("Acting for Olwen Pritchard")
    expect(acting_for).to_contain_text("By phone (contact centre)")
    assert_accessible_at(page, WIDTHS)
    page.get_by_role("button", name="Continue").click()  # their address, from their account
    expect(page.get_by_role("heading", level=1)).to_have_text("Which bin do you need?")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Select which bin you need")
    expect(acting_for).to_contain_text("Acting for Olwen Pritchard")
    assert_accessible_at(page, WIDTHS)
    page.get_by_label("Recycling (blue bin)").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("It is missing").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending your request"
    )
    expect(acting_for).to_contain_text("Acting for Olwen Pritchard")
    assert_accessible_at(page, WIDTHS)
    page.get_by_role("button", name="Accept and send").click()

    # The reference to read out
    expect(page.get_by_role("heading", level=1)).to_have_text("Request sent")
    submission = Submission.objects.get()
    expect(page.locator("#reference")).to_have_text(submission.reference)
    assert_accessible_at(page, WIDTHS)
    assert (submission.user, submission.submitted_by, submission.channel) == (
        resident,
        agent,
        "phone",
    )
    assert [message.to for message in mail_through_celery] == [["olwen@example.org"]]
    desktop_page.problems.assert_none()


def test_an_agent_types_a_callers_details_then_stops_acting_for_them(
    desktop_page: BrowserPage, live_server, bins_agent_and_resident
):
    agent, _ = bins_agent_and_resident
    page = desktop_page.page
    sign_in(page.context, live_server.url, agent)
    page.goto("/staff/assist/?service=request-replacement-bin&channel=in_person&language=cy")
    page.get_by_role("link", name="Enter the caller’s details instead").click()

    page.get_by_role("button", name="Start the form").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the caller’s full name")
    assert_accessible_at(page, WIDTHS)
    page.get_by_label("Full name").fill("Ifan Bach")
    page.get_by_label("UK telephone number (optional)").fill("07700 900123")
    page.get_by_role("button", name="Start the form").click()

    expect(page.locator(".moj-identity-bar")).to_contain_text("Acting for Ifan Bach")
    expect(page.locator(".moj-identity-bar")).to_contain_text("Face to face")
    page.get_by_role("button", name="Stop acting for them").click()
    expect(page.get_by_text("You stopped acting for Ifan Bach. Nothing was sent.")).to_be_visible()
    assert_accessible_at(page, WIDTHS)
    desktop_page.problems.assert_none()


def test_an_agent_records_a_caller_who_gives_only_a_postal_address(
    desktop_page: BrowserPage, live_server, bins_agent_and_resident, mail_through_celery
):
    agent, _ = bins_agent_and_resident
    page = desktop_page.page
    sign_in(page.context, live_server.url, agent)
    page.goto("/staff/assist/caller/?service=request-replacement-bin&channel=in_person&language=cy")

    # A name alone is not enough: the error says what is needed
    page.get_by_label("Full name").fill("Gwen Post")
    page.get_by_role("button", name="Start the form").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Enter an email address, a phone number or a postal address"
    )
    assert_accessible_at(page, WIDTHS)

    # The agent finds their address by postcode and chooses it
    page.get_by_label("Postcode").fill("ZZ99 1AB")
    page.get_by_role("button", name="Find address").click()
    expect(page.get_by_label("Full name")).to_have_value("Gwen Post")
    page.locator('input[name="address-uprn"]').first.check()
    assert_accessible_at(page, WIDTHS)
    _screenshots(desktop_page, "assist-caller-address")
    page.get_by_role("button", name="Start the form").click()

    # The form starts from that address; the agent sends it
    expect(page.locator(".moj-identity-bar")).to_contain_text("Acting for Gwen Post")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Recycling (blue bin)").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("It is missing").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Accept and send").click()

    # The agent is told the reference goes by post, in Welsh
    expect(page.get_by_role("heading", level=1)).to_have_text("Request sent")
    expect(page.get_by_text("We will post the reference to Gwen Post")).to_contain_text("Welsh")
    assert_accessible_at(page, WIDTHS)
    _screenshots(desktop_page, "assist-sent-by-post")
    submission = Submission.objects.get()
    assert OutgoingMessage.objects.get(submission=submission).channel == "letter"
    assert mail_through_celery == []

    # The case shows who they are, with nothing left blank
    page.get_by_role("link", name="Open the case").click()
    expect(page.get_by_text("None given").first).to_be_visible()
    assert_accessible_at(page, WIDTHS)
    _screenshots(desktop_page, "case-postal-caller")
    page.get_by_role("link", name="See the resident’s details, cases and contact history").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gwen Post")
    assert_accessible_at(page, WIDTHS)
    _screenshots(desktop_page, "resident-postal-caller")
    desktop_page.problems.assert_none()


def _screenshots(browser_page: BrowserPage, name: str) -> None:
    """With SCREENSHOTS=<dir>, the page at 1280 and 375 px wide, to look at."""
    if not os.environ.get("SCREENSHOTS"):
        return
    page = browser_page.page
    size = page.viewport_size
    js = "js" if browser_page.javascript else "nojs"
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        path = Path(os.environ["SCREENSHOTS"]) / f"{name}-{width}-{js}.png"
        page.screenshot(path=str(path), full_page=True)
    if size:
        page.set_viewport_size(size)
