from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.accounts.roles import STAFF_ROLES

# Each language by its own name, as the language switcher shows it.
LANGUAGE_CHOICES = [("en", "English"), ("cy", "Cymraeg")]


class UserManager(BaseUserManager["User"]):
    # Not in migrations: they import nothing from portal, and a data migration must not depend
    # on how this manager works today. (A migration that needs users uses the plain manager.)
    use_in_migrations = False

    def _create_user(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in: a resident, a contact-centre agent or an admin.

    The e-mail address is the sign-in name. What a person may do comes from their groups (roles),
    created by a migration; see portal/accounts/roles.py.
    """

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    # "Tell us once": prefilled into forms, always editable there and on the profile page.
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    # {"uprn", "line1", "line2", "town", "postcode"}, the shape of an address question's answer.
    address = models.JSONField(_("address"), default=dict, blank=True)
    # {"email": <sha256 of the address>, "sms": <sha256 of the number>} that GOV.UK Notify
    # could not deliver to for good (services/messages/receipts.py). A hash, so that it matches
    # only while the resident still has that address: changing it by any route clears the prompt.
    undeliverable = models.JSONField(_("undeliverable contact details"), default=dict, blank=True)
    # The language everything the portal sends them is written in (services/notifications):
    # chosen on the notifications page or with the language switcher; until then blank, and
    # set from their first request.
    language = models.CharField(
        _("language"), max_length=8, blank=True, choices=LANGUAGE_CHOICES, default=""
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else ""

    @property
    def is_council_staff(self) -> bool:
        """Staff and admins must use multi-factor authentication; residents may choose to."""
        if self.is_staff or self.is_superuser:
            return True
        return self.groups.filter(name__in=STAFF_ROLES).exists()
