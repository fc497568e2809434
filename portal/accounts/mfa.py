"""What counts as a second factor (staff must have one), and setting one up from code (the demo
accounts, tests) through allauth's public model and encrypt hook, not its internal classes."""

import secrets

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt, is_mfa_enabled
from django.contrib.auth.base_user import AbstractBaseUser

# Recovery codes are a way back in after losing the device, not a factor used at every sign-in:
# allauth does not even ask for one when they are all a person has, so they never count here.
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def has_second_factor(user: AbstractBaseUser) -> bool:
    """Whether the person signs in with an authenticator app or a passkey/security key."""
    return bool(is_mfa_enabled(user, types=list(SECOND_FACTORS)))


def set_totp_secret(user: AbstractBaseUser, secret: str) -> Authenticator:
    """Give `user` an authenticator app holding `secret` (base32), or set the one they have."""
    authenticator, _ = Authenticator.objects.update_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": encrypt(secret)}}
    )
    return authenticator


def ensure_recovery_codes(user: AbstractBaseUser) -> Authenticator:
    """The user's recovery codes, made as allauth makes them (a random seed) if they have none.
    `.wrap().get_unused_codes()` lists them."""
    authenticator, _ = Authenticator.objects.get_or_create(
        user=user,
        type=Authenticator.Type.RECOVERY_CODES,
        defaults={"data": {"seed": encrypt(secrets.token_hex(40)), "used_mask": 0}},
    )
    return authenticator
