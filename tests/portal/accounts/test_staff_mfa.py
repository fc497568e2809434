import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from portal.accounts.roles import AGENT, SERVICE_ADMIN, STAFF_ROLES, SYSTEM_ADMIN
from tests.portal.accounts.factories import UserFactory
from tests.portal.accounts.helpers import (
    activate_recovery_codes,
    activate_totp,
    current_totp_code,
    generate_totp_secret,
    sign_in,
)

pytestmark = pytest.mark.django_db

ACTIVATE_TOTP = "/accounts/2fa/totp/activate/"
STAFF_PAGES = ["/admin/", "/admin/accounts/user/", "/", "/accounts/email/", "/accounts/sessions/"]


def staff_member(kind):
    if kind == "superuser":
        return UserFactory(is_staff=True, is_superuser=True)
    if kind == "is_staff":
        return UserFactory(is_staff=True)
    return UserFactory(roles=[kind])


def confirm_password(client, password, url="/accounts/reauthenticate/"):
    """allauth asks for the password again before a second factor is added."""
    response = client.post(url, {"password": password})
    assert response.status_code == 302


STAFF_KINDS = [*STAFF_ROLES, "is_staff", "superuser"]


@pytest.mark.parametrize("kind", STAFF_KINDS)
@pytest.mark.parametrize("page", STAFF_PAGES)
def test_staff_without_mfa_are_sent_to_mfa_set_up_before_any_page(client, password, kind, page):
    # Given a staff member or admin who has no second factor, signed in with their password
    user = staff_member(kind)
    sign_in(client, user.email, password)

    # When they open any page that is not MFA set-up
    response = client.get(page)

    # Then they are sent to set up an authenticator app instead
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE_TOTP


@pytest.mark.parametrize("page", ["/cy/", "/cy/accounts/email/"])
def test_welsh_pages_send_staff_to_the_welsh_mfa_set_up_which_opens(client, password, page):
    # Given a contact-centre agent without MFA, browsing in Welsh
    agent = UserFactory(roles=[AGENT])
    sign_in(client, agent.email, password)

    # When they open a Welsh page, they go to the Welsh MFA set-up
    response = client.get(page)
    assert response["Location"] == f"/cy{ACTIVATE_TOTP}"

    # And, once they confirm their password as allauth asks, that page opens (no redirect loop)
    response = client.get(response["Location"])
    assert response["Location"].startswith("/cy/accounts/reauthenticate/")
    assert client.get(response["Location"]).status_code == 200
    confirm_password(client, password, "/cy/accounts/reauthenticate/")
    assert client.get(f"/cy{ACTIVATE_TOTP}").status_code == 200


@pytest.mark.parametrize("kind", STAFF_KINDS)
def test_staff_without_mfa_can_still_set_it_up_and_sign_out(client, password, kind):
    user = staff_member(kind)
    sign_in(client, user.email, password)

    assert client.get(reverse("account_reauthenticate")).status_code == 200
    confirm_password(client, password)
    assert client.get(ACTIVATE_TOTP).status_code == 200
    assert client.get("/accounts/2fa/").status_code == 200
    assert client.get("/accounts/2fa/webauthn/add/").status_code == 200
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("kind", [SYSTEM_ADMIN, "superuser"])
def test_admin_reaches_django_admin_after_activating_an_authenticator_app(client, password, kind):
    # Given an admin without MFA, signed in
    admin_user = staff_member(kind)
    admin_user.is_staff = True
    admin_user.save()
    sign_in(client, admin_user.email, password)
    assert client.get("/admin/")["Location"] == ACTIVATE_TOTP
    confirm_password(client, password)

    # When they activate an authenticator app with a code it shows
    client.get(ACTIVATE_TOTP)
    secret = client.session["mfa.totp.secret"]
    response = client.post(ACTIVATE_TOTP, {"code": current_totp_code(secret)})

    # Then they are shown recovery codes, and now reach the Django admin
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=admin_user, type=Authenticator.Type.TOTP).exists()
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200


