"""A resident whose e-mail address or number GOV.UK Notify could not deliver to is asked to
correct it on their account pages, until it changes."""

import pytest
from django.urls import reverse

from services.messages.receipts import fingerprint
from tests.portal.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

BANNER = "govuk-notification-banner"


@pytest.fixture
def me():
    return UserFactory(email="typo@example.org", phone="07700 900123")


@pytest.fixture
def my_client(client, me):
    client.force_login(me)
    return client


def test_no_banner_while_messages_reach_the_resident(my_client):
    for name in ("dashboard:home", "dashboard:profile"):
        assert BANNER not in my_client.get(reverse(name)).content.decode()


def test_an_undeliverable_address_and_number_are_shown_with_links_to_change_them(my_client, me):
    # Given Notify could not deliver to the resident's address or number
    me.undeliverable = {
        "email": fingerprint("email", "typo@example.org"),
        "sms": fingerprint("sms", "+447700900123"),
    }
    me.save()

    # When they open their account and their details
    for name in ("dashboard:home", "dashboard:profile"):
        html = my_client.get(reverse(name)).content.decode()

        # Then a banner says so and links to where each is changed
        assert BANNER in html
        assert "We could not send messages to your email address." in html
        assert f'href="{reverse("account_email")}"' in html
        assert "We could not send text messages to your phone number." in html
        assert f'href="{reverse("dashboard:profile")}#id_phone"' in html


def test_the_banner_goes_once_the_resident_changes_the_number(my_client, me):
    me.undeliverable = {"sms": fingerprint("sms", "07700900123")}
    me.save()
    assert BANNER in my_client.get(reverse("dashboard:home")).content.decode()

    me.phone = "07700 900456"
    me.save()

    assert BANNER not in my_client.get(reverse("dashboard:home")).content.decode()


def test_the_banner_is_in_welsh_for_a_welsh_speaker(my_client, me):
    me.undeliverable = {"email": fingerprint("email", "typo@example.org")}
    me.save()
    html = my_client.get("/cy" + reverse("dashboard:home")).content.decode()
    assert "Nid oeddem yn gallu anfon negeseuon i&#x27;ch cyfeiriad e-bost." in html or (
        "Nid oeddem yn gallu anfon negeseuon i'ch cyfeiriad e-bost." in html
    )
