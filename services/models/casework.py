"""What contact-centre staff add to a case: internal notes and logged contacts with the resident.

Residents never see these; they are the centre's own record, shown on the case's timeline.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.models.submissions import Submission

CASEWORK_TEXT_MAX_LENGTH = 2000


class CaseActivity(models.Model):
    class Kind(models.TextChoices):
        NOTE = "note", _("Internal note")
        PHONE = "phone", _("Phone call")
        EMAIL = "email", _("E-mail")
        VISIT = "visit", _("Visit")

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", _("Resolved")
        FOLLOW_UP = "follow_up", _("Needs follow-up")
        NO_ANSWER = "no_answer", _("No answer")
        LEFT_MESSAGE = "left_message", _("Left a message")

    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("submission"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("staff member"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Only contacts have an outcome; a note has none.
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    text = models.TextField(_("text"), max_length=CASEWORK_TEXT_MAX_LENGTH)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ("-at",)
        verbose_name = _("case activity")
        verbose_name_plural = _("case activities")
        indexes = [models.Index(fields=("submission", "-at"), name="caseactivity_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.submission}"
