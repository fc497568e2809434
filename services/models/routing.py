"""Where submissions go: connections to back-office systems, and each form's routing rules.

A Connection is one configured adapter (a council's waste system, its CRM). A form's
RoutingRuleSet holds ordered RoutingRules, each with a condition and one or more Destinations (a
connection plus a field mapping); a fallback destination (rule = None) takes what no rule matched.
The decision itself is a pure function (services/routing/decide.py) and is recorded on the
submission.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField, EncryptedJSONField

from integrations.registry import UnknownAdapter, registry
from services.models.forms import Form

if TYPE_CHECKING:
    from integrations.base import Adapter


def validate_adapter_id(value: str) -> None:
    if value not in registry:
        raise ValidationError(_("There is no adapter called “%(value)s”."), params={"value": value})


# Slugs whose /callbacks/<slug>/ address the portal keeps for a receiver of its own (portal/urls.py
# routes these before the connections' callbacks): a connection given one would never hear from
# its back office. The admin, the studio and `routing import` all refuse them through the field.
RESERVED_CONNECTION_SLUGS = frozenset({"notify"})


def validate_connection_slug(value: str) -> None:
    if value in RESERVED_CONNECTION_SLUGS:
        raise ValidationError(
            _(
                "The short name “%(value)s” is kept for GOV.UK Notify’s delivery receipts "
                "(/callbacks/%(value)s/): choose another"
            ),
            code="reserved",
            params={"value": value},
        )


class Connection(models.Model):
    """One back-office system the portal sends to, through one adapter with its options."""

    class Breaker(models.TextChoices):
        CLOSED = "closed", _("Closed (sending)")
        OPEN = "open", _("Open (paused after failures)")
        HALF_OPEN = "half_open", _("Half-open (trying one)")

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(
        _("slug"), max_length=100, unique=True, validators=[validate_connection_slug]
    )
    adapter = models.CharField(_("adapter"), max_length=50, validators=[validate_adapter_id])
    # Options that are not secret; secrets live encrypted and are never shown again.
    config = models.JSONField(_("options"), default=dict, blank=True)
    secrets = EncryptedJSONField(_("secret options"), default=dict, blank=True)
    owner_email = models.EmailField(
        _("owner's e-mail address"), help_text=_("Told when deliveries fail or wait too long.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    # Protecting the back office.
    max_concurrency = models.PositiveSmallIntegerField(
        _("deliveries at once"), default=4, help_text=_("At most this many calls in flight.")
    )
    attempt_budget = models.DurationField(
        _("keep trying for"),
        default=timedelta(hours=24),
        help_text=_("A delivery that has failed for this long is given up and people are told."),
    )
    alert_after = models.DurationField(
        _("alert when waiting longer than"), default=timedelta(hours=1)
    )
    breaker_state = models.CharField(
        _("circuit breaker"), max_length=10, choices=Breaker.choices, default=Breaker.CLOSED
    )
    breaker_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    breaker_open_until = models.DateTimeField(_("paused until"), null=True, blank=True)

    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("last failure"), null=True, blank=True)
    last_failure_message = models.CharField(_("last failure"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # Status updates coming back (services/updates/apply.py): polling fetches those after the
    # watermark; a callback proves it comes from the back office with the callback secret.
    class CallbackAuth(models.TextChoices):
        HMAC = "hmac", _("HMAC-SHA256 signature with a timestamp")
        BEARER = "bearer", _("Bearer token")

    updates_watermark = models.DateTimeField(_("updates fetched up to"), null=True, blank=True)
    callback_auth = models.CharField(
        _("callback authentication"),
        max_length=10,
        choices=CallbackAuth.choices,
        default=CallbackAuth.HMAC,
    )
    # Empty: callbacks to this connection are refused. (The field stores "" as NULL.)
    callback_secret = EncryptedCharField(
        _("callback secret"), max_length=200, blank=True, null=True
    )

    class Meta:
        ordering = ("name",)
        verbose_name = _("connection")
        verbose_name_plural = _("connections")

    def __str__(self) -> str:
        return self.name

    @property
    def adapter_class(self) -> type[Adapter] | None:
        try:
            return registry.get(self.adapter)
        except UnknownAdapter:
            return None

    def build_adapter(self) -> Adapter:
        """The adapter with this connection's options and decrypted secrets."""
        return registry.get(self.adapter)({**self.config, **self.secrets})


class RoutingRuleSet(models.Model):
    """How one form's submissions are routed."""

    class Mode(models.TextChoices):
        FIRST_MATCH = "first_match", _("First matching rule only")
        ALL_MATCH = "all_match", _("Every matching rule")

    form = models.OneToOneField(
        Form, on_delete=models.CASCADE, related_name="routing", verbose_name=_("form")
    )
    mode = models.CharField(
        _("mode"), max_length=12, choices=Mode.choices, default=Mode.FIRST_MATCH
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    rules: models.Manager[RoutingRule]
    destinations: models.Manager[Destination]

    class Meta:
        verbose_name = _("routing rule set")
        verbose_name_plural = _("routing rule sets")

    def __str__(self) -> str:
        return f"Routing for {self.form}"


class RoutingRule(models.Model):
    """A condition and the destinations a matching submission goes to."""

    rule_set = models.ForeignKey(
        RoutingRuleSet, on_delete=models.CASCADE, related_name="rules", verbose_name=_("rule set")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=100)
    # The condition language is in services/routing/conditions.py; {} matches everything.
    condition = models.JSONField(_("condition"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    destinations: models.Manager[Destination]

    class Meta:
        ordering = ("rule_set", "order", "pk")
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.UniqueConstraint(fields=("rule_set", "name"), name="routingrule_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Destination(models.Model):
    """A connection plus the field mapping that turns a submission into its payload.

    With `rule` empty it is the rule set's fallback: it takes submissions no rule matched.
    """

    rule_set = models.ForeignKey(
        RoutingRuleSet,
        on_delete=models.CASCADE,
        related_name="destinations",
        verbose_name=_("rule set"),
    )
    rule = models.ForeignKey(
        RoutingRule,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="destinations",
        verbose_name=_("rule"),
        help_text=_("Leave empty for the fallback destination."),
    )
    name = models.CharField(_("name"), max_length=100)
    connection = models.ForeignKey(
        Connection,
        on_delete=models.PROTECT,
        related_name="destinations",
        verbose_name=_("connection"),
    )
    # The mapping language is in services/routing/mapping.py: target field <- source.
    mapping: models.JSONField[Any, Any] = models.JSONField(_("field mapping"), default=dict)

    class Meta:
        ordering = ("rule_set", "rule__order", "pk")
        verbose_name = _("destination")
        verbose_name_plural = _("destinations")
        constraints = [
            models.UniqueConstraint(
                fields=("rule_set", "name"), name="destination_unique_name_per_rule_set"
            )
        ]

    def __str__(self) -> str:
        return self.name
