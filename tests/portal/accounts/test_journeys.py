"""Signing in by emailed code, resetting a password, changing email, recovery codes, sessions."""

import pytest
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.urls import reverse

from tests.portal.accounts.helpers import (
    activate_recovery_codes,
    activate_totp,
    code_from,
    link_from,
    sign_in,
)

pytestmark = pytest.mark.django_db


def test_resident_signs_in_with_a_code_sent_by_email(client, resident, mailoutbox, settings):
    # Given a resident who asks for a sign-in code
    response = client.post(reverse("account_request_login_code"), {"email": resident.email})
    assert response["Location"] == reverse("account_confirm_login_code")
    assert len(mailoutbox) == 1
    assert settings.COUNCIL_NAME in mailoutbox[0].subject

    # When they enter the code from the email
    response = client.post(
        reverse("account_confirm_login_code"), {"code": code_from(mailoutbox[0])}
    )

    # Then they are signed in
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(resident.pk)


def test_a_wrong_sign_in_code_is_refused_clearly(client, resident, mailoutbox):
    client.post(reverse("account_request_login_code"), {"email": resident.email})

    response = client.post(reverse("account_confirm_login_code"), {"code": "WRONG1"})

    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_resident_resets_a_forgotten_password_from_the_emailed_link(client, resident, mailoutbox):
    # Given a resident who has forgotten their password and asks for a reset
    response = client.post(reverse("account_reset_password"), {"email": resident.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1

    # When they follow the link and choose a new password
    link = link_from(mailoutbox[0])
    response = client.get(link)
    assert response.status_code == 302  # allauth moves the key out of the address bar
    form_url = response["Location"]
    response = client.post(
        form_url, {"password1": "brand-new-password-1", "password2": "brand-new-password-1"}
    )
    assert response.status_code == 302

    # Then the new password works and the old one does not
    client.post(reverse("account_logout"))
    assert sign_in(client, resident.email, "correct-horse-battery-staple").status_code == 200
    assert sign_in(client, resident.email, "brand-new-password-1").status_code == 302


def test_password_reset_for_an_unknown_address_reveals_nothing(client, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    # The page is the same as for a real account; the address is told there is no account
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["nobody@example.org"]]
    assert "There is no account" in mailoutbox[0].body


def test_resident_changes_their_email_address_after_confirming_the_new_one(
    client, resident, password, mailoutbox
):
    # Given a signed-in resident
    sign_in(client, resident.email, password)
    old_email = resident.email

    # When they ask to change their address
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "moved@example.org"}
    )
    # (allauth asks for the password again first, then carries on with the change)
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert mailoutbox == []
    response = client.post(response["Location"], {"password": password})
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["moved@example.org"]]

    # Then nothing changes until they enter the code sent to the new address
    resident.refresh_from_db()
    assert resident.email == old_email
    response = client.post(
        reverse("account_email_verification_sent"), {"code": code_from(mailoutbox[0])}
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.email == "moved@example.org"
    assert EmailAddress.objects.get(user=resident, primary=True).email == "moved@example.org"


def test_a_recovery_code_signs_in_once(client, resident, password):
    # Given a resident with an authenticator app and recovery codes
    activate_totp(resident)
    recovery_code = activate_recovery_codes(resident).wrap().get_unused_codes()[0]

    # When they sign in with their password and a recovery code
    sign_in(client, resident.email, password)
    response = client.post(reverse("mfa_authenticate"), {"code": recovery_code})

    # Then they are in
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(resident.pk)

    # But the same code cannot be used again
    client.post(reverse("account_logout"))
    sign_in(client, resident.email, password)
    response = client.post(reverse("mfa_authenticate"), {"code": recovery_code})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sessions_page_lists_the_session_in_use(client, resident, password):
    client.post(
        reverse("account_login"),
        {"login": resident.email, "password": password},
        HTTP_USER_AGENT="Test browser 1.0",
    )

    response = client.get(reverse("usersessions_list"))

    assert response.status_code == 200
    assert UserSession.objects.filter(user=resident).count() == 1
    page = response.content.decode()
    assert "govuk-table" in page
    assert "Test browser 1.0" in page
    assert "Current" in page
