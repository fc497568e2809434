"""The studio in real Chromium, JavaScript on and off: a service admin creates a service in
English and Welsh and edits it; a system admin creates a webhook connection and tests it against
the webhook simulator on loopback. Every page axe-core clean at 1280 and 320 px."""

from typing import Any

import pytest
from playwright.sync_api import expect

from integrations.simulators.webhook import WebhookSimulator
from portal.accounts.roles import SERVICE_ADMIN, SYSTEM_ADMIN
from services.models import Connection, Destination, RoutingRuleSet, Service, Submission
from services.seed import seed_catalogue
from tests.browser.conftest import BrowserPage, assert_accessible_at
from tests.browser.journeys import WIDTHS, sign_in
from tests.portal.accounts.factories import UserFactory
from tests.portal.staff.conftest import with_mfa

pytestmark = pytest.mark.browser

SIGNING = "a-webhook-signing-secret-0123456789"


def admin(role: str) -> Any:
    return with_mfa(UserFactory(is_staff=True, roles=[role], full_name="Ada Admin"))


def test_a_service_admin_creates_a_service_in_english_and_welsh_and_edits_it(
    desktop_page: BrowserPage, live_server, transactional_db
):
    seed_catalogue()
    page = desktop_page.page
    sign_in(page.context, live_server.url, admin(SERVICE_ADMIN))

    page.goto("/staff/studio/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Services")
    assert_accessible_at(page, WIDTHS)

    page.get_by_role("button", name="Create a service").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a service")
    # Sent with nothing in it: every missing answer is listed, and the page is still accessible
    page.get_by_role("button", name="Create the service").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the service’s name in English")
    assert_accessible_at(page, WIDTHS)

    name = page.get_by_role("group", name="Name")
    name.get_by_label("English").fill("Order a new bin")
    name.get_by_label("Welsh").fill("Archebu bin newydd")
    summary = page.get_by_role("group", name="Summary")
    summary.get_by_label("English").fill("Ask for a new or replacement bin.")
    summary.get_by_label("Welsh").fill("Gofyn am fin newydd.")
    page.get_by_role("group", name="How long it takes").get_by_label("English").fill(
        "About 5 minutes."
    )
    page.get_by_label("Topic").select_option(label="Bins and recycling")
    page.get_by_role("button", name="Create the service").click()

    expect(page.get_by_text("Service “Order a new bin” created")).to_be_visible()
    saved = Service.objects.values("name_cy", "summary_cy").get(slug="order-a-new-bin")
    assert saved == {"name_cy": "Archebu bin newydd", "summary_cy": "Gofyn am fin newydd."}

    page.get_by_role("link", name="Order a new bin", exact=True).click()
    how_long = page.get_by_role("group", name="How long it takes")
    expect(how_long.get_by_text("Welsh missing")).to_be_visible()
    assert_accessible_at(page, WIDTHS)
    how_long.get_by_label("Welsh").fill("Tua 5 munud.")
    page.get_by_label("Residents may use it without signing in").check()
    # A target time that is not a number of working days is refused, accessibly
    target = page.get_by_label("Target time to respond, in working days (optional)")
    target.fill("ten")
    page.get_by_role("button", name="Save the service").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Enter the target time as a whole number of working days, like 10"
    )
    assert_accessible_at(page, WIDTHS)
    page.get_by_label("Target time to respond, in working days (optional)").fill("10")
    page.get_by_role("button", name="Save the service").click()

    expect(page.get_by_text("Service “Order a new bin” saved")).to_be_visible()
    edited = Service.objects.values("how_long_cy", "allow_guests", "target_working_days").get(
        slug="order-a-new-bin"
    )
    assert edited == {
        "how_long_cy": "Tua 5 munud.",
        "allow_guests": True,
        "target_working_days": 10,
    }
    desktop_page.problems.assert_none()