def test_staff_with_mfa_sign_in_with_a_code_and_reach_the_admin(client, password):
    # Given a service admin with an authenticator app
    service_admin = UserFactory(roles=[SERVICE_ADMIN], is_staff=True)
    secret = generate_totp_secret()
    activate_totp(service_admin, secret)

    # When they sign in, they are asked for a code
    response = sign_in(client, service_admin.email, password)
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get("/admin/").status_code == 302  # not signed in yet

    # And once they give it they reach the admin
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})
    assert client.get("/admin/").status_code == 200


def test_residents_are_not_made_to_set_up_mfa(client, resident, password):
    sign_in(client, resident.email, password)

    assert client.get("/").status_code == 200
    assert client.get("/accounts/email/").status_code == 200


def test_residents_are_kept_out_of_the_django_admin(client, resident, password):
    sign_in(client, resident.email, password)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_cannot_turn_off_their_only_authenticator_app(client, password):
    # Given an agent whose only second factor is an authenticator app
    agent = UserFactory(roles=[AGENT])
    secret = generate_totp_secret()
    activate_totp(agent, secret)
    sign_in(client, agent.email, password)
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})
    confirm_password(client, password)

    # When they try to deactivate it
    response = client.post(reverse("mfa_deactivate_totp"))

    # Then they are told why not, and it stays
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert Authenticator.objects.filter(user=agent, type=Authenticator.Type.TOTP).exists()


def test_residents_may_turn_off_their_authenticator_app(client, resident, password):
    secret = generate_totp_secret()
    activate_totp(resident, secret)
    sign_in(client, resident.email, password)
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})
    confirm_password(client, password)

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=resident).exists()


def test_staff_whose_authenticator_app_was_removed_cannot_reach_the_admin_with_recovery_codes(
    client, password
):
    # Given a system admin who had an authenticator app and recovery codes, and whose app was
    # removed after they lost their phone, so only the recovery codes are left
    admin_user = UserFactory(roles=[SYSTEM_ADMIN], is_staff=True)
    activate_totp(admin_user)
    activate_recovery_codes(admin_user)
    Authenticator.objects.filter(user=admin_user, type=Authenticator.Type.TOTP).delete()

    # When they sign in with their password alone and open the admin
    sign_in(client, admin_user.email, password)
    response = client.get("/admin/")

    # Then they are sent to set up an authenticator app first
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE_TOTP


def test_staff_with_a_passkey_and_no_authenticator_app_reach_the_admin(client, password):
    # Given a superuser whose second factor is a passkey (signed in with it: a forced login here,
    # as a passkey needs a browser's WebAuthn)
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    Authenticator.objects.create(
        user=admin_user, type=Authenticator.Type.WEBAUTHN, data={"name": "Laptop"}
    )
    client.force_login(admin_user)

    # When they open the admin, they are let in
    assert client.get("/admin/").status_code == 200


ADMIN_PAGES_ABOUT_MFA = [
    "/admin/mfa/authenticator/",
    "/admin/mfa/authenticator/1/change/",
    "/admin/mfa/authenticator/1/delete/",
    "/admin/mfa/authenticator/add/",
    "/admin/accounts/user/",
    "/admin/account/emailaddress/",
]


@pytest.mark.parametrize("page", ADMIN_PAGES_ABOUT_MFA)
def test_staff_without_mfa_are_sent_away_from_the_admins_authenticator_pages(
    client, password, page
):
    # Given a superuser with no second factor, signed in with their password
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, admin_user.email, password)

    # When they open one of the admin's pages, including those whose names begin with mfa_
    response = client.get(page)

    # Then they are sent to set up an authenticator app instead
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE_TOTP


@pytest.mark.parametrize(
    "page",
    [
        "/accounts/2fa/recovery-codes/",
        "/accounts/2fa/recovery-codes/generate/",
        "/accounts/2fa/recovery-codes/download/",
        "/accounts/2fa/totp/deactivate/",
        "/accounts/2fa/webauthn/",
    ],
)
def test_staff_without_mfa_are_sent_away_from_mfa_pages_that_set_nothing_up(client, password, page):
    agent = UserFactory(roles=[AGENT])
    sign_in(client, agent.email, password)

    response = client.get(page)

    assert response.status_code == 302
    assert response["Location"] == ACTIVATE_TOTP
