"""The service catalogue: topics and the services residents can use.

Text fields are translated with django-modeltranslation (services/translation.py), which adds
`name_en`, `name_cy`, ... columns; reading `service.name` gives the active language, falling
back to English.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.manager import MultilingualManager

if TYPE_CHECKING:
    from services.models.forms import FormVersion

# A year of working days: a longer promise is a typing mistake, not a target.
MAX_TARGET_WORKING_DAYS = 260


class Topic(models.Model):
    """A group of services on the "All services" page, e.g. "Bins and recycling"."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    # modeltranslation would swap in a manager class made at run time, which the type checker
    # cannot resolve; declaring its manager here keeps the same behaviour and typing.
    objects = MultilingualManager["Topic"]()
    services: MultilingualManager[Service]

    class Meta:
        ordering = ("order", "name")
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """One thing a resident can do, with its GOV.UK-style start page text."""

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    summary = models.TextField(_("summary"), help_text=_("One or two sentences for the list."))
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, related_name="services", verbose_name=_("topic")
    )
    what_you_need = models.TextField(_("what you need"), blank=True)
    how_long = models.CharField(_("how long it takes"), max_length=200, blank=True)
    other_ways_phone = models.TextField(
        _("other ways: by phone"), blank=True, help_text=_("Number and opening hours.")
    )
    other_ways_in_person = models.TextField(_("other ways: in person"), blank=True)
    allow_guests = models.BooleanField(
        _("allow guests"),
        default=False,
        help_text=_("Residents may use this without signing in (they give an email address)."),
    )
    is_live = models.BooleanField(_("live"), default=False)
    # What the resident is told to expect on their request's page ("We aim to respond within 10
    # working days", and by which date: services/my_requests.py). Blank: no promise is made.
    target_working_days = models.PositiveSmallIntegerField(
        _("target time (working days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TARGET_WORKING_DAYS)],
        help_text=_(
            "How many working days the council aims to take to respond. Residents see it, and "
            "the date it gives, on their request. Leave blank to promise no time."
        ),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    # How long a closed case keeps its answers, files and the resident's details before
    # retention anonymises it (services/retention.py); empty: the council's default.
    retention_days = models.PositiveIntegerField(
        _("retention period (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(36500)],
        help_text=_(
            "How many days a closed request keeps its answers, files and the resident's "
            "details before they are deleted. Leave empty for the council's default."
        ),
    )

    objects = MultilingualManager["Service"]()

    class Meta:
        ordering = ("topic__order", "order", "name")
        verbose_name = _("service")
        verbose_name_plural = _("services")
        # The service design studio's own permission (portal/studio/access.py); roles
        # (portal/accounts/roles.py) give it to service admins and system admins.
        permissions = [("use_studio", _("Can use the service design studio"))]

    def __str__(self) -> str:
        return self.name

    @property
    def retention_period_days(self) -> int:
        """Days a closed case is kept: the service's own period, or the council's default."""
        return self.retention_days or settings.SUBMISSION_RETENTION_DAYS

    @property
    def live_version(self) -> FormVersion | None:
        """The form version residents fill in now, or None if the service has no live form."""
        form = getattr(self, "form", None)
        return form.live_version if form is not None else None

    def unrouted_reason(self) -> str | None:
        """Why this service's cases would go nowhere, or None if its routing sends them somewhere.

        The one rule for whether a service may take submissions, checked when it is made live
        (clean, go_live), when a version of its form is published while it is live, and when
        `routing import` changes a live service's routing: its form needs a destination a case
        can reach (a fallback, or an active rule's). A named manual-handling route counts: an
        e-mail to the team that handles the cases by hand is a destination like any other.
        Otherwise the resident is told the team will look at it while the case goes nowhere.
        """
        from services.models.routing import Destination, RoutingRuleSet

        if self.pk is None:
            return self._no_routing()
        destinations = Destination.objects.filter(rule_set__form__service=self)
        if destinations.filter(Q(rule__isnull=True) | Q(rule__is_active=True)).exists():
            return None
        if not RoutingRuleSet.objects.filter(form__service=self).exists():
            return self._no_routing()
        return gettext(
            "“%(service)s” cannot take submissions: its routing has no destination a case can "
            "reach (no fallback, and no active rule with one), so cases would go nowhere. Give "
            "it a fallback destination first: a back-office system, or an e-mail to the team "
            "that handles them by hand."
        ) % {"service": self}

    def _no_routing(self) -> str:
        return gettext(
            "“%(service)s” cannot take submissions: its form has no routing, so cases would go "
            "nowhere. Route it first (Routing rule sets): to a back-office system, or to an "
            "e-mail to the team that handles them by hand."
        ) % {"service": self}

    def clean(self) -> None:
        super().clean()
        if self.is_live:
            reason = self.unrouted_reason()
            if reason is not None:
                raise ValidationError({"is_live": reason})

    def go_live(self) -> None:
        """Make the service live; ValidationError saying why not if its cases would go nowhere."""
        reason = self.unrouted_reason()
        if reason is not None:
            raise ValidationError(reason)
        if not self.is_live:
            self.is_live = True
            self.save(update_fields=["is_live"])
