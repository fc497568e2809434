from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core.mail import queue_email


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

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Every account email names the council and goes through the message outbox, its kind
        the template's name (account:login_code, ...)."""
        message = self.render_mail(
            template_prefix, email, {"council_name": settings.COUNCIL_NAME, **context}
        )
        queue_email(message, kind=f"account:{template_prefix.rsplit('/', 1)[-1]}")


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Staff may swap their second factor but never be left without one.

        Recovery codes do not count: they are a way back in, not a second factor to use daily.
        """
        user = authenticator.user
        if not isinstance(user, User) or not user.is_council_staff:
            return True
        others = Authenticator.objects.filter(user=user).exclude(pk=authenticator.pk)
        return others.exclude(type=Authenticator.Type.RECOVERY_CODES).exists()