def test_a_system_admin_creates_a_webhook_connection_and_tests_it(
    desktop_page: BrowserPage, live_server, transactional_db
):
    page = desktop_page.page
    sign_in(page.context, live_server.url, admin(SYSTEM_ADMIN))

    with WebhookSimulator(SIGNING) as simulator:
        page.goto("/staff/studio/")
        page.get_by_role("link", name="Connections").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Connections")
        assert_accessible_at(page, WIDTHS)

        page.get_by_role("button", name="Add a connection").click()
        page.get_by_label("JSON webhook").check()
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("New connection: JSON webhook")
        assert_accessible_at(page, WIDTHS)

        page.get_by_label("Name", exact=True).fill("Waste system")
        # "notify" is the address of GOV.UK Notify's receipts, so it is refused beside its field
        page.get_by_label("Short name").fill("notify")
        page.get_by_label("Owner’s e-mail address").fill("waste@council.example")
        page.get_by_label("Address", exact=True).fill("ftp://waste.example")
        page.get_by_label("Signing secret").fill(SIGNING)
        page.get_by_role("button", name="Create the connection").click()
        expect(page.get_by_role("alert")).to_contain_text("Enter an address starting https://")
        expect(page.get_by_role("alert")).to_contain_text(
            "The short name “notify” is kept for GOV.UK Notify’s delivery receipts"
        )
        assert_accessible_at(page, WIDTHS)
        assert not Connection.objects.exists()

        page.get_by_label("Short name").fill("waste-system")
        page.get_by_label("Address", exact=True).fill(simulator.records_url)
        page.get_by_label("Signing secret").fill(SIGNING)  # never shown again, so typed again
        page.get_by_role("button", name="Create the connection").click()
        expect(page.get_by_text("Connection “Waste system” created")).to_be_visible()

        page.get_by_role("button", name="Test connection").click()
        banner = page.locator(".govuk-notification-banner--success")
        expect(banner).to_contain_text("The back office answered: the connection works.")
        assert_accessible_at(page, WIDTHS)
        assert SIGNING not in page.content()
        assert simulator.records == []
    desktop_page.problems.assert_none()


