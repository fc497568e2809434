"""The routing editor in real Chromium, JavaScript on and off: a service admin adds a rule sending
garden waste to the garden team, builds its condition from the question's own answers, and is
asked before removing the fallback of a live service. Every page axe-core clean at 1280 and 320 px.
"""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from portal.accounts.roles import SERVICE_ADMIN
from services.models import Connection, Destination, RoutingRule, RoutingRuleSet, Service
from services.seed import seed_catalogue
from tests.browser.conftest import BrowserPage, assert_accessible_at
from tests.browser.journeys import WIDTHS, sign_in
from tests.portal.accounts.factories import UserFactory
from tests.portal.staff.conftest import with_mfa

pytestmark = pytest.mark.browser


def connection(name: str, slug: str) -> Connection:
    return Connection.objects.create(
        name=name,
        slug=slug,
        adapter="webhook",
        config={"url": f"https://{slug}.example.gov.uk/records"},
        owner_email="it@example.gov.uk",
    )


def live_missed_bin_service() -> Service:
    """The seeded missed-bin service, live, sending everything to the waste system."""
    service = {s.slug: s for s in seed_catalogue()}["report-missed-bin"]
    rule_set = RoutingRuleSet.objects.create(form=service.form)
    Destination.objects.create(
        rule_set=rule_set, name="Waste system", connection=connection("Waste system", "waste")
    )
    connection("Garden waste team (e-mail)", "garden-team")
    service.is_live = True
    service.save()
    return service


def heading(page: Page) -> Any:
    return page.get_by_role("heading", level=1)


def test_a_service_admin_routes_garden_waste_to_the_garden_team(
    desktop_page: BrowserPage, live_server, transactional_db
):
    service = live_missed_bin_service()
    page = desktop_page.page
    admin = with_mfa(UserFactory(is_staff=True, roles=[SERVICE_ADMIN], full_name="Ada Admin"))
    sign_in(page.context, live_server.url, admin)

    page.goto("/staff/studio/")
    # (GOV.UK's visually hidden text is spoken with a space before it)
    page.get_by_role("link", name=re.compile(rf"^Routed\W+routing of {service.name}$")).click()
    expect(heading(page)).to_have_text("Routing")
    assert_accessible_at(page, WIDTHS)

    # A rule, sent with no name: the error is next to the field
    page.get_by_role("button", name="Add a rule").click()
    page.get_by_role("button", name="Add the rule").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a name for the rule")
    assert_accessible_at(page, WIDTHS)
    page.get_by_label("Rule name").fill("Garden waste")
    page.get_by_label("Garden waste team (e-mail)").check()
    page.get_by_role("button", name="Add the rule").click()
    expect(page.get_by_text("Rule “Garden waste” added")).to_be_visible()
    assert_accessible_at(page, WIDTHS)

    # Its condition, from the question's own answers
    page.get_by_role("button", name="Add a condition").click()
    assert_accessible_at(page, WIDTHS)
    page.get_by_label("An answer to a question").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Question").select_option(label="Which bin was not collected?")
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("Which bin was not collected?")
    page.get_by_role("button", name="Add the condition").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose when the rule matches")
    assert_accessible_at(page, WIDTHS)
    page.get_by_label("is", exact=True).check()
    page.get_by_label("Garden waste (brown bin)").check()
    page.get_by_role("button", name="Add the condition").click()
    expect(page.get_by_text("Condition added to “Garden waste”")).to_be_visible()

    page.get_by_label("The rule is switched on").check()
    page.get_by_role("button", name="Save the rule").click()
    expect(page.locator(".studio-rule-summary")).to_contain_text(
        "When ‘Which bin was not collected?’ is ‘Garden waste (brown bin)’ → "
        "Garden waste team (e-mail)"
    )
    rule = RoutingRule.objects.get(name="Garden waste")
    assert (rule.is_active, rule.condition) == (
        True,
        {"question": "bin_type", "op": "equals", "value": "garden"},
    )

    # Switch the rule off and remove the fallback: asked first, nothing saved
    RoutingRule.objects.filter(pk=rule.pk).update(is_active=False)
    page.get_by_role("link", name="Change which rules are used and the fallback").click()
    page.get_by_label("Waste system").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("cannot take submissions")
    assert_accessible_at(page, WIDTHS)
    assert Destination.objects.filter(rule=None).count() == 1
    desktop_page.problems.assert_none()
