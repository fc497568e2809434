"""What counts as a second factor, for the rules that insist on one (staff must have one)."""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.base_user import AbstractBaseUser

# Recovery codes are a way back in after losing the device, not a factor used at every sign-in:
# allauth does not even ask for one when they are all a person has, so they never count here.
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def has_second_factor(user: AbstractBaseUser) -> bool:
    """Whether the person signs in with an authenticator app or a passkey/security key."""
    return bool(is_mfa_enabled(user, types=list(SECOND_FACTORS)))
