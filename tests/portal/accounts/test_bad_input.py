"""Bad input on every account form: a clear GOV.UK error, never a 500, and nothing changes."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.urls import reverse

from portal.accounts.models import User
from tests.portal.accounts.helpers import activate_totp, assert_clear_error, sign_in

pytestmark = pytest.mark.django_db

TOO_LONG_EMAIL = "a" * 250 + "@example.org"
ODD_UNICODE = "\u202etest\u0000\ufeff@exa\u0301mple.org"
GOOD = "a-long-new-password-for-tests"

SIGN_UP = [
    pytest.param({}, id="nothing-sent"),
    pytest.param({"email": "", "password1": "", "password2": ""}, id="empty"),
    pytest.param({"email": "not-an-email", "password1": GOOD, "password2": GOOD}, id="malformed"),
    pytest.param({"email": TOO_LONG_EMAIL, "password1": GOOD, "password2": GOOD}, id="too-long"),
    pytest.param({"email": ODD_UNICODE, "password1": GOOD, "password2": GOOD}, id="odd-unicode"),
    pytest.param(
        {"email": "x@example.org", "password1": GOOD, "password2": GOOD + "!"}, id="mismatched"
    ),
    pytest.param({"email": "x@example.org", "password1": "short", "password2": "short"}, id="weak"),
    pytest.param({"email": "x@example.org", "password1": GOOD}, id="tampered-missing-field"),
]


@pytest.mark.parametrize("data", SIGN_UP)
def test_bad_sign_up_shows_an_error_and_creates_no_account(client, mailoutbox, data):
    response = client.post(reverse("account_signup"), data)

    assert_clear_error(response)
    assert not User.objects.exists()
    assert not mailoutbox


SIGN_IN = [
    pytest.param({}, id="nothing-sent"),
    pytest.param({"login": "", "password": ""}, id="empty"),
    pytest.param({"login": "not-an-email", "password": "x"}, id="malformed"),
    pytest.param({"login": TOO_LONG_EMAIL, "password": "x"}, id="too-long"),
    pytest.param({"login": ODD_UNICODE, "password": "x"}, id="odd-unicode"),
    pytest.param({"login": "someone@example.org"}, id="tampered-missing-field"),
    pytest.param({"login": "someone@example.org", "password": "wrong"}, id="wrong-password"),
]


@pytest.mark.parametrize("data", SIGN_IN)
def test_bad_sign_in_shows_an_error_and_signs_nobody_in(client, resident, data):
    response = client.post(reverse("account_login"), data)

    assert_clear_error(response)
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        pytest.param("account_reset_password", {}, id="reset-nothing-sent"),
        pytest.param("account_reset_password", {"email": "nope"}, id="reset-malformed"),
        pytest.param("account_reset_password", {"email": TOO_LONG_EMAIL}, id="reset-too-long"),
        pytest.param("account_reset_password", {"email": ODD_UNICODE}, id="reset-odd-unicode"),
        pytest.param("account_request_login_code", {}, id="code-nothing-sent"),
        pytest.param("account_request_login_code", {"email": "nope"}, id="code-malformed"),
        pytest.param("account_request_login_code", {"email": ODD_UNICODE}, id="code-unicode"),
        pytest.param("account_request_login_code", {"email": TOO_LONG_EMAIL}, id="code-too-long"),
    ],
)
def test_bad_address_when_asking_for_an_email_sends_nothing(client, mailoutbox, url_name, data):
    response = client.post(reverse(url_name), data)

    assert_clear_error(response)
    assert not mailoutbox


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({}, id="nothing-sent"),
        pytest.param({"code": ""}, id="empty"),
        pytest.param({"code": "000000"}, id="wrong"),
        pytest.param({"code": "x" * 5000}, id="too-long"),
        pytest.param({"code": ODD_UNICODE}, id="odd-unicode"),
    ],
)
def test_bad_email_confirmation_code_leaves_the_address_unconfirmed(client, mailoutbox, data):
    client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": GOOD, "password2": GOOD},
    )

    response = client.post(reverse("account_email_verification_sent"), data)

    assert_clear_error(response)
    assert not EmailAddress.objects.get(email="new@example.org").verified


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"action_add": ""}, id="nothing-sent"),
        pytest.param({"action_add": "", "email": ""}, id="empty"),
        pytest.param({"action_add": "", "email": "nope"}, id="malformed"),
        pytest.param({"action_add": "", "email": TOO_LONG_EMAIL}, id="too-long"),
        pytest.param({"action_add": "", "email": ODD_UNICODE}, id="odd-unicode"),
    ],
)
def test_bad_new_email_address_changes_nothing(client, resident, password, mailoutbox, data):
    sign_in(client, resident.email, password)

    response = client.post(reverse("account_email"), data)

    assert_clear_error(response)
    assert list(EmailAddress.objects.filter(user=resident).values_list("email", flat=True)) == [
        resident.email
    ]
    assert not mailoutbox


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({}, id="nothing-sent"),
        pytest.param({"code": ""}, id="empty"),
        pytest.param({"code": "123456"}, id="wrong"),
        pytest.param({"code": "١٢٣٤٥٦"}, id="arabic-digits"),
        pytest.param({"code": "x" * 5000}, id="too-long"),
    ],
)
def test_bad_code_when_activating_an_authenticator_app_activates_nothing(
    client, resident, password, data
):
    sign_in(client, resident.email, password)
    client.post(reverse("account_reauthenticate"), {"password": password})
    client.get(reverse("mfa_activate_totp"))

    response = client.post(reverse("mfa_activate_totp"), data)

    assert_clear_error(response)
    assert not Authenticator.objects.filter(user=resident).exists()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({}, id="nothing-sent"),
        pytest.param({"code": "000000"}, id="wrong"),
        pytest.param({"code": ODD_UNICODE}, id="odd-unicode"),
    ],
)
def test_bad_second_factor_code_signs_nobody_in(client, resident, password, data):
    activate_totp(resident)
    sign_in(client, resident.email, password)

    response = client.post(reverse("mfa_authenticate"), data)

    assert_clear_error(response)
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"password1": GOOD, "password2": GOOD + "x"}, id="mismatched"),
        pytest.param({"password1": "", "password2": ""}, id="empty"),
        pytest.param({"password1": GOOD}, id="tampered-missing-field"),
    ],
)
def test_bad_new_password_on_reset_keeps_the_old_one(client, resident, password, mailoutbox, data):
    from tests.portal.accounts.helpers import link_from

    client.post(reverse("account_reset_password"), {"email": resident.email})
    form_url = client.get(link_from(mailoutbox[0]))["Location"]

    response = client.post(form_url, data)

    assert_clear_error(response)
    resident.refresh_from_db()
    assert resident.check_password(password)


def test_passkey_sign_in_without_javascript_gives_an_error_not_a_crash(client):
    # With JavaScript off the passkey button posts an empty form
    response = client.post(reverse("mfa_login_webauthn"), {}, follow=True)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_passkey_set_up_says_it_needs_javascript_and_offers_an_authenticator_app(
    client, resident, password
):
    sign_in(client, resident.email, password)
    client.post(reverse("account_reauthenticate"), {"password": password})

    page = client.get(reverse("mfa_add_webauthn")).content.decode()

    assert "<noscript>" in page
    assert "need JavaScript" in page
    assert reverse("mfa_activate_totp") in page
