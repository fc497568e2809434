"""The studio in real Chromium, JavaScript on and off: a system admin creates a Salesforce CRM
connection that keeps each file's key in an External ID field, and tests it against the CRM
simulator on loopback. Every page axe-core clean at 1280 and 320 px."""

import pytest
from playwright.sync_api import expect

from integrations.simulators.crm import CRMSimulator
from portal.accounts.roles import SYSTEM_ADMIN
from services.models import Connection
from tests.browser.conftest import BrowserPage, assert_accessible_at
from tests.browser.journeys import WIDTHS, sign_in
from tests.browser.test_studio import admin

pytestmark = pytest.mark.browser

CLIENT_ID, CLIENT_SECRET = "studio-client", "studio-client-secret-0123456789"


def test_a_system_admin_names_the_external_id_field_that_keys_salesforce_files(
    desktop_page: BrowserPage, live_server, transactional_db
):
    page = desktop_page.page
    sign_in(page.context, live_server.url, admin(SYSTEM_ADMIN))

    with CRMSimulator(
        style="salesforce",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        content_version_fields=["Portal_Key__c"],
    ) as crm:
        page.goto("/staff/studio/connections/new/")
        page.get_by_label("CRM (Dynamics 365 or Salesforce)").check()
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_label("File key field (Salesforce)")).to_be_visible()
        assert_accessible_at(page, WIDTHS)

        page.get_by_label("Name", exact=True).fill("Council Salesforce")
        page.get_by_label("Short name").fill("salesforce")
        page.get_by_label("Owner’s e-mail address").fill("crm@council.example")
        page.get_by_label("CRM address").fill(crm.url)
        page.get_by_label("Salesforce (REST API)").check()
        page.get_by_label("Object (Salesforce)").fill("Case")
        page.get_by_label("External ID field (Salesforce)").fill("Portal_Reference__c")
        page.get_by_label("File key field (Salesforce)").fill("Portal Key")
        page.get_by_label("OAuth2 token address").fill(crm.token_url)
        page.get_by_label("OAuth2 client id").fill(CLIENT_ID)
        page.get_by_label("OAuth2 client secret").fill(CLIENT_SECRET)
        page.get_by_role("button", name="Create the connection").click()
        expect(page.get_by_role("alert")).to_contain_text("Enter an API name")
        assert_accessible_at(page, WIDTHS)
        assert not Connection.objects.exists()

        page.get_by_label("File key field (Salesforce)").fill("Portal_Key__c")
        page.get_by_label("OAuth2 client secret").fill(CLIENT_SECRET)
        page.get_by_role("button", name="Create the connection").click()
        expect(page.get_by_text("Connection “Council Salesforce” created")).to_be_visible()
        assert Connection.objects.get().config["file_key_field"] == "Portal_Key__c"

        page.get_by_role("button", name="Test connection").click()
        banner = page.locator(".govuk-notification-banner--success")
        expect(banner).to_contain_text("The back office answered: the connection works.")
        assert_accessible_at(page, WIDTHS)
    desktop_page.problems.assert_none()
