import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from portal.accounts.models import User
from tests.portal.accounts.factories import UserFactory
from tests.portal.accounts.helpers import code_from, sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-new-password-for-tests"


def sign_up(client, email="new.resident@example.org"):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )


def test_resident_signs_up_confirms_email_by_code_and_can_sign_in(client, mailoutbox, settings):
    # Given a new resident
    # When they sign up
    response = sign_up(client)

    # Then they are asked for the code we emailed them, in the council's words
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["new.resident@example.org"]
    assert settings.COUNCIL_NAME in message.subject
    assert settings.COUNCIL_NAME in message.body

    # When they enter the code
    response = client.post(reverse("account_email_verification_sent"), {"code": code_from(message)})

    # Then their address is confirmed and they are signed in
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="new.resident@example.org").verified
    assert client.get(reverse("account_email")).status_code == 200

    # And after signing out they can sign in again with their password
    client.post(reverse("account_logout"))
    response = sign_in(client, "new.resident@example.org", NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_resident_who_has_not_confirmed_their_email_cannot_sign_in(client, mailoutbox, password):
    # Given a resident who signed up but never confirmed their address
    resident = UserFactory(verified=False)

    # When they sign in with the right password
    response = sign_in(client, resident.email, password)

    # Then they are sent to confirm it (a fresh code is emailed) and are not signed in
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert len(mailoutbox) == 1
    account_page = client.get(reverse("account_email"))
    assert account_page.status_code == 302
    assert account_page["Location"].startswith(reverse("account_login"))


def test_signing_up_with_a_taken_email_tells_the_owner_and_creates_nothing(client, mailoutbox):
    # Given an existing resident
    resident = UserFactory()

    # When someone signs up with their address
    response = sign_up(client, email=resident.email)

    # Then no second account is made, nothing is revealed on the page, and the owner is told
    assert response.status_code == 302
    assert User.objects.filter(email=resident.email).count() == 1
    assert [m.to for m in mailoutbox] == [[resident.email]]
    assert "already have" in mailoutbox[0].subject


def test_resident_signs_out(client, resident, password):
    # Given a signed-in resident
    sign_in(client, resident.email, password)

    # When they sign out
    response = client.post(reverse("account_logout"))

    # Then they are no longer signed in
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_sign_in_page_works_in_welsh(client):
    response = client.get("/cy/accounts/login/")

    assert response.status_code == 200
    assert 'lang="cy"' in response.content.decode()