def test_a_service_admin_builds_a_branching_form_with_an_exit_page_previews_and_publishes_it(
    desktop_page: BrowserPage, live_server, transactional_db
):
    # Given a service with no form yet
    seed_catalogue()
    topic = Service.objects.get(slug="report-missed-bin").topic
    service = Service.objects.create(
        slug="order-a-bin", name_en="Order a bin", summary_en="Order one.", topic=topic
    )
    page = desktop_page.page
    sign_in(page.context, live_server.url, admin(SERVICE_ADMIN))

    # The first question: radios with two options, in English and Welsh
    page.goto(f"/staff/studio/services/{service.pk}/form/")
    assert_accessible_at(page, WIDTHS)
    page.get_by_role("button", name="Create a draft").click()
    page.get_by_label("One answer from a list (radios)").check()
    page.get_by_role("button", name="Continue").click()
    question = page.get_by_role("group", name="Question")
    question.get_by_label("English").fill("Which bin do you need?")
    question.get_by_label("Welsh").fill("Pa fin sydd ei angen arnoch?")
    expect(page.get_by_text("Welsh missing")).to_have_count(0)
    for number, (english, welsh) in enumerate(
        [("Garden waste", "Gwastraff gardd"), ("Recycling", "Ailgylchu")], start=1
    ):
        option = page.get_by_role("group", name=f"Option {number}")
        option.get_by_label("Label in English").fill(english)
        option.get_by_label("Label in Welsh").fill(welsh)
    page.get_by_role("button", name="Add another option").click()
    expect(page.get_by_role("group", name="Option 3")).to_be_visible()
    assert_accessible_at(page, WIDTHS)
    page.get_by_role("button", name="Create the draft").click()
    expect(page.get_by_text("Draft created with its first question")).to_be_visible()
    assert_accessible_at(page, WIDTHS)

    # A second page, a yes/no question shown only for garden waste
    page.get_by_role("button", name="Add a page").click()
    page.get_by_label("Yes or no").check()
    page.get_by_role("button", name="Continue").click()
    question = page.get_by_role("group", name="Question")
    question.get_by_label("English").fill("Do you have a garden waste subscription?")
    question.get_by_label("Welsh").fill("A oes gennych danysgrifiad gwastraff gardd?")
    page.get_by_role("button", name="Add the question").click()
    page.get_by_role("link", name="Change when page 2 is shown").click()
    page.get_by_label("Which bin do you need?").check()
    page.get_by_role("button", name="Continue").click()
    assert_accessible_at(page, WIDTHS)
    page.get_by_label("Garden waste").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Only when ‘Which bin do you need?’ is ‘Garden waste’")).to_be_visible()

    # An exit page for those without a subscription
    page.get_by_role("button", name="Add an exit page").click()
    page.get_by_label("Do you have a garden waste subscription?").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("No", exact=True).check()
    title = page.get_by_role("group", name="Title")
    title.get_by_label("English").fill("You need a subscription")
    title.get_by_label("Welsh").fill("Mae angen tanysgrifiad arnoch")
    body = page.get_by_role("group", name="What the page says")
    body.get_by_label("English").fill("Subscribe first.")
    assert_accessible_at(page, WIDTHS)
    page.get_by_role("button", name="Add the exit page").click()
    expect(page.get_by_text("Exit page “You need a subscription” added")).to_be_visible()
    expect(page.get_by_text("Welsh missing")).to_have_count(1)
    assert_accessible_at(page, WIDTHS)

    # Publishing is refused while Welsh is missing, naming it
    page.get_by_role("link", name="Review and publish").click()
    assert_accessible_at(page, WIDTHS)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("alert")).to_contain_text("Welsh missing on exit page")
    assert_accessible_at(page, WIDTHS)

    # The Welsh added, the exit page previewed, then published
    page.get_by_role("link", name="Back to the draft").click()
    page.get_by_role("link", name="Edit text of page 3").click()
    page.get_by_role("group", name="What the page says").get_by_label("Welsh").fill(
        "Tanysgrifiwch yn gyntaf."
    )
    page.get_by_role("button", name="Save the page").click()
    page.get_by_role("link", name="Preview page 3").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You need a subscription")
    assert_accessible_at(page, WIDTHS)
    page.goto(f"/staff/studio/services/{service.pk}/form/draft/publish/")
    expect(page.get_by_text("Questions added")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Version 1 published: residents now fill it in")).to_be_visible()
    live = service.form.live_version
    assert live is not None
    assert [p["id"] for p in live.schema["pages"]] == [
        "which-bin-do-you-need",
        "do-you-have-a-garden-waste",
        "you-need-a-subscription",
    ]
    desktop_page.problems.assert_none()


def test_a_service_admin_maps_a_field_with_a_lookup_table_and_previews_the_payload(
    desktop_page: BrowserPage, live_server, transactional_db
):
    # Given the missed-bin form routed to a SOAP case system that requires its Description, and
    # a submission to preview with
    services = {service.slug: service for service in seed_catalogue()}
    service = services["report-missed-bin"]
    connection = Connection.objects.create(
        name="Waste system",
        slug="waste-system",
        adapter="soap_case",
        config={"wsdl_url": "https://waste.example.gov.uk/CaseService?wsdl"},
        owner_email="waste@example.gov.uk",
    )
    destination = Destination.objects.create(
        rule_set=RoutingRuleSet.objects.create(form=service.form),
        name="Waste team",
        connection=connection,
        mapping={"UPRN": {"answer": "collection_address", "part": "uprn"}},
    )
    version = service.form.live_version
    assert version is not None
    Submission.objects.create(
        reference="MB-2001",
        service=service,
        form_version=version,
        answers={"bin_type": "garden", "collection_address": {"uprn": "100031234567"}},
        contact_email="sam@example.com",
    )
    page = desktop_page.page
    sign_in(page.context, live_server.url, admin(SERVICE_ADMIN))

    # The list says the required field is missing before anything is sent
    page.goto(f"/staff/studio/destinations/{destination.pk}/mapping/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Field mapping: Waste team")
    expect(page.get_by_text("Field ‘Description’ is required by SOAP case system")).to_be_visible()
    assert_accessible_at(page, WIDTHS)

    # Sent with a template naming a question the form does not have: said beside the box
    page.get_by_role("link", name="Map Description").click()
    page.get_by_label("Text with answers in it").check()
    page.get_by_label("Text", exact=True).fill("Missed bin: {answer.colour}")
    page.get_by_role("button", name="Save the field").click()
    expect(page.get_by_role("alert")).to_contain_text("question ‘colour’ is not in the form")
    assert_accessible_at(page, WIDTHS)
    page.get_by_label("Text", exact=True).fill("Missed {answer.bin_type} bin")
    page.get_by_role("button", name="Save the field").click()
    expect(page.get_by_text("Field “Description” saved")).to_be_visible()

    # The service code from the bin question's own choices, as a two-column table
    page.get_by_role("link", name="Map ServiceCode").click()
    page.get_by_label("An answer to a question").check()
    page.get_by_label("Answer", exact=True).select_option(label="Which bin was not collected?")
    page.get_by_role("button", name="Show its choices").click()
    page.get_by_label("Code for “Garden waste (brown bin)”").fill("GDN")
    page.get_by_label("Code for any other answer (optional)").fill("RES")
    assert_accessible_at(page, WIDTHS)
    page.get_by_role("button", name="Save the field").click()
    expect(page.get_by_text("Field “ServiceCode” saved")).to_be_visible()
    destination.refresh_from_db()
    assert destination.mapping["ServiceCode"] == {
        "answer": "bin_type",
        "transforms": [{"lookup": {"garden": "GDN"}, "default": "RES"}],
    }

    # The payload of the recent submission, as a table
    page.get_by_role("button", name="Preview").click()
    payload = page.get_by_role("table", name="Sent for MB-2001")
    expect(payload.get_by_role("row", name="ServiceCode GDN")).to_be_visible()
    expect(payload.get_by_role("row", name="UPRN 100031234567")).to_be_visible()
    assert_accessible_at(page, WIDTHS)
