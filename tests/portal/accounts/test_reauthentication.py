"""Changing what protects an account (its e-mail address, its password, its second factors) asks
for the password (or a second factor) again, and the person is told by e-mail; a change of
address is told to the OLD address, in our words and in Welsh."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.portal.accounts.factories import UserFactory
from tests.portal.accounts.helpers import activate_recovery_codes, activate_totp, code_from

pytestmark = pytest.mark.django_db

REAUTHENTICATE = ("/accounts/reauthenticate/", "/accounts/2fa/reauthenticate/")


def signed_in_a_while_ago(client, user):
    """A session that has not proved the password recently, as one left open or stolen is."""
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    return client


def test_an_email_change_asks_for_the_password_first(client, resident, mailoutbox):
    # Given a resident whose session has not proved the password recently
    signed_in_a_while_ago(client, resident)

    # When it asks to change the account's address
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "thief@example.org"}
    )

    # Then it is asked for the password, and nothing is added or sent
    assert response.status_code == 302
    assert response["Location"].startswith(REAUTHENTICATE)
    assert not EmailAddress.objects.filter(email="thief@example.org").exists()
    assert mailoutbox == []


def test_after_the_password_the_change_goes_ahead_and_the_old_address_is_told(
    client, resident, password, mailoutbox, settings
):
    # Given a resident who confirms their password when asked, on the way to a new address
    old_email = resident.email
    signed_in_a_while_ago(client, resident)
    asked = client.post(reverse("account_email"), {"action_add": "", "email": "moved@example.org"})
    assert client.post(asked["Location"], {"password": password}).status_code == 302
    (confirm,) = mailoutbox
    assert confirm.to == ["moved@example.org"]

    # When they confirm the new address with the code sent to it
    client.post(reverse("account_email_verification_sent"), {"code": code_from(confirm)})

    # Then the address is changed, and the OLD address is told, in our words
    resident.refresh_from_db()
    assert resident.email == "moved@example.org"
    notice = mailoutbox[-1]
    assert notice.to == [old_email]
    assert notice.subject == f"Your {settings.COUNCIL_NAME} email address has been changed"
    body = " ".join(notice.body.split())
    assert f"has changed from {old_email} to moved@example.org" in body
    assert f"Call us straight away on {settings.COUNCIL_CONTACT_PHONE}" in body
    assert f"From {settings.COUNCIL_NAME}" in body


def test_the_old_address_is_told_in_welsh_when_the_change_is_made_in_welsh(
    client, password, mailoutbox
):
    resident = UserFactory()
    old_email = resident.email
    signed_in_a_while_ago(client, resident)
    client.post(REAUTHENTICATE[0], {"password": password})
    client.post("/cy/accounts/email/", {"action_add": "", "email": "symud@example.org"})

    client.post("/cy/accounts/confirm-email/", {"code": code_from(mailoutbox[0])})

    notice = mailoutbox[-1]
    assert notice.to == [old_email]
    assert notice.subject == "Mae cyfeiriad e-bost eich cyfrif My Council wedi newid"
    assert "Ffoniwch ni ar unwaith" in notice.body


def test_a_password_change_needs_the_current_password_and_is_told(
    client, resident, password, mailoutbox, settings
):
    signed_in_a_while_ago(client, resident)
    new = {"password1": "a-brand-new-password-2", "password2": "a-brand-new-password-2"}

    # Without the current password, nothing changes
    refused = client.post(reverse("account_change_password"), new)
    assert refused.status_code == 200
    assert "govuk-error-summary" in refused.content.decode()
    resident.refresh_from_db()
    assert resident.check_password(password)

    # With it, the password changes and the resident is told
    client.post(reverse("account_change_password"), {"oldpassword": password, **new})
    resident.refresh_from_db()
    assert resident.check_password("a-brand-new-password-2")
    (notice,) = mailoutbox
    assert notice.to == [resident.email]
    assert notice.subject == f"Your {settings.COUNCIL_NAME} password has been changed"


def mfa_pages(user):
    key = Authenticator.objects.create(
        user=user, type=Authenticator.Type.WEBAUTHN, data={"name": "Laptop"}
    )
    return [
        ("get", "/accounts/2fa/totp/activate/"),
        ("post", "/accounts/2fa/totp/deactivate/"),
        ("post", "/accounts/2fa/recovery-codes/generate/"),
        ("get", "/accounts/2fa/webauthn/add/"),
        ("post", f"/accounts/2fa/webauthn/keys/{key.pk}/remove/"),
    ]


def test_every_change_to_second_factors_asks_for_the_password_or_a_code_first(client):
    # Given a resident with an authenticator app, recovery codes and a passkey, whose session
    # has not proved who they are recently
    resident = UserFactory()
    activate_totp(resident)
    activate_recovery_codes(resident)
    pages = mfa_pages(resident)
    before = list(Authenticator.objects.filter(user=resident).values_list("pk", "data"))
    signed_in_a_while_ago(client, resident)

    for method, page in pages:
        # When it tries to add, remove or regenerate one
        response = getattr(client, method)(page)

        # Then it is sent to prove who it is first, and nothing changes
        assert response.status_code == 302, page
        assert response["Location"].startswith(REAUTHENTICATE), page
    after = list(Authenticator.objects.filter(user=resident).values_list("pk", "data"))
    assert after == before


NOTIFICATIONS = [
    "account/email/email_changed",
    "account/email/email_deleted",
    "account/email/password_changed",
    "account/email/password_set",
    "account/email/password_reset",
    "mfa/email/totp_activated",
    "mfa/email/totp_deactivated",
    "mfa/email/recovery_codes_generated",
    "mfa/email/webauthn_added",
    "mfa/email/webauthn_removed",
]


@pytest.mark.parametrize("prefix", NOTIFICATIONS)
def test_every_account_notification_is_ours_in_sentence_case_and_in_welsh(prefix, settings):
    from django.template.loader import render_to_string
    from django.utils import translation

    context = {
        "council_name": "Anytown Council",
        "council_phone": "01234 567890",
        "from_email": "old@example.org",
        "to_email": "new@example.org",
        "deleted_email": "gone@example.org",
        "timestamp": "1 May 2026 09:30",
    }
    rendered = {}
    for language in ("en", "cy"):
        with translation.override(language):
            subject = render_to_string(f"{prefix}_subject.txt", context).strip()
            body = render_to_string(f"{prefix}_message.txt", context)
        rendered[language] = (subject, body)

    subject, body = rendered["en"]
    assert "Anytown Council" in subject
    # Sentence case: no capital letter after the first but the council's name
    assert not any(ch.isupper() for ch in subject.replace("Anytown Council", "")[1:])
    assert "From Anytown Council" in body
    welsh_subject, welsh_body = rendered["cy"]
    assert welsh_subject != subject
    assert "Anytown Council" in welsh_subject
    assert welsh_body.split("\n")[0] != body.split("\n")[0]


@pytest.mark.parametrize(
    ("page", "heading"),
    [
        ("/accounts/reauthenticate/", "Confirm it is you"),
        ("/cy/accounts/reauthenticate/", "Cadarnhewch mai chi sydd yno"),
    ],
)
def test_the_password_page_says_why_in_our_words(client, resident, page, heading):
    signed_in_a_while_ago(client, resident)

    html = client.get(page).content.decode()

    assert f"<title>{heading}" in html
    assert heading in html
    assert "Confirm Access" not in html
    assert 'for="id_password"' in html
