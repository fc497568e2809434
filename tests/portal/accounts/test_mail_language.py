"""Account e-mails are written in the language the person chose, whatever page they used."""

import pytest
from django.urls import reverse

from services.models import OutgoingMessage
from tests.portal.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_welsh_speaker_resetting_their_password_from_an_english_page_gets_welsh_mail(client):
    # Given a resident who chose Welsh
    resident = UserFactory(email="olwen@example.org", language="cy")

    # When they ask for a password reset on the English page
    client.post(reverse("account_reset_password"), {"email": "olwen@example.org"})

    # Then the mail is in Welsh
    [message] = OutgoingMessage.objects.all()
    assert message.recipient == resident.email
    assert message.language == "cy"
    assert message.content["subject"] == "Ailosod eich cyfrinair My Council"


@pytest.mark.parametrize(("prefix", "language"), [("", "en-gb"), ("/cy", "cy")])
def test_someone_who_has_not_chosen_gets_mail_in_the_language_of_the_page(client, prefix, language):
    UserFactory(email="sam@example.org")

    client.post(prefix + reverse("account_reset_password"), {"email": "sam@example.org"})

    [message] = OutgoingMessage.objects.all()
    assert message.language == language
