"""What the portal does with residents' data over time: retention runs and data exports.

A RetentionRun records one run of the daily retention task (services/retention.py): when, and
how many closed cases of each service it anonymised — counts only, never a reference or a word
of a case, so the record itself holds no personal data.

A DataExport is a resident's "download your data" file built by a worker because it was too
big to build while they waited (services/privacy/export.py); it is kept in private storage for a
few days, then deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RetentionRun(models.Model):
    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    anonymised = models.PositiveIntegerField(_("cases anonymised"), default=0)
    # {service slug: cases anonymised}; services with none are left out.
    per_service = models.JSONField(_("cases anonymised per service"), default=dict, blank=True)
    # Cases another run held at the time (it anonymises them); files whose bytes storage would
    # not delete (the next run tries again).
    skipped = models.PositiveIntegerField(_("cases left to another run"), default=0)
    files_not_deleted = models.PositiveIntegerField(_("files not deleted"), default=0)

    class Meta:
        ordering = ("-started_at", "-id")
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"Retention run {self.started_at:%Y-%m-%d %H:%M}: {self.anonymised}"


class DataExport(models.Model):
    class State(models.TextChoices):
        PREPARING = "preparing", _("Preparing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="data_exports",
        verbose_name=_("resident"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PREPARING
    )
    created_at = models.DateTimeField(_("asked for"), default=timezone.now)
    ready_at = models.DateTimeField(_("ready"), null=True, blank=True)
    # Never shown or in a URL: the file is sent only to its own resident.
    storage_name = models.CharField(_("stored as"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    # The language of the pages the resident asked in: the ZIP's readable page is in it.
    language = models.CharField(_("language"), max_length=8, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")

    def __str__(self) -> str:
        return f"Data export {self.pk} ({self.state})"
