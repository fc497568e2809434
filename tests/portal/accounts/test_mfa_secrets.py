"""TOTP secrets and recovery-code seeds are encrypted at rest with the portal's field-encryption
keys, never shown in the admin, and authenticators set up before that still work."""

import importlib

import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.urls import reverse

from portal.accounts.adapter import MFAAdapter
from services.models import Connection
from tests.portal.accounts.factories import UserFactory
from tests.portal.accounts.helpers import (
    activate_recovery_codes,
    current_totp_code,
    generate_totp_secret,
    sign_in,
)

pytestmark = pytest.mark.django_db

ACTIVATE_TOTP = "/accounts/2fa/totp/activate/"
migration = importlib.import_module("portal.accounts.migrations.0004_encrypt_mfa_secrets")


def signs_in_with_a_code(client, user, password, secret) -> bool:
    assert sign_in(client, user.email, password)["Location"] == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})
    return client.get(reverse("dashboard:home")).status_code == 200


def stored_data(authenticator: Authenticator) -> dict:
    return Authenticator.objects.values_list("data", flat=True).get(pk=authenticator.pk)


def test_an_authenticator_app_set_up_now_is_stored_encrypted_and_signs_in(
    client, resident, password
):
    # Given a resident who sets up an authenticator app
    sign_in(client, resident.email, password)
    client.post("/accounts/reauthenticate/", {"password": password})
    client.get(ACTIVATE_TOTP)
    secret = client.session["mfa.totp.secret"]
    assert client.post(ACTIVATE_TOTP, {"code": current_totp_code(secret)}).status_code == 302

    # Then the database holds no trace of the secret
    totp = Authenticator.objects.get(user=resident, type=Authenticator.Type.TOTP)
    assert secret not in str(stored_data(totp))
    assert MFAAdapter().decrypt(stored_data(totp)["secret"]) == secret
    # And the recovery codes' seed is encrypted too
    codes = Authenticator.objects.get(user=resident, type=Authenticator.Type.RECOVERY_CODES)
    seed = stored_data(codes)["seed"]
    assert MFAAdapter().decrypt(seed) != seed

    # And they sign in with a code from the app
    client.post(reverse("account_logout"))
    assert signs_in_with_a_code(client, resident, password, secret)


def test_an_authenticator_app_stored_in_plain_text_before_still_signs_in(client, password):
    # Given a resident whose app was set up before secrets were encrypted
    resident = UserFactory()
    secret = generate_totp_secret()
    Authenticator.objects.create(
        user=resident, type=Authenticator.Type.TOTP, data={"secret": secret}
    )

    # When they sign in, a code from the app is accepted
    assert signs_in_with_a_code(client, resident, password, secret)


def test_the_migration_encrypts_plain_secrets_once_and_they_still_sign_in(client, password):
    # Given a resident's plain-text app secret and recovery-code seed from before encryption
    resident = UserFactory()
    secret = generate_totp_secret()
    totp = Authenticator.objects.create(
        user=resident, type=Authenticator.Type.TOTP, data={"secret": secret}
    )
    seed = "ab" * 40
    codes = Authenticator.objects.create(
        user=resident,
        type=Authenticator.Type.RECOVERY_CODES,
        data={"seed": seed, "used_mask": 3, "migrated_codes": ["12345678"]},
    )
    # and another resident enrolled since, already encrypted
    newer = activate_recovery_codes(UserFactory())
    newer_data = stored_data(newer)

    # When the migration runs (twice, as a re-run must be harmless)
    migration.encrypt_secrets(apps, None)
    migration.encrypt_secrets(apps, None)

    # Then nothing is left in plain text, and each value decrypts to what it was
    adapter = MFAAdapter()
    assert secret not in str(stored_data(totp))
    assert adapter.decrypt(stored_data(totp)["secret"]) == secret
    migrated = stored_data(codes)
    assert seed not in str(migrated)
    assert "12345678" not in str(migrated)
    assert adapter.decrypt(migrated["seed"]) == seed
    assert [adapter.decrypt(code) for code in migrated["migrated_codes"]] == ["12345678"]
    assert migrated["used_mask"] == 3
    assert stored_data(newer) == newer_data

    # And the resident still signs in with a code from the app
    assert signs_in_with_a_code(client, resident, password, secret)

    # And the reverse migration gives back the plain values
    migration.decrypt_secrets(apps, None)
    assert stored_data(totp)["secret"] == secret


def test_secrets_use_the_same_keys_as_the_other_encrypted_fields():
    # The connection's callback secret is an encrypted field: it reads what the adapter wrote,
    # so one set of keys (and one way to rotate them) serves both.
    encrypted = MFAAdapter().encrypt("JBSWY3DPEHPK3PXP")

    field = Connection._meta.get_field("callback_secret")

    assert encrypted != "JBSWY3DPEHPK3PXP"
    assert field.to_python(encrypted) == "JBSWY3DPEHPK3PXP"


def test_the_admin_never_shows_an_authenticator_s_secret(admin_client_with_mfa):
    # Given a resident's authenticator app
    resident = UserFactory()
    secret = generate_totp_secret()
    totp = Authenticator.objects.create(
        user=resident, type=Authenticator.Type.TOTP, data={"secret": MFAAdapter().encrypt(secret)}
    )
    stored = stored_data(totp)["secret"]

    # When an admin opens it
    page = admin_client_with_mfa.get(f"/admin/mfa/authenticator/{totp.pk}/change/")

    # Then they see whose and what kind it is, but neither the secret nor its ciphertext
    html = page.content.decode()
    assert page.status_code == 200
    assert resident.email in html
    assert secret not in html
    assert stored not in html
    assert 'name="data"' not in html

    # And they cannot add one (it would have no secret) or change its data by posting it
    assert admin_client_with_mfa.get("/admin/mfa/authenticator/add/").status_code == 403
    admin_client_with_mfa.post(
        f"/admin/mfa/authenticator/{totp.pk}/change/", {"data": '{"secret": "AAAA"}'}
    )
    assert stored_data(totp)["secret"] == stored
