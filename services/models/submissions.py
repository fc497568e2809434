"""What residents send: drafts (answers saved page by page) and submissions (with a reference).

A draft and a submission both point at the exact FormVersion they were made on, so a form edit
never breaks a journey in progress. A submission is written once, in one transaction, with its
reference; later issues add its routing decision and deliveries to that same transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.forms.references import REFERENCE_MAX_LENGTH
from services.models.catalogue import Service
from services.models.forms import FormVersion


class Channel(models.TextChoices):
    WEB = "web", _("Online")
    PHONE = "phone", _("By phone (contact centre)")
    # A resident at a council office, an agent filling the form in beside them.
    IN_PERSON = "in_person", _("Face to face")
    API = "api", _("API")


# How an agent may be in touch with the resident they submit for (services/assisted.py).
ASSISTED_CHANNELS = (Channel.PHONE, Channel.IN_PERSON)

CONTACT_NAME_MAX_LENGTH = 200
CONTACT_PHONE_MAX_LENGTH = 30


def draft_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.DRAFT_LIFETIME_DAYS)


class Draft(models.Model):
    """Answers saved page by page, so a resident can stop and come back.

    A signed-in resident's drafts are theirs (`user`); a guest's draft is found through their
    session or a resume link e-mailed to `guest_email`, which carries a signed form of `id`.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    form_version = models.ForeignKey(
        FormVersion, on_delete=models.PROTECT, related_name="drafts", verbose_name=_("form version")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="drafts",
        verbose_name=_("resident"),
    )
    guest_email = models.EmailField(_("guest e-mail address"), blank=True)
    # A caller without an account, as the agent typed them (guest_email holds their e-mail).
    contact_name = models.CharField(
        _("contact name"), max_length=CONTACT_NAME_MAX_LENGTH, blank=True
    )
    contact_phone = models.CharField(
        _("contact phone number"), max_length=CONTACT_PHONE_MAX_LENGTH, blank=True
    )
    # Their postal address, as the agent found or typed it: the address question's answer
    # ({"uprn", "line1", "line2", "town", "postcode"}), {} when they gave none.
    contact_address = models.JSONField(_("contact postal address"), default=dict, blank=True)
    # The resident's language for what the portal sends them, when an agent fills the draft in
    # for them; blank for a resident's own draft (the language of the pages they fill in).
    language = models.CharField(_("language"), max_length=8, blank=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    # The agent filling the form in for a resident on the phone ("assisted digital").
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    # References of files uploaded through this draft: only these may appear in its answers.
    uploads = models.JSONField(_("uploaded files"), default=list, blank=True)
    last_page = models.CharField(_("last page"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    expires_at = models.DateTimeField(_("expires"), default=draft_expiry, db_index=True)

    class Meta:
        ordering = ("-updated_at",)
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")

    def __str__(self) -> str:
        return f"Draft of {self.form_version.form} ({self.id})"

    @property
    def service(self) -> Service:
        return self.form_version.form.service


class Submission(models.Model):
    """A form sent by a resident (or for one), identified by its reference."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_PROGRESS = "in_progress", _("In progress")
        ACTION_SCHEDULED = "action_scheduled", _("Action scheduled")
        # The council has asked the resident something and is waiting for their answer; a
        # back office's own status for that is mapped here like any other.
        NEEDS_INFORMATION = "needs_information", _("Needs your reply")
        CLOSED_FIXED = "closed_fixed", _("Closed – done")
        CLOSED_NOT_COUNCIL = "closed_not_council", _("Closed – not a council matter")
        DUPLICATE = "duplicate", _("Closed – already reported")

    reference = models.CharField(
        _("reference"), max_length=REFERENCE_MAX_LENGTH, unique=True, editable=False
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("service")
    )
    form_version = models.ForeignKey(
        FormVersion,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("form version"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submissions",
        verbose_name=_("resident"),
    )
    # Where acknowledgements and updates go; for a guest, also what proves it is theirs.
    contact_email = models.EmailField(_("contact e-mail address"), blank=True)
    # A caller without an account, as the agent who submitted for them typed them.
    contact_name = models.CharField(
        _("contact name"), max_length=CONTACT_NAME_MAX_LENGTH, blank=True
    )
    contact_phone = models.CharField(
        _("contact phone number"), max_length=CONTACT_PHONE_MAX_LENGTH, blank=True
    )
    # A caller's postal address as the agent took it (the shape of an address answer); {} when
    # they gave none. A caller who gave only this is written to by letter.
    contact_address = models.JSONField(_("contact postal address"), default=dict, blank=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    language = models.CharField(_("language"), max_length=8, default="en")
    answers = models.JSONField(_("answers"))
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.RECEIVED
    )
    # Facts drawn from the answers that routing and back offices need without parsing them.
    uprn = models.CharField(_("UPRN"), max_length=12, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    created_at = models.DateTimeField(_("submitted"), default=timezone.now, db_index=True)
    # Which rules matched and where the submission was sent, and why (services/routing).
    routing_decision = models.JSONField(_("routing decision"), default=dict, blank=True)
    routing_round = models.PositiveSmallIntegerField(_("routing round"), default=0)
    # The resident deleted their account: the case no longer names them or their contact
    # details; its answers stay until retention (services/privacy/erasure.py).
    detached_at = models.DateTimeField(_("resident's account deleted"), null=True, blank=True)
    # Retention emptied the closed case of its answers, files and personal details; the row
    # stays so the reference, the audit log and the service's counts still add up
    # (services/retention.py).
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        indexes = [
            models.Index(fields=("user", "-created_at"), name="submission_user_recent"),
            # The staff workspace's status filter: its page comes in order from this one...
            models.Index(fields=("status", "-created_at", "-id"), name="submission_status_recent"),
            # ... and its count from this one alone: in id order, as the delivery-state filter's
            # index (delivery_state_submission) lists its cases, so PostgreSQL merges the two
            # and stops at the count's limit; with each case's service in it, an agent's scope
            # is checked without reading the cases' rows (`make bench-search`).
            # (The service is a key column, not INCLUDEd: SQLite, `make run`, would warn of
            # INCLUDE at every command; after the unique id, it changes nothing of the order.)
            models.Index(fields=("status", "id", "service"), name="submission_status_by_id"),
        ]
        constraints = [
            # A caller who gave an agent only a phone number is reached by phone, one who gave
            # only a postal address by letter. A case whose resident deleted their account, or
            # that retention anonymised, names no one.
            models.CheckConstraint(
                condition=Q(user__isnull=False)
                | ~Q(contact_email="")
                | ~Q(contact_phone="")
                | ~Q(contact_address={})
                | Q(detached_at__isnull=False)
                | Q(anonymised_at__isnull=False),
                name="submission_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.reference
