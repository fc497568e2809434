import pytest

from services.models import Service
from tests.portal.accounts.factories import UserFactory
from tests.portal.accounts.helpers import title
from tests.portal.catalogue.helpers import elements, texts


def start_forms(response) -> list[tuple[str, str, str]]:
    """(method, action, button text) of each form in the page's main content."""
    return [
        (form.attrs.get("method", ""), form.attrs.get("action", ""), button.text)
        for button in elements(response, "button")
        if button.inside("main") and (form := button.inside("form")) is not None
    ]


def links(response) -> dict[str, str]:
    return {e.text: e.attrs.get("href", "") for e in elements(response, "a")}


def test_start_page_shows_what_you_need_how_long_and_other_ways(client, catalogue):
    # Given the seeded missed bin service
    # When a resident opens its start page
    response = client.get("/services/report-missed-bin/")

    # Then it follows the GOV.UK start page pattern
    assert response.status_code == 200
    assert texts(response, "h1") == ["Report a missed bin collection"]
    assert title(response).startswith("Report a missed bin collection – ")
    headings = texts(response, "h2", "h3")
    for heading in ("What you need", "How long it takes", "Other ways to do this", "By phone"):
        assert heading in headings
    assert "It takes about 3 minutes." in texts(response, "p")
    assert "Call 01234 567890, Monday to Friday, 9am to 5pm." in texts(response, "p")


def test_signed_in_resident_gets_a_start_now_button_that_posts_to_the_journey(client, catalogue):
    # Given a signed-in resident
    client.force_login(UserFactory())

    # When they open a start page (even of a service that needs an account)
    response = client.get("/services/book-bulky-waste/")

    # Then Start now is a POST form to the journey's start URL, with a CSRF token
    assert start_forms(response) == [("post", "/services/book-bulky-waste/start/", "Start now")]
    start_button = next(e for e in elements(response, "button") if e.text == "Start now")
    assert "govuk-button--start" in start_button.classes
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
    assert "You need an account to use this service" not in texts(response, "h2")


def test_a_guest_may_sign_in_or_continue_without_an_account_when_the_service_allows_it(
    client, catalogue
):
    # Given a signed-out resident and a service open to guests
    # When they open its start page
    response = client.get("/services/report-missed-bin/")

    # Then they can sign in and come back here, or start as a guest
    assert links(response)["Sign in and start"] == (
        "/accounts/login/?next=/services/report-missed-bin/"
    )
    assert start_forms(response) == [
        ("post", "/services/report-missed-bin/start/", "Continue without an account")
    ]


def test_a_guest_is_told_they_need_an_account_when_the_service_does_not_allow_guests(
    client, catalogue
):
    # Given a signed-out resident and a service for account holders only
    response = client.get("/services/apply-resident-parking-permit/")

    # Then there is no way to start, only to sign in or create an account
    assert "You need an account to use this service" in texts(response, "h2")
    assert start_forms(response) == []
    assert links(response)["Sign in"].endswith("?next=/services/apply-resident-parking-permit/")
    assert links(response)["Create an account"] == (
        "/accounts/signup/?next=/services/apply-resident-parking-permit/"
    )


def test_the_welsh_start_page_is_in_welsh_and_starts_the_welsh_journey(client, catalogue):
    client.force_login(UserFactory())

    response = client.get("/cy/services/report-pothole/")

    assert texts(response, "h1") == ["Rhoi gwybod am dwll yn y ffordd"]
    assert [action for _, action, _ in start_forms(response)] == [
        "/cy/services/report-pothole/start/"
    ]


@pytest.mark.parametrize("slug", ["no-such-service", "report-pothole"])
def test_an_unknown_or_offline_service_has_no_start_page(client, catalogue, slug):
    # Given the pothole service taken offline
    Service.objects.filter(slug="report-pothole").update(is_live=False)

    # When someone opens its start page, or one that never existed
    response = client.get(f"/services/{slug}/")

    # Then it is not found
    assert response.status_code == 404


def test_a_service_whose_form_was_withdrawn_has_no_start_page(client, catalogue):
    catalogue["report-noise"].live_version.archive()

    assert client.get("/services/report-noise/").status_code == 404


def test_a_service_s_text_is_escaped_on_its_start_page(client, catalogue):
    # Given an admin typed markup into a service's text
    Service.objects.filter(slug="report-noise").update(
        what_you_need_en="<script>alert(1)</script>\nSecond line"
    )

    # When the start page is shown
    response = client.get("/services/report-noise/")

    # Then it is shown as text, line breaks kept
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>Second line" in html


def test_the_start_page_only_answers_get(client, catalogue):
    assert client.post("/services/report-missed-bin/").status_code == 405
