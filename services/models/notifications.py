"""A resident's choice of how to be told about each kind of message (services/notifications).

One row per resident and kind; no row means the default (e-mail). Guests have no rows: they are
written to at the contact details on their request. The resident's language is on the user
(portal/accounts), since it governs every message and page, not one kind.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationPreference(models.Model):
    class Kind(models.TextChoices):
        STATUS_UPDATE = "status_update", _("When the status of your request changes")
        INFORMATION_REQUEST = "information_request", _("When we need more information from you")
        REMINDER = "reminder", _("Reminders about your requests")

    class Choice(models.TextChoices):
        EMAIL = "email", _("By email")
        SMS = "sms", _("By text message")
        BOTH = "both", _("By email and text message")
        NONE = "none", _("Do not contact me")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("resident"),
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Choice.choices)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=("user", "kind"), name="one_preference_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.channel}"
