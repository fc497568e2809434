"""The service catalogue: topics and the services residents can use.

Text fields are translated with django-modeltranslation (services/translation.py), which adds
`name_en`, `name_cy`, ... columns; reading `service.name` gives the active language, falling
back to English.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _
from modeltranslation.manager import MultilingualManager

if TYPE_CHECKING:
    from services.models.forms import FormVersion


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
    order = models.PositiveIntegerField(_("order"), default=0)

    objects = MultilingualManager["Service"]()

    class Meta:
        ordering = ("topic__order", "order", "name")
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name

    @property
    def live_version(self) -> FormVersion | None:
        """The form version residents fill in now, or None if the service has no live form."""
        form = getattr(self, "form", None)
        return form.live_version if form is not None else None
