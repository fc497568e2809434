"""What every outbox row has: a Delivery (a case on its way to a back office) and an
OutgoingUpdate (a resident's message on its way to one) are sent by the same engine.

The engine's rules (services/delivery/rules.py: which rows are due, what a claim writes), its
claim and breaker gate (services/delivery/claim.py), its retry time, its progress and its sweeper
work on either table through these fields, so they are declared once, here. Moving them here
changed no column: each is exactly what both tables had.

What stays with each model is what differs: its State (a delivery can be cancelled or resolved
by hand, an update can be "not supported"; the columns are of different widths), what it points
at, its back-office id's name, its indexes (named per table). Each State must still have the
states the rules speak of, with the same values; `check` says so at start-up if one does not.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core import checks
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The states the engine's rules use, and their values: every outbox row's State has these.
PENDING = "pending"
IN_FLIGHT = "in_flight"
RETRYING = "retrying"
DELIVERED = "delivered"
FAILED = "failed"
ENGINE_STATES = {
    "PENDING": PENDING,
    "IN_FLIGHT": IN_FLIGHT,
    "RETRYING": RETRYING,
    "DELIVERED": DELIVERED,
    "FAILED": FAILED,
}


def missing_engine_states(state: Any) -> list[str]:
    """The engine's states that the choices class `state` lacks or gives another value, as
    "NAME = 'value'" for a message; empty if it has them all."""
    return [
        f"{name} = {value!r}"
        for name, value in ENGINE_STATES.items()
        if getattr(getattr(state, name, None), "value", None) != value
    ]


class OutboxRow(models.Model):
    """An abstract outbox row: sent by a worker that claims it with a lease, retried within its
    connection's attempt budget, its progress kept between attempts."""

    # Sent to the back office with every attempt, so a retry after a lost answer finds the
    # record the first attempt made instead of making a second.
    idempotency_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True)
    # Claims made (a deferral by the breaker or a busy connection is not one).
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now, null=True)
    lease_expires_at = models.DateTimeField(_("lease expires"), null=True, blank=True)
    # Set by each claim; a worker may only record the outcome of the claim it holds.
    claim_token = models.UUIDField(_("claim"), null=True, blank=True)
    # Where the attempt budget counts from.
    first_attempt_at = models.DateTimeField(_("first attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    # What earlier attempts got done (integrations.base.Progress): {"reference": the case an
    # attempt made, "files": {file id: the back office's id for it}}, so a retry resumes there.
    progress = models.JSONField(_("progress"), default=dict, blank=True)
    # When people were told it failed: once per failure; sending it again clears it, so a
    # later failure is told again.
    alerted_at = models.DateTimeField(_("people told"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        abstract = True

    @classmethod
    def check(cls, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        missing = missing_engine_states(getattr(cls, "State", None))
        if missing:
            errors.append(
                checks.Error(
                    f"{cls.__name__}.State lacks the outbox states the delivery engine's "
                    f"rules use: {', '.join(missing)}.",
                    obj=cls,
                    id="services.E001",
                )
            )
        return errors


class AttemptRow(models.Model):
    """What every try at an outbox row records, for a delivery's Attempt and an update's
    UpdateAttempt alike: when, how long, and what came of it (no personal data: a status code,
    an error's class and a sanitised excerpt). Each model adds the row it belongs to."""

    class Outcome(models.TextChoices):
        DELIVERED = "delivered", _("Delivered")
        TRANSIENT = "transient", _("Failed, will retry")
        PERMANENT = "permanent", _("Failed, will not retry")

    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    status_code = models.CharField(_("status"), max_length=20, blank=True)
    error_class = models.CharField(_("error"), max_length=100, blank=True)
    excerpt = models.CharField(_("excerpt"), max_length=200, blank=True)

    class Meta:
        abstract = True
