from contextlib import nullcontext
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from encrypted_fields.fields import EncryptedTextField

from portal.accounts.mfa import SECOND_FACTORS
from portal.accounts.models import User
from portal.core.mail import queue_email

# Confirming an address by code also signs the resident in, and allauth says both; a page shows
# one success banner, and "you have confirmed" already tells them it worked.
_CONFIRMED = "account/messages/email_confirmed.txt"
_SIGNED_IN = "account/messages/logged_in.txt"
_CONFIRMED_FLAG = "_portal_email_confirmed"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Residents sign themselves up; staff accounts are made by a system admin."""
        return True

    def clean_email(self, email: str) -> str:
        """Refuse addresses longer than the database holds.

        allauth's form accepts up to 320 characters and would then cut the address to fit the
        user's email column, making an account for an address nobody typed.
        """
        limit = User._meta.get_field("email").max_length or 254
        if len(email) > limit:
            raise ValidationError(
                _("Email address must be %(limit)d characters or fewer"), params={"limit": limit}
            )
        return super().clean_email(email)

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        """allauth's flash messages, less the sign-in one straight after a confirmation."""
        if message_template == _SIGNED_IN and getattr(request, _CONFIRMED_FLAG, False):
            return
        if message_template == _CONFIRMED:
            setattr(request, _CONFIRMED_FLAG, True)
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Every account email names the council (and its phone number, for a change the person
        did not make), from settings rather than the request: allauth sends some notices (an
        authenticator added) once the transaction commits, which need not be inside a request.
        It goes through the message outbox, its kind the template's name (account:login_code...).
        """
        council = {
            "council_name": settings.COUNCIL_NAME,
            "council_phone": settings.COUNCIL_CONTACT_PHONE,
        }
        # In the language the person chose, like everything else we send them; someone who
        # has not chosen (or has no account) in the language of the page they are using.
        language = _chosen_language(context.get("user"), email)
        with translation.override(language) if language else nullcontext():
            message = self.render_mail(
                template_prefix, email, {"email": email, **council, **context}
            )
            queue_email(message, kind=f"account:{template_prefix.rsplit('/', 1)[-1]}")


def _chosen_language(user: Any, email: str) -> str:
    """The language chosen by the account the mail is about, or by the one with `email`."""
    chosen = getattr(user, "language", "") if isinstance(user, User) else ""
    if not chosen:
        found = User.objects.filter(email__iexact=email).values_list("language", flat=True)
        chosen = found.first() or ""
    return str(chosen)


# TOTP secrets and recovery-code seeds are encrypted like every other secret the portal keeps:
# with the keys of django-fernet-encrypted-fields (SECRET_KEY and its fallbacks crossed with
# FIELD_ENCRYPTION_KEYS, newest first), so rotating either works the same for both. One field
# instance does the work, and derives its keys once.
_SECRETS = EncryptedTextField()


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return str(_SECRETS.get_prep_value(text)) if text else text

    def decrypt(self, encrypted_text: str) -> str:
        """The secret; a value stored before encryption began (not a token) is returned as
        it is, so authenticators set up then keep working until the migration encrypts them."""
        return str(_SECRETS.to_python(encrypted_text))

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Staff may swap their second factor but never be left without one.

        Recovery codes do not count: they are a way back in, not a second factor to use daily.
        """
        user = authenticator.user
        if not isinstance(user, User) or not user.is_council_staff:
            return True
        others = Authenticator.objects.filter(user=user).exclude(pk=authenticator.pk)
        return others.filter(type__in=SECOND_FACTORS).exists()
