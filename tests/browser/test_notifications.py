"""How we contact you, in real Chromium: choosing channels and a language in English and in
Welsh, every page axe-clean at 1280 and 320 px, JavaScript on and off; and a status change
reaching a Welsh-speaking resident who chose text messages as a Welsh text message, end to end:
chosen on the page, changed by an agent in the workspace, sent through the GOV.UK Notify
simulator."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from integrations.simulators.notify import NotifySimulator, demo_templates_setting
from portal.accounts.roles import AGENT
from services.messages.send import send_message
from services.models import NotificationPreference, OutgoingMessage, Submission, Team
from services.seed import seed_catalogue
from tests.browser.conftest import BrowserPage, close_page
from tests.browser.journeys import Journey, sign_in
from tests.portal.accounts.factories import UserFactory
from tests.portal.dashboard.factories import SubmissionFactory
from tests.portal.staff.conftest import WASTE, with_mfa

pytestmark = pytest.mark.browser

MOBILE = "+447700900982"
STATUS_CHANGES = "When the status of your request changes"


def saved(user) -> dict[str, str]:
    return dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))


def choose_in(journey: Journey, group: str, option: str) -> None:
    journey.page.get_by_role("group", name=group).get_by_role(
        "radio", name=option, exact=True
    ).check()


def test_a_resident_chooses_how_we_contact_them(browser_page: BrowserPage, live_server):
    # Given a signed-in resident with a UK mobile number on their profile
    resident: Any = UserFactory(phone=MOBILE)
    journey = Journey(browser_page)
    sign_in(journey.page.context, live_server.url, resident)

    # When they follow the link from their account
    journey.goto("/account/")
    journey.follow(journey.page.get_by_role("link", name="Change how we contact you"))
    journey.expect_heading("How we contact you")

    # And choose texts for status changes, while their number is removed in another tab
    choose_in(journey, STATUS_CHANGES, "By text message")
    choose_in(journey, "Reminders about your requests", "Do not contact me")
    resident.phone = ""
    resident.save(update_fields=["phone"])
    journey.submit(journey.button("Save your choices"))

    # Then the page says what to fix, and nothing is saved
    journey.expect_error("Select how we should tell you when the status of your request changes")
    assert saved(resident) == {}
    expect(journey.page.get_by_text("add a UK mobile number to your details")).to_be_visible()

    # When they choose e-mail instead
    choose_in(journey, STATUS_CHANGES, "By email")
    journey.submit(journey.button("Save your choices"))

    # Then their choices are kept, and they are back at their account, told so
    expect(journey.page).to_have_url(re.compile(r"/account/$"))
    expect(journey.page.get_by_text("Your choices have been saved")).to_be_visible()
    assert saved(resident) == {
        "status_update": "email",
        "information_request": "email",
        "reminder": "none",
    }
    resident.refresh_from_db()
    assert resident.language == "en"
    journey.finish()


def test_a_resident_chooses_welsh_texts_on_the_welsh_page(browser_page: BrowserPage, live_server):
    resident: Any = UserFactory(phone=MOBILE)
    journey = Journey(browser_page)
    sign_in(journey.page.context, live_server.url, resident)

    journey.goto("/cy/account/notifications/")
    journey.expect_heading("Sut rydym yn cysylltu â chi")
    expect(journey.page.locator("html")).to_have_attribute("lang", "cy")
    # The page's language is offered until they choose, each language named in itself
    expect(journey.page.get_by_role("radio", name="Cymraeg")).to_be_checked()

    choose_in(journey, "Pan fydd statws eich cais yn newid", "Drwy neges destun")
    choose_in(
        journey, "Pan fydd angen rhagor o wybodaeth arnom gennych", "Drwy e-bost a neges destun"
    )
    journey.submit(journey.button("Cadw eich dewisiadau"))

    expect(journey.page).to_have_url(re.compile(r"/cy/account/$"))
    expect(journey.page.get_by_text("Mae eich dewisiadau wedi cael eu cadw")).to_be_visible()
    assert saved(resident) == {
        "status_update": "sms",
        "information_request": "both",
        "reminder": "email",
    }
    resident.refresh_from_db()
    assert resident.language == "cy"
    journey.finish()


@pytest.fixture
def notify(settings) -> Iterator[NotifySimulator]:
    """The Notify simulator on loopback as the outbox's transport, with the generic templates
    (the settings tests/services/messages/conftest.py uses)."""
    from services.messages.notify import _client

    with NotifySimulator() as simulator:
        settings.NOTIFY_API_KEY = simulator.api_key
        settings.NOTIFY_BASE_URL = simulator.url
        settings.NOTIFY_TIMEOUT_SECONDS = 5
        settings.NOTIFY_TEMPLATES = demo_templates_setting()
        yield simulator
    _client.cache_clear()


@pytest.fixture
def agent_and_case(transactional_db):
    services = {service.slug: service for service in seed_catalogue()}
    team = Team.objects.create(name="Waste")
    team.services.add(services[WASTE])
    agent = with_mfa(UserFactory(roles=[AGENT], full_name="Alex Agent"))
    team.members.add(agent)
    resident = UserFactory(full_name="Olwen Pritchard", phone=MOBILE)
    # Sent in English: the language they choose later is the one they are written to in.
    case = SubmissionFactory(user=resident, language="en")
    return agent, case


def test_a_status_change_reaches_a_welsh_speaker_who_chose_texts_as_a_welsh_text(
    desktop_page: BrowserPage, live_server, agent_and_case, notify, settings
):
    agent, case = agent_and_case
    resident = case.user
    journey = Journey(desktop_page)
    sign_in(journey.page.context, live_server.url, resident)

    # Given the resident switches their account to Welsh with the language switcher
    journey.goto("/account/notifications/")
    journey.follow(
        journey.page.get_by_role("navigation", name="Language").get_by_role("link", name="Cymraeg")
    )
    resident.refresh_from_db()
    assert resident.language == "cy"
    # And chooses text messages for status changes
    choose_in(journey, "Pan fydd statws eich cais yn newid", "Drwy neges destun")
    journey.submit(journey.button("Cadw eich dewisiadau"))
    journey.finish()

    # When an agent moves the case on, writing to them in Welsh as the page asks
    browser = journey.page.context.browser
    assert browser is not None
    staff = browser.new_context(base_url=live_server.url)
    page = staff.new_page()
    try:
        sign_in(staff, live_server.url, agent)
        page.goto(f"/staff/cases/{case.reference}/status/")
        expect(page.get_by_text("The resident uses the portal in Welsh")).to_be_visible()
        page.get_by_role("radio", name="Action scheduled").check()
        page.get_by_label("Message to the resident").fill("Bydd y criw yn dod ddydd Llun.")
        page.get_by_role("button", name="Change the status and tell the resident").click()
        expect(page.get_by_text("The resident has been told")).to_be_visible()
    finally:
        close_page(page)

    # Then one Welsh text message is in the outbox for their mobile, and no e-mail
    case.refresh_from_db()
    assert case.status == Submission.Status.ACTION_SCHEDULED
    [message] = OutgoingMessage.objects.filter(kind="status_update")
    assert (message.channel, message.recipient, message.language) == ("sms", MOBILE, "cy")
    news, status, link = message.content["body"].splitlines()
    assert (
        news
        == f"My Council: newyddion am eich cais {case.reference}: Bydd y criw yn dod ddydd Llun."
    )
    assert status == "Statws: Camau wedi'u trefnu"
    assert link.endswith(f"/cy/account/requests/{case.reference}/")  # the Welsh page

    # When a worker sends it through GOV.UK Notify (the simulator on loopback), twice over
    assert send_message(message.pk) == "sent"
    assert send_message(message.pk) == "not_due"

    # Then Notify holds exactly one text message: to their mobile, with the Welsh text-message
    # template, in Welsh
    (sent,) = notify.notifications
    assert (sent["type"], sent["phone_number"]) == ("sms", "07700900982")
    assert sent["template"]["id"] == settings.NOTIFY_TEMPLATES["sms"]["default"]["cy"]
    assert sent["reference"] == message.message_id
    assert sent["body"].splitlines() == [news, status, link]
    assert "Bydd y criw yn dod ddydd Llun." in sent["body"]
    assert "news about" not in sent["body"]
    message.refresh_from_db()
    assert (message.state, message.provider_id) == ("sent", sent["id"])
