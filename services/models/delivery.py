"""The delivery outbox: one Delivery per (submission, destination), one Attempt per try.

Deliveries are written in the same transaction as their submission, so once a resident sees a
reference the work to send it is in the database; Celery messages only say "look at delivery N
now". A worker claims a delivery with a lease (services/delivery/claim.py) so two workers never
send it at once, and a lease that runs out (a killed worker) lets the sweeper hand it to another.
Its lease, attempt and progress fields are every outbox row's (services/models/outbox.py).

States:  pending -> in_flight -> delivered
                           \\-> retrying -> in_flight ...   (transient failure, within budget)
                           \\-> failed                      (permanent, or budget spent)
         pending/retrying/failed -> cancelled | resolved     (by people, with a note)
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from services.models.outbox import AttemptRow, OutboxRow
from services.models.routing import Connection, Destination
from services.models.submissions import Submission


class Delivery(OutboxRow):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        IN_FLIGHT = "in_flight", _("Sending")
        RETRYING = "retrying", _("Waiting to retry")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        RESOLVED = "resolved", _("Resolved by hand")

    # States in which the delivery still has work to do.
    OPEN_STATES = (State.PENDING, State.IN_FLIGHT, State.RETRYING)

    submission = models.ForeignKey(
        Submission,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=_("submission"),
    )
    destination = models.ForeignKey(
        Destination,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=_("destination"),
    )
    # Copied from the destination so per-connection limits and dashboards need no join.
    connection = models.ForeignKey(
        Connection,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=_("connection"),
    )
    # Routing can be run again for a case (its service or place changed); each run is a round,
    # and earlier rounds' deliveries are kept.
    routing_round = models.PositiveSmallIntegerField(_("routing round"), default=1)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    external_reference = models.CharField(_("back-office reference"), max_length=200, blank=True)
    resolution_note = models.TextField(_("note"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    attempt_set: models.Manager[Attempt]

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=("submission", "destination", "routing_round"),
                name="delivery_once_per_destination_per_round",
            ),
        ]
        indexes = [
            # The sweeper's and the claim's question: what is due now?
            models.Index(
                fields=("next_attempt_at",),
                name="delivery_due",
                condition=Q(state__in=("pending", "retrying")),
            ),
            models.Index(
                fields=("lease_expires_at",),
                name="delivery_leased",
                condition=Q(state="in_flight"),
            ),
            models.Index(fields=("connection", "state"), name="delivery_connection_state"),
            # The staff workspace's delivery-state filter (failed, retrying): the few such
            # cases, found without reading every delivery.
            models.Index(fields=("state", "submission"), name="delivery_state_submission"),
            # Status updates (callbacks and polls) find their case by the back office's reference.
            models.Index(
                fields=("connection", "external_reference"), name="delivery_external_reference"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} → {self.destination}"


class Attempt(AttemptRow):
    """One try at a delivery: when, how long, and what came of it (no personal data)."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempt_set", verbose_name=_("delivery")
    )

    class Meta:
        ordering = ("delivery", "number")
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        constraints = [
            models.UniqueConstraint(fields=("delivery", "number"), name="attempt_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.delivery} #{self.number}"
