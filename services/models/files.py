"""The files residents send with a case, and each fetch of one by a back-office system.

A file question's answer holds where the upload is stored and the resident's name for it; a
`SubmissionFile` row is made for it when the submission is made, with the facts established from
its bytes (type, size, SHA-256), so that deliveries, signed links, staff downloads and retention
all work from one record. The bytes stay in private storage (services/forms/uploads.py).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.models.routing import Connection
from services.models.submissions import Submission


class SubmissionFile(models.Model):
    """One uploaded file of one submission."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    question_id = models.CharField(_("question"), max_length=100)
    name = models.CharField(_("name"), max_length=150)  # the resident's, made safe
    storage_name = models.CharField(_("stored as"), max_length=100)  # never shown or in a URL
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("received"), default=timezone.now)
    # Set when retention deleted the bytes: links stop working and deliveries that still need
    # the file fail permanently, saying so.
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("submitted file")
        verbose_name_plural = _("submitted files")
        ordering = ("submission", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("submission", "question_id"), name="one_file_row_per_question"
            )
        ]

    def __str__(self) -> str:
        return self.name


class FileFetch(models.Model):
    """A back-office system fetched a file through its signed link (shown on the case)."""

    file = models.ForeignKey(SubmissionFile, on_delete=models.CASCADE, related_name="fetches")
    connection = models.ForeignKey(
        Connection, on_delete=models.SET_NULL, null=True, related_name="file_fetches"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    method = models.CharField(_("method"), max_length=4)  # GET or HEAD
    status = models.PositiveSmallIntegerField(_("answer"))  # 200, 206

    class Meta:
        verbose_name = _("file fetch")
        verbose_name_plural = _("file fetches")
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.method} {self.file_id} at {self.at:%Y-%m-%d %H:%M}"
