"""Forms and their versions.

A service has one Form; the form's questions live in FormVersions. A version is a draft while
admins edit it, then live (residents fill it in), then archived (replaced by a newer one).
Submissions point at the exact version they were made on, so a live or archived version's
schema can never change: to edit a form, copy the live version into a new draft
(`FormVersion.new_draft_from`) and publish that. Exactly zero or one version per form is live.
"""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from services.forms.schema import FormSchema, SchemaError, parse_schema
from services.models.catalogue import Service


class ImmutableVersionError(ValidationError):
    """Someone tried to change the schema (or form or number) of a live or archived version."""


class VersionStateError(ValidationError):
    """A change of status that is not allowed, e.g. publishing an archived version."""


class Form(models.Model):
    """The form behind a service; its questions are in versions."""

    service = models.OneToOneField(
        Service, on_delete=models.CASCADE, related_name="form", verbose_name=_("service")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    versions: models.Manager[FormVersion]

    class Meta:
        verbose_name = _("form")
        verbose_name_plural = _("forms")

    def __str__(self) -> str:
        return str(self.service)

    @property
    def live_version(self) -> FormVersion | None:
        """The version residents fill in now, if any (one query)."""
        return self.versions.filter(status=FormVersion.Status.LIVE).first()

    def next_number(self) -> int:
        return (self.versions.aggregate(n=Max("number"))["n"] or 0) + 1


class FormVersionQuerySet(models.QuerySet["FormVersion"]):
    def update(self, **kwargs: Any) -> int:
        # A bulk update skips save(); refuse the one change that would rewrite history.
        if {"schema", "form", "form_id", "number"} & set(kwargs) and self.exclude(
            status=FormVersion.Status.DRAFT
        ).exists():
            raise ImmutableVersionError(_("Live and archived form versions cannot be changed."))
        return super().update(**kwargs)


class FormVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LIVE = "live", _("Live")
        ARCHIVED = "archived", _("Archived")

    form = models.ForeignKey(
        Form, on_delete=models.CASCADE, related_name="versions", verbose_name=_("form")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    schema = models.JSONField(_("schema"), default=dict)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = FormVersionQuerySet.as_manager()

    class Meta:
        ordering = ("form", "-number")
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")
        constraints = [
            models.UniqueConstraint(fields=("form", "number"), name="formversion_unique_number"),
            models.UniqueConstraint(
                fields=("form",),
                condition=Q(status="live"),
                name="formversion_one_live_per_form",
            ),
            models.CheckConstraint(
                condition=~Q(status="live") | Q(published_at__isnull=False),
                name="formversion_live_has_published_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form} v{self.number} ({self.get_status_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            self._refuse_changes_to_locked()
        elif self.number is None:
            self.number = self.form.next_number()
        super().save(*args, **kwargs)

    @property
    def is_locked(self) -> bool:
        """Whether the schema is frozen (live or archived)."""
        return self.status != self.Status.DRAFT

    @cached_property
    def parsed(self) -> FormSchema:
        """The schema as dataclasses; raises SchemaError if a draft's schema is not valid yet."""
        return parse_schema(self.schema)

    def _refuse_changes_to_locked(self) -> None:
        stored = (
            FormVersion.objects.filter(pk=self.pk)
            .values("status", "schema", "form_id", "number")
            .first()
        )
        if stored is None or stored["status"] == self.Status.DRAFT:
            return
        if (
            stored["schema"] != self.schema
            or stored["form_id"] != self.form_id
            or stored["number"] != self.number
        ):
            raise ImmutableVersionError(
                _(
                    "Version %(number)s is %(status)s, so its questions cannot be changed. "
                    "Create a new draft from it instead."
                ),
                params={"number": stored["number"], "status": stored["status"]},
            )
        if stored["status"] == self.Status.ARCHIVED and self.status != self.Status.ARCHIVED:
            raise VersionStateError(
                _("An archived version cannot be made live again; create a new draft from it.")
            )
        if stored["status"] == self.Status.LIVE and self.status == self.Status.DRAFT:
            raise VersionStateError(_("A live version cannot go back to being a draft."))

    @classmethod
    def new_draft_from(cls, version: FormVersion, created_by: Any = None) -> FormVersion:
        """A new draft of the same form with a copy of `version`'s schema and the next number."""
        with transaction.atomic():
            # Locking the form serialises numbering between two admins copying at once.
            Form.objects.select_for_update().get(pk=version.form_id)
            return cls.objects.create(
                form_id=version.form_id,
                number=version.form.next_number(),
                schema=copy.deepcopy(version.schema),
                created_by=created_by,
            )

    def publish(self) -> None:
        """Make this draft live, archiving the previous live version, in one transaction.

        Raises SchemaError if the schema is not valid, VersionStateError if this is not a draft.
        People publish through services.catalogue.publish_version, which also refuses a version
        of a live service whose cases would go nowhere.
        """
        with transaction.atomic():
            Form.objects.select_for_update().get(pk=self.form_id)
            current = FormVersion.objects.select_for_update().get(pk=self.pk)
            if current.status != self.Status.DRAFT:
                raise VersionStateError(_("Only a draft can be published."))
            parse_schema(current.schema)
            now = timezone.now()
            previous = (
                FormVersion.objects.select_for_update()
                .filter(form_id=self.form_id, status=self.Status.LIVE)
                .first()
            )
            if previous is not None:
                previous.status = self.Status.ARCHIVED
                previous.save(update_fields=["status"])
            current.status, current.published_at = self.Status.LIVE, now
            current.save(update_fields=["status", "published_at"])
        self.refresh_from_db()

    def archive(self) -> None:
        """Withdraw this version (live or draft). A form with no live version takes no answers."""
        with transaction.atomic():
            current = FormVersion.objects.select_for_update().get(pk=self.pk)
            if current.status == self.Status.ARCHIVED:
                raise VersionStateError(_("This version is already archived."))
            current.status = self.Status.ARCHIVED
            current.save(update_fields=["status"])
        self.refresh_from_db()

    def clean(self) -> None:
        """Model validation (the admin uses it): a draft's schema must parse, and a locked
        version must be unchanged. Schema errors name the page and question."""
        super().clean()
        if self.pk is not None:
            self._refuse_changes_to_locked()
        if self.is_locked:
            return  # checked when it was published; it cannot have changed since
        try:
            parse_schema(self.schema)
        except SchemaError as exc:
            raise ValidationError({"schema": exc.errors}) from None


# Live and archived versions never change (ImmutableVersionError above), so a process may keep
# them, parsed schema included: the delivery engine reads one for every delivery it sends, and a
# join to the version's table cost more than the rest of the delivery's loading.
_LOCKED_VERSIONS: dict[int, FormVersion] = {}
_LOCKED_VERSIONS_KEPT = 1024


def locked_version(pk: int) -> FormVersion:
    """Form version `pk`; one that is live or archived comes from this process's memory after
    the first time. Callers must not change what they get."""
    version = _LOCKED_VERSIONS.get(pk)
    if version is None:
        version = FormVersion.objects.get(pk=pk)
        if version.is_locked and len(_LOCKED_VERSIONS) < _LOCKED_VERSIONS_KEPT:
            _LOCKED_VERSIONS[pk] = version
    return version
