"""Status updates from back offices: how each connection's statuses map to ours, and every update.

A StatusMapping row turns one back-office status ("CLOSED-REPAIRED") into a portal status
("closed, done") with the plain-language sentence residents see on their timeline ("Our crew has
fixed the pothole"), in English and Welsh. `reopen` says the status may move a closed case back
to open; without it a closed case never moves backwards.

A CaseUpdate is one update as received, by callback or by polling, whether or not it changed the
case: (connection, update_id) is unique, so a repeat is recognised and changes nothing. What the
back office wrote (`description`) is for staff; residents see the mapping's sentence, copied onto
the update when it arrived so a later edit of the mapping does not rewrite history.

A staff member may also change a case's status from the workspace (source "staff"): that update
has no connection, names who made it (`changed_by`), carries the message they wrote to the
resident as its public text and their internal note as its description.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from services.models.routing import Connection
from services.models.submissions import Submission

EXTERNAL_STATUS_MAX_LENGTH = 100
UPDATE_ID_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 2000
PUBLIC_TEXT_MAX_LENGTH = 300


class StatusMapping(models.Model):
    connection = models.ForeignKey(
        Connection,
        on_delete=models.CASCADE,
        related_name="status_mappings",
        verbose_name=_("connection"),
    )
    external_status = models.CharField(
        _("back-office status"),
        max_length=EXTERNAL_STATUS_MAX_LENGTH,
        help_text=_("Exactly as the back office sends it; upper and lower case are the same."),
    )
    portal_status = models.CharField(
        _("portal status"), max_length=30, choices=Submission.Status.choices
    )
    reopen = models.BooleanField(
        _("may reopen"),
        default=False,
        help_text=_("Tick if this status may move a closed case back to open."),
    )
    description_en = models.CharField(
        _("what residents see (English)"),
        max_length=PUBLIC_TEXT_MAX_LENGTH,
        blank=True,
        help_text=_("Plain language, e.g. “Our crew has fixed the pothole”."),
    )
    description_cy = models.CharField(
        _("what residents see (Welsh)"), max_length=PUBLIC_TEXT_MAX_LENGTH, blank=True
    )

    class Meta:
        ordering = ("connection", "external_status")
        verbose_name = _("status mapping")
        verbose_name_plural = _("status mappings")
        constraints = [
            models.UniqueConstraint(
                "connection",
                Lower("external_status"),
                name="statusmapping_unique_status_per_connection",
            )
        ]

    def __str__(self) -> str:
        return f"{self.external_status} → {self.get_portal_status_display()}"


class CaseUpdate(models.Model):
    class Source(models.TextChoices):
        CALLBACK = "callback", _("Callback")
        POLL = "poll", _("Polling")
        STAFF = "staff", _("Staff workspace")
        # The resident answered a question or reopened the case (services/conversations):
        # no connection and no `changed_by` (PROTECT would stop them deleting their account;
        # the CaseMessage names its author).
        RESIDENT = "resident", _("The resident")

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Applied: the status changed")
        UNCHANGED = "unchanged", _("The case already had this status")
        OUT_OF_ORDER = "out_of_order", _("Not applied: older than an update already applied")
        CLOSED = "closed", _("Not applied: the case is closed and this status may not reopen it")
        UNKNOWN_STATUS = "unknown_status", _("Not applied: no mapping for this back-office status")

    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="case_updates",
        verbose_name=_("submission"),
    )
    # None for a staff member's update (source "staff"): no back office sent it.
    connection = models.ForeignKey(
        Connection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_updates",
        verbose_name=_("connection"),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by staff member"),
    )
    update_id = models.CharField(_("update id"), max_length=UPDATE_ID_MAX_LENGTH)
    external_status = models.CharField(
        _("back-office status"), max_length=EXTERNAL_STATUS_MAX_LENGTH
    )
    portal_status = models.CharField(
        _("portal status"), max_length=30, choices=Submission.Status.choices, blank=True
    )
    occurred_at = models.DateTimeField(_("happened"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    # The back office's own notes: staff only, as they may name people or places.
    description = models.TextField(_("back-office notes"), blank=True)
    public_text_en = models.CharField(
        _("what residents see (English)"), max_length=PUBLIC_TEXT_MAX_LENGTH, blank=True
    )
    public_text_cy = models.CharField(
        _("what residents see (Welsh)"), max_length=PUBLIC_TEXT_MAX_LENGTH, blank=True
    )
    applied = models.BooleanField(_("changed the status"), default=False)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)

    class Meta:
        ordering = ("occurred_at", "pk")
        verbose_name = _("case update")
        verbose_name_plural = _("case updates")
        constraints = [
            models.UniqueConstraint(
                fields=("connection", "update_id"), name="caseupdate_once_per_connection"
            ),
            # From a back office (a connection, no person), from staff (a person, no connection)
            # or from the resident (neither).
            models.CheckConstraint(
                condition=(
                    Q(source="staff", connection__isnull=True, changed_by__isnull=False)
                    | Q(source="resident", connection__isnull=True, changed_by__isnull=True)
                    | (
                        ~Q(source__in=("staff", "resident"))
                        & Q(connection__isnull=False, changed_by__isnull=True)
                    )
                ),
                name="caseupdate_from_back_office_or_staff",
            ),
        ]
        indexes = [
            models.Index(fields=("submission", "occurred_at"), name="caseupdate_timeline"),
            models.Index(fields=("connection", "-received_at"), name="caseupdate_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.update_id}: {self.external_status}"

    @property
    def resident_text(self) -> str:
        """The sentence residents see, in the language of the page being rendered.

        Falls back to the portal status's own name (translated) rather than show a Welsh reader
        English, or anyone the back office's notes.
        """
        welsh = (translation.get_language() or "").startswith("cy")
        text = self.public_text_cy if welsh else self.public_text_en
        if text:
            return text
        return str(Submission.Status(self.portal_status).label) if self.portal_status else ""
