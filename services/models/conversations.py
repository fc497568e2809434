"""Two-way messages about a case: the council's questions, the resident's answers, reopenings.

A CaseMessage is one turn: a question (asked by staff in the workspace, or by a back office whose
status maps to "needs your reply"), a reply (text and files), a reopening or "it is not fixed".
A reply's files are SubmissionFile rows of the case (question id `reply-<message>-<n>`), so staff
downloads, signed links for back offices and retention treat them like the form's own files.

What the resident says is sent on to every back office that holds the case, as an OutgoingUpdate:
an outbox row per (message, delivery), written in the same transaction as the message and sent
by a worker through the adapter's `send_update` with the delivery engine's guarantees. It is an
OutboxRow (services/models/outbox.py) like a Delivery: the same lease, attempt and progress
fields and the same engine states, so the engine's one definition of "due", of what a claim
writes (services/delivery/rules.py) and of the breaker's gate (services/delivery/claim.py)
applies to both:

    pending -> in_flight -> delivered
                       \\-> retrying -> in_flight ...   (transient failure, within budget)
                       \\-> failed                      (permanent, or budget spent)
    pending -> not_supported                           (the back office takes no updates)

An update waits (pending) while its case's own delivery is not delivered: it is never sent
before the back office has the case it belongs to.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.models.delivery import Delivery
from services.models.files import SubmissionFile
from services.models.outbox import AttemptRow, OutboxRow
from services.models.routing import Connection
from services.models.submissions import Submission
from services.models.updates import CaseUpdate

MESSAGE_TEXT_MAX_LENGTH = 2000


class CaseMessage(models.Model):
    class Kind(models.TextChoices):
        QUESTION = "question", _("Question from the council")
        REPLY = "reply", _("Reply from the resident")
        REOPEN = "reopen", _("Reopened by the resident")
        NOT_FIXED = "not_fixed", _("The resident says it is not fixed")

    # What the resident says, sent on to back offices; a question comes from the council.
    FROM_RESIDENT = (Kind.REPLY, Kind.REOPEN, Kind.NOT_FIXED)

    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="conversation",
        verbose_name=_("submission"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("text"), max_length=MESSAGE_TEXT_MAX_LENGTH)
    # The staff member who asked, or the signed-in resident who answered; None for a back
    # office's question and for a guest's reply.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    # The status change the message came with (needs your reply; back in progress).
    case_update = models.ForeignKey(
        CaseUpdate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("status change"),
    )
    files = models.ManyToManyField(
        SubmissionFile, blank=True, related_name="+", verbose_name=_("files")
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    outgoing: models.Manager[OutgoingUpdate]

    class Meta:
        ordering = ("created_at", "pk")
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")
        indexes = [models.Index(fields=("submission", "created_at"), name="casemessage_timeline")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.submission}"


class OutgoingUpdate(OutboxRow):
    """One resident's message on its way to one back office that holds the case."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        IN_FLIGHT = "in_flight", _("Sending")
        RETRYING = "retrying", _("Waiting to retry")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        NOT_SUPPORTED = "not_supported", _("Not supported by this back office")

    message = models.ForeignKey(
        CaseMessage, on_delete=models.CASCADE, related_name="outgoing", verbose_name=_("message")
    )
    # The case's own delivery: where the back office's reference of the case is, and what
    # the update waits for. Whatever removes the delivery (retention) takes its updates too.
    delivery = models.ForeignKey(
        Delivery,
        on_delete=models.CASCADE,
        related_name="outgoing_updates",
        verbose_name=_("delivery"),
    )
    connection = models.ForeignKey(
        Connection,
        on_delete=models.PROTECT,
        related_name="outgoing_updates",
        verbose_name=_("connection"),
    )
    state = models.CharField(
        _("state"), max_length=15, choices=State.choices, default=State.PENDING
    )
    external_id = models.CharField(_("back-office id"), max_length=200, blank=True)

    attempt_set: models.Manager[UpdateAttempt]

    class Meta:
        ordering = ("created_at", "pk")
        verbose_name = _("outgoing update")
        verbose_name_plural = _("outgoing updates")
        constraints = [
            models.UniqueConstraint(
                fields=("message", "delivery"), name="outgoingupdate_once_per_delivery"
            )
        ]
        indexes = [
            models.Index(
                fields=("next_attempt_at",),
                name="outgoingupdate_due",
                condition=Q(state__in=("pending", "retrying")),
            ),
            models.Index(
                fields=("lease_expires_at",),
                name="outgoingupdate_leased",
                condition=Q(state="in_flight"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message} → {self.connection}"


class UpdateAttempt(AttemptRow):
    """One try at an outgoing update (no personal data: outcome, code, sanitised excerpt)."""

    update = models.ForeignKey(
        OutgoingUpdate,
        on_delete=models.CASCADE,
        related_name="attempt_set",
        verbose_name=_("outgoing update"),
    )

    class Meta:
        ordering = ("update", "number")
        verbose_name = _("update attempt")
        verbose_name_plural = _("update attempts")
        constraints = [
            models.UniqueConstraint(fields=("update", "number"), name="updateattempt_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.update} #{self.number}"
