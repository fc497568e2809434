"""Who among staff looked at whose personal data, and when.

Every staff view of a resident's case or account writes one row, through `services.audit`.
Rows are never edited or deleted by the portal; retention is the council's policy.

A download names the file, so a subject access request can say which of a case's files a staff
member opened. The link to the file is SET_NULL, not PROTECT: retention deletes a case's file
rows when it anonymises the case (services/retention.py), and an audit row must neither stop
that nor go with it. What survives the file is a copy of what is not personal about it: the
question it answered, as the form worded it, and its place among the case's files ("2 of 3").
Its name is the resident's words, so it is not copied: it is shown while the file is kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.models.files import SubmissionFile
from services.models.submissions import Submission

# A question's label is the form's and may be long: the copy kept is cut to this.
FILE_QUESTION_MAX_LENGTH = 200


class AccessLog(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("staff member"),
    )
    # What was seen: a case, a person's account, or both.
    submission = models.ForeignKey(
        Submission,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_log",
        verbose_name=_("submission"),
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resident"),
    )
    # Which file was downloaded (the module says why SET_NULL and what the copies below are).
    file = models.ForeignKey(
        SubmissionFile,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_log",
        verbose_name=_("file"),
    )
    file_question = models.CharField(
        _("file's question"), max_length=FILE_QUESTION_MAX_LENGTH, blank=True
    )
    file_number = models.PositiveSmallIntegerField(_("file number"), null=True, blank=True)
    file_count = models.PositiveSmallIntegerField(_("files in the case"), null=True, blank=True)
    # Where it was seen, e.g. "admin:submission", "admin:payload_preview", "admin:user".
    where = models.CharField(_("where"), max_length=100)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # Why, when the viewer had to say: a supervisor opening a case outside their own teams.
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ("-at",)
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(submission__isnull=False) | models.Q(subject__isnull=False),
                name="accesslog_names_what_was_seen",
            )
        ]

    def __str__(self) -> str:
        return f"{self.actor} saw {self.submission or self.subject} ({self.where})"
