"""The whole studio journey in real Chromium, JavaScript on and off (issue 13's "Done when").

A service admin who never sees JSON creates a service with its start page in English and Welsh,
builds its form (eight kinds of question, a page shown only for one answer, an exit page, a
list of items asked "add another" with two questions about each item), has publishing refused
while Welsh is missing, publishes (seeing what changed), then routes it:
everything to highways' Open311 server (its service code a lookup of the problem), and, by a
rule built from the question's own answers and changed in place, street lights to the lighting
contractor's webhook too (a fault code looked up, and the list: each item whole, and each
item's answer to one of its questions looked up); the rule's Open311 destination starts with
the fallback's mapping. It is published before it is routed because routing and mapping read
the live version's questions (services.catalogue.publish_version). The service is made live; a
resident completes the new journey taking the branch (backing out of the exit page, adding two
items one at a time), both simulated back offices receive the mapped fields with the lookups
applied, and the admin previews the payload of that submission. Every studio page the admin
sees is checked with axe-core (StudioVisit fails the test if one is not).

Lean on purpose (CI has two cores): one test per JavaScript mode, the desktop width only (the
studio's pages are checked at 320 px by test_studio.py and test_studio_routing.py), and the
deliveries made in this process by the delivery engine rather than by a Celery worker
(tests/demo/test_demo_routes.py covers the worker).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from integrations.simulators.open311 import Open311Simulator
from integrations.simulators.webhook import WebhookSimulator
from portal.accounts.roles import SERVICE_ADMIN
from services.delivery.engine import attempt_delivery
from services.models import Connection, Delivery, Service, Submission
from services.seed import seed_catalogue
from tests.browser.conftest import BrowserPage, _open_page, assert_accessible
from tests.browser.journeys import Journey, sign_in
from tests.portal.accounts.factories import UserFactory
from tests.portal.staff.conftest import with_mfa
from tests.services.seeding import nothing_queued

pytestmark = pytest.mark.browser

SIGNING = "a-webhook-signing-secret-0123456789"
OPEN311_KEY = "an-open311-api-key"


class StudioVisit(Journey):
    """A Journey whose every page is checked at the size it has (desktop), not also at 320 px."""

    def audit(self) -> None:
        self.page.wait_for_load_state()
        assert_accessible(self.page)
        self.audited.append(self.page.url)
        self._current_audited = True

    def press(self, name: str) -> None:
        """Press a button that may or may not load a page (JavaScript may do it in place)."""
        button = self.page.get_by_role("button", name=name, exact=True)
        if self.javascript:
            button.click()
            self.page.wait_for_load_state()
            if not self._current_audited:
                self.audit()
        else:
            self.submit(button)

    def link(self, name: str | re.Pattern[str]) -> None:
        self.follow(self.page.get_by_role("link", name=name, exact=isinstance(name, str)))

    def open(self, name: str) -> None:
        """Follow a link that looks like a button (GOV.UK's start and secondary buttons)."""
        self.follow(self.page.get_by_role("button", name=name, exact=True))

    def button_(self, name: str) -> None:
        self.submit(self.page.get_by_role("button", name=name, exact=True))

    def pair(self, group: str, english: str, welsh: str | None) -> None:
        """Fill a text asked in English and Welsh side by side."""
        both = self.page.get_by_role("group", name=group, exact=True)
        both.get_by_label("English").fill(english)
        if welsh is not None:
            both.get_by_label("Welsh").fill(welsh)

    def flash(self, text: str) -> None:
        expect(self.page.get_by_text(text, exact=True)).to_be_visible()


def admin() -> Any:
    return with_mfa(UserFactory(is_staff=True, roles=[SERVICE_ADMIN], full_name="Ada Admin"))


def connections(webhook: WebhookSimulator, open311: Open311Simulator) -> None:
    """The council's two back offices, set up by a system admin (test_studio.py does that in the
    browser): the street-lighting contractor's webhook, and the highways team's Open311 server."""
    Connection.objects.create(
        name="Street lighting contractor",
        slug="street-lighting",
        adapter="webhook",
        config={"url": webhook.records_url},
        secrets={"signing_secret": SIGNING},
        owner_email="lighting@council.example",
    )
    Connection.objects.create(
        name="Highways (Open311)",
        slug="highways",
        adapter="open311",
        config={"endpoint": open311.endpoint},
        secrets={"api_key": OPEN311_KEY},
        owner_email="highways@council.example",
    )


def add_question(
    studio: StudioVisit,
    kind: str,
    english: str,
    welsh: str,
    *,
    options: list[tuple[str, str]] = (),  # type: ignore[assignment]
    button: str = "Add the question",
) -> None:
    """From the type page: choose the kind, then fill the question (and its options)."""
    studio.page.get_by_label(kind, exact=True).check()
    studio.continue_()
    studio.pair("Question", english, welsh)
    for number, (option_en, option_cy) in enumerate(options, start=1):
        option = studio.page.get_by_role("group", name=f"Option {number}", exact=True)
        if not option.count():
            studio.press("Add another option")
            option = studio.page.get_by_role("group", name=f"Option {number}", exact=True)
        option.get_by_label("Label in English").fill(option_en)
        option.get_by_label("Label in Welsh").fill(option_cy)
    studio.button_(button)


def build_the_form(studio: StudioVisit, service: Service) -> None:
    page = studio.page
    studio.open("Create a draft")
    add_question(
        studio,
        "One answer from a list (radios)",
        "What is the problem?",
        "Beth yw’r broblem?",
        options=[
            ("Pothole", "Twll yn y ffordd"),
            ("Street light not working", "Golau stryd ddim yn gweithio"),
            ("Graffiti", "Graffiti"),
        ],
        button="Create the draft",
    )
    studio.flash("Draft created with its first question")

    # Only for street lights: how many are out (a number)
    studio.open("Add a page")
    add_question(studio, "Number", "How many lights are out?", "Faint o oleuadau sydd allan?")
    studio.link("Change when page 2 is shown")
    page.get_by_label("What is the problem?").check()
    studio.continue_()
    page.get_by_label("Street light not working").check()
    studio.button_("Save")
    studio.flash("Only when ‘What is the problem?’ is ‘Street light not working’")

    # Is anyone in danger (yes or no), with an exit page for yes
    studio.open("Add a page")
    add_question(studio, "Yes or no", "Is anyone in danger?", "A oes unrhyw un mewn perygl?")
    studio.open("Add an exit page")
    page.get_by_label("Is anyone in danger?").check()
    studio.continue_()
    page.get_by_label("Yes", exact=True).check()
    studio.pair("Title", "Call us now", "Ffoniwch ni nawr")
    studio.pair("What the page says", "Call 01234 567890 at any time.", None)  # Welsh forgotten
    studio.button_("Add the exit page")
    studio.flash("Exit page “Call us now” added")
    expect(page.get_by_text("Welsh missing")).to_have_count(1)

    # What it affects (checkboxes), when it started (a date), where (short text), and the
    # resident's e-mail address
    studio.open("Add a page")
    add_question(
        studio,
        "Any answers from a list (checkboxes)",
        "What does it affect?",
        "Beth mae’n effeithio arno?",
        options=[("The road", "Y ffordd"), ("The pavement", "Y palmant")],
    )
    studio.open("Add a page")
    add_question(studio, "Date", "When did you first see it?", "Pryd welsoch chi hi gyntaf?")
    studio.open("Add a page")
    add_question(
        studio,
        "Short answer (one line of text)",
        "Where is it?",
        "Ble mae e?",
    )
    studio.open("Add a page")
    add_question(studio, "Email address", "Your email address", "Eich cyfeiriad e-bost")
    studio.flash("Page added, with question “Your email address”")

    # Publishing is refused while Welsh is missing; the Welsh added, it is published with a
    # summary of what changed
    studio.link("Review and publish")
    studio.button_("Publish")
    expect(page.get_by_role("alert")).to_contain_text("Welsh missing on exit page")
    studio.link("Back to the draft")
    studio.link("Edit text of page 4")
    page.get_by_role("group", name="What the page says").get_by_label("Welsh").fill(
        "Ffoniwch 01234 567890 unrhyw bryd."
    )
    studio.button_("Save the page")
    add_a_list(studio)
    studio.link("Review and publish")
    expect(page.get_by_text("Questions added")).to_be_visible()
    studio.button_("Publish")
    studio.flash("Version 1 published: residents now fill it in")


def add_a_list(studio: StudioVisit) -> None:
    """A repeating question ("add another"): each other damaged thing, what it is and how bad,
    the first question about each item asked with the list, the second added to it."""
    page = studio.page
    studio.open("Add a page")
    page.get_by_label("List of items (“add another”)", exact=True).check()
    studio.continue_()
    studio.pair("Question", "What else is damaged?", "Beth arall sydd wedi’i ddifrodi?")
    studio.pair("The first question about each item", "What is it?", "Beth yw e?")
    studio.button_("Add the question")
    studio.flash("Page added, with question “What else is damaged?”")
    studio.link("Add a question about each item (What else is damaged?)")
    add_question(
        studio,
        "One answer from a list (radios)",
        "How bad is it?",
        "Pa mor ddrwg yw e?",
        options=[("Minor", "Bach"), ("Serious", "Difrifol")],
    )
    studio.flash("Question “How bad is it?” added to each item")


def route_the_form(studio: StudioVisit, service: Service) -> None:
    """Everything to highways' Open311 server, its service code looked up from the problem;
    street lights also to the lighting contractor's webhook, with its own fault code."""
    page = studio.page
    studio.goto("/staff/studio/")
    studio.follow(page.get_by_role("link", name=re.compile(rf"routing of {service.name}$")))
    studio.link("Change which rules are used and the fallback")
    page.get_by_label("Highways (Open311)").check()
    studio.button_("Save")

    studio.link("Field mapping of Highways (Open311)")
    map_a_lookup(
        studio,
        "Map service_code",
        "What is the problem?",
        {"Pothole": "POTHOLE", "Street light not working": "STREETLIGHT", "Graffiti": "GRAFFITI"},
    )
    studio.flash("Field “service_code” saved")
    for field, question in (("address_string", "Where is it?"), ("email", "Your email address")):
        studio.link(f"Map {field}")
        map_answer(studio, question)
    studio.link("Back to routing")

    studio.open("Add a rule")
    page.get_by_label("Rule name").fill("Street lights")
    page.get_by_label("Street lighting contractor").check()
    page.get_by_label("Highways (Open311)").check()
    studio.button_("Add the rule")
    studio.open("Add a condition")
    page.get_by_label("An answer to a question").check()
    studio.continue_()
    page.get_by_label("Question").select_option(label="What is the problem?")
    studio.continue_()
    page.get_by_label("is", exact=True).check()
    page.get_by_label("Street light not working").check()
    studio.button_("Add the condition")
    # Changed in place: the condition's page opens with what it is
    studio.link("Change condition 1")
    expect(page.get_by_label("Street light not working")).to_be_checked()
    expect(page.get_by_label("is", exact=True)).to_be_checked()
    studio.button_("Save the condition")
    studio.flash("Condition changed in “Street lights”")
    page.get_by_label("The rule is switched on").check()
    studio.button_("Save the rule")
    expect(page.locator(".studio-rule-summary")).to_contain_text(
        "When ‘What is the problem?’ is ‘Street light not working’ → "
        "Highways (Open311) (Street lights), Street lighting contractor"
    )

    studio.link("Field mapping of Street lighting contractor")
    map_a_lookup(
        studio,
        "Add a field",
        "What is the problem?",
        {"Street light not working": "SL-OUT"},
        name="fault_code",
    )
    studio.open("Add a field")
    page.get_by_label("Field name").fill("lights_out")
    map_answer(studio, "How many lights are out?")
    studio.flash("Field “lights_out” saved")
    # The list: each item whole, and each item's answer to one of its questions as codes
    studio.open("Add a field")
    page.get_by_label("Field name").fill("damaged")
    map_answer(studio, "What else is damaged?")
    map_a_lookup(
        studio,
        "Add a field",
        "What else is damaged?: How bad is it? of each item",
        {"Minor": "LOW", "Serious": "HIGH"},
        name="damage_levels",
    )
    studio.flash("Field “damage_levels” saved")


def map_answer(studio: StudioVisit, question: str) -> None:
    studio.page.get_by_label("An answer to a question").check()
    studio.page.get_by_label("Answer", exact=True).select_option(label=question)
    studio.button_("Save the field")


def map_a_lookup(
    studio: StudioVisit, link: str, question: str, codes: dict[str, str], name: str = ""
) -> None:
    """A field sent as a code for each of the question's own choices (a two-column table)."""
    page = studio.page
    if name:
        studio.open(link)
        page.get_by_label("Field name").fill(name)
    else:
        studio.link(link)
    page.get_by_label("An answer to a question").check()
    page.get_by_label("Answer", exact=True).select_option(label=question)
    studio.press("Show its choices")
    for label, code in codes.items():
        page.get_by_label(f"Code for “{label}”").fill(code)
    studio.button_("Save the field")


def make_it_live(studio: StudioVisit, service: Service) -> None:
    studio.goto("/staff/studio/")
    studio.link(service.name)
    studio.page.get_by_label("Live: residents can find it and send it").check()
    studio.button_("Save the service")
    studio.flash(f"Service “{service.name}” saved")


def report_a_street_light(resident: Journey) -> str:
    """The resident's journey: the light branch taken, the exit page seen and gone back from."""
    first_seen = timezone.localdate() - timedelta(days=3)
    resident.goto("/services/report-a-street-problem/")
    resident.submit(resident.button("Start now"))
    resident.answer(lambda: resident.choose("Street light not working"))
    resident.expect_heading("How many lights are out?")
    resident.answer(lambda: resident.fill("How many lights are out?", "3"))
    resident.answer(lambda: resident.choose("Yes"))
    resident.expect_heading("Call us now")
    resident.back()
    resident.answer(lambda: resident.choose("No"))
    resident.answer(lambda: resident.tick("The road", "The pavement"))
    resident.answer(lambda: resident.date(first_seen.day, first_seen.month, first_seen.year))
    resident.answer(lambda: resident.fill("Where is it?", "Outside 12 Mill Lane"))
    resident.answer(lambda: resident.fill("Your email address", "sam@example.org"))
    add_item(resident, "A bench", "Serious")
    resident.expect_heading("You have added 1 item")
    resident.answer(lambda: resident.choose("Yes"))
    add_item(resident, "A bin", "Minor")
    resident.expect_heading("You have added 2 items")
    resident.answer(lambda: resident.choose("No"))
    resident.expect_answer("How many lights are out?", "3")
    resident.expect_answer("What else is damaged?", "2 items")
    return resident.send()


def add_item(resident: Journey, what: str, how_bad: str) -> None:
    resident.fill("What is it?", what)
    resident.answer(lambda: resident.choose(how_bad))


def deliver_everything() -> None:
    """What the worker would do with each delivery queued on commit (nothing_queued)."""
    for delivery in Delivery.objects.order_by("pk"):
        attempt_delivery(delivery.pk)


def test_a_service_admin_builds_routes_and_publishes_a_service_that_a_resident_completes(
    desktop_page: BrowserPage, browser: Browser, live_server, javascript, monkeypatch
):
    # Given the catalogue's topics, two back offices, and a service admin
    seed_catalogue()
    nothing_queued(monkeypatch)
    page = desktop_page.page
    sign_in(page.context, live_server.url, admin())
    studio = StudioVisit(desktop_page)

    with WebhookSimulator(SIGNING) as webhook, Open311Simulator(OPEN311_KEY) as open311:
        connections(webhook, open311)

        # A new service, its start page in English and Welsh
        studio.goto("/staff/studio/")
        studio.open("Create a service")
        studio.pair("Name", "Report a street problem", "Rhoi gwybod am broblem stryd")
        studio.pair(
            "Summary",
            "Tell us about potholes, broken street lights and graffiti.",
            "Dywedwch wrthym am dyllau, goleuadau stryd wedi torri a graffiti.",
        )
        studio.pair("What you need", "Where the problem is.", "Ble mae’r broblem.")
        studio.pair("How long it takes", "About 3 minutes.", "Tua 3 munud.")
        page.get_by_label("Topic").select_option(index=1)
        studio.button_("Create the service")
        studio.flash("Service “Report a street problem” created")
        service = Service.objects.get(slug="report-a-street-problem")
        studio.link(re.compile(r"form of Report a street problem$"))

        build_the_form(studio, service)
        route_the_form(studio, service)
        make_it_live(studio, service)
        studio.finish()

        # The resident's journey, in another browser
        resident = StudioVisit(_open_page(browser, live_server.url, javascript, "desktop"))
        sign_in(resident.page.context, live_server.url, UserFactory(email="sam@example.org"))
        try:
            reference = report_a_street_light(resident)
            resident.finish()
        finally:
            resident.page.context.close()
        deliver_everything()

        # Street lights: the rule matched, so both back offices have the case, each with its
        # own code for the answer and the branch's answer
        (record,) = webhook.records
        assert record["data"]["fault_code"] == "SL-OUT"
        assert record["data"]["lights_out"] == 3
        assert record["data"]["damage_levels"] == ["HIGH", "LOW"]
        assert record["data"]["damaged"] == [
            {"description": "A bench", "how_bad_is_it": "serious"},
            {"description": "A bin", "how_bad_is_it": "minor"},
        ]
        (request,) = open311.records
        assert request["service_code"] == "STREETLIGHT"
        assert request["fields"]["address_string"] == "Outside 12 Mill Lane"
        assert request["fields"]["email"] == "sam@example.org"

        # The admin previews what the contractor is sent for that submission
        studio.goto(f"/staff/studio/services/{service.pk}/routing/")
        studio.link("Field mapping of Street lighting contractor")
        studio.page.get_by_label("Submission").select_option(reference)
        studio.button_("Preview")
        payload = page.get_by_role("table", name=f"Sent for {reference}")
        expect(payload.get_by_role("row", name="fault_code SL-OUT")).to_be_visible()
        expect(payload.get_by_role("row", name="lights_out 3")).to_be_visible()
        studio.finish()
    assert Submission.objects.get(reference=reference).service == service
