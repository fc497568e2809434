"""Response headers: no-store where personal data shows, Permissions-Policy everywhere."""

import pytest
from django.urls import reverse

from portal.dashboard.tracking import make_token
from tests.portal.accounts.factories import UserFactory
from tests.portal.dashboard.factories import SubmissionFactory
from tests.portal.journey.helpers import answer, page_id, start
from tests.services.seeding import seed_live_catalogue

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


@pytest.fixture
def catalogue():
    seed_live_catalogue()


def test_question_and_check_your_answers_pages_are_never_stored(client, catalogue):
    # Given a guest part-way through a form, their answers on its pages
    url = start(client, "request-replacement-bin")
    question = client.get(url)
    url = answer(
        client,
        url,
        {
            "bin_address-mode": "manual",
            "bin_address-line1": "1 Lane",
            "bin_address-town": "Town",
            "bin_address-postcode": "ZZ99 1AB",
        },
    )
    url = answer(client, url, {"bin_type": "general"})
    url = answer(client, url, {"reason": "lost"})
    assert page_id(url) == "check-your-answers"

    # When they see their check-your-answers page
    check = client.get(url)

    # Then neither page is kept by the browser or a cache along the way
    assert question.status_code == check.status_code == 200
    assert "1 Lane" in check.content.decode()
    assert no_store(question)
    assert no_store(check)


def test_a_refused_answer_showing_what_was_typed_is_never_stored(client, catalogue):
    url = start(client, "request-replacement-bin")

    refused = client.post(url, {"bin_address-mode": "manual", "bin_address-line1": "1 Lane"})

    assert refused.status_code == 200
    assert no_store(refused)


def test_a_guests_tracked_request_is_never_stored(client, catalogue):
    guest_request = SubmissionFactory(user=None, contact_email="guest@example.org")

    page = client.get(reverse("dashboard:track_view", args=[make_token(guest_request)]))

    assert page.status_code == 200
    assert no_store(page)


@pytest.mark.parametrize(
    "url",
    ["/", "/services/", "/cookies/", "/account/", "/account/profile/", "/accounts/email/"],
)
def test_every_page_a_signed_in_resident_sees_is_never_stored(client, catalogue, url):
    client.force_login(UserFactory())

    page = client.get(url)

    assert page.status_code == 200
    assert no_store(page)


def test_allauths_pages_are_never_stored_even_before_signing_in(client):
    # The sign-in code page names the address the code went to.
    assert no_store(client.get(reverse("account_login")))


@pytest.mark.parametrize("url", ["/", "/cookies/", "/cy/accessibility-statement/"])
def test_public_pages_stay_cacheable_for_visitors(client, catalogue, url):
    page = client.get(url)

    assert page.status_code == 200
    assert not no_store(page)


@pytest.mark.parametrize(
    "url", ["/", "/cookies/", "/health/", "/no-such-page/", "/accounts/login/", "/admin/login/"]
)
def test_every_response_says_which_browser_features_the_page_may_use(client, url):
    response = client.get(url)

    policy = {
        part.split("=")[0].strip(): part.split("=")[1]
        for part in response["Permissions-Policy"].split(",")
    }
    # the location question's "Use my current location", from our own pages only
    assert policy["geolocation"] == "(self)"
    for feature in ("camera", "microphone", "payment", "usb", "serial", "hid", "display-capture"):
        assert policy[feature] == "()", feature
