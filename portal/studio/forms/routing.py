"""The routing editor's forms: a rule (name, on/off, how its conditions combine, destinations),
the rule set's mode and fallback, and deleting a rule.

Destinations are chosen from connections (services/routing/editing.py makes the Destination rows).
Each form that can leave a live service unrouted has `leave_unrouted`: the view shows it, with the
reason as its error, only when services.routing.editing said the change would.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from services.models import Connection, RoutingRule, RoutingRuleSet
from services.routing.condition_parts import ALL, ANY


class ConnectionChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        connection = cast(Connection, obj)
        return connection.name if connection.is_active else f"{connection.name} ({_('not active')})"


def _connections_field(label: Any, help_text: Any) -> ConnectionChoices:
    return ConnectionChoices(
        label=label,
        help_text=help_text,
        queryset=Connection.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class UnroutedConfirmation(forms.Form):
    """Adds the "leave it unrouted" box a view shows when the change would leave it so."""

    leave_unrouted = forms.BooleanField(
        label=_("Save anyway: I understand its cases will go nowhere until it is routed"),
        required=False,
    )

    def would_leave_unrouted(self, reason: str) -> None:
        self.add_error("leave_unrouted", reason)
        self.asks_to_confirm = True

    asks_to_confirm = False


class RuleForm(UnroutedConfirmation):
    name = forms.CharField(
        label=_("Rule name"),
        max_length=RoutingRule._meta.get_field("name").max_length,
        help_text=_("People see it in routing decisions, e.g. “Garden waste”."),
        error_messages={"required": _("Enter a name for the rule")},
    )
    is_active = forms.BooleanField(
        label=_("The rule is switched on"),
        required=False,
        help_text=_("A rule that is switched off is skipped."),
    )
    match = forms.ChoiceField(
        label=_("When the rule has more than one condition, it matches when"),
        choices=[(ALL, _("all of them hold")), (ANY, _("any one of them holds"))],
        initial=ALL,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the conditions combine")},
    )
    destinations = _connections_field(
        _("Send matching submissions to"),
        _("Each back-office system chosen gets a copy. Choose none to stop on this rule."),
    )

    def __init__(
        self,
        *args: Any,
        rule_set: RoutingRuleSet | None,
        rule: RoutingRule | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rule_set = rule_set
        self.rule = rule

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        others = RoutingRule.objects.filter(rule_set=self.rule_set, name=name)
        if self.rule is not None:
            others = others.exclude(pk=self.rule.pk)
        if self.rule_set is not None and others.exists():
            raise forms.ValidationError(_("Another rule of this form is called “%s”") % name)
        return name


class RoutingSettingsForm(UnroutedConfirmation):
    mode = forms.ChoiceField(
        label=_("Which rules are used"),
        choices=RoutingRuleSet.Mode.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "First matching rule only: the rules are tried in order and the first that matches "
            "decides. Every matching rule: each one that matches adds its destinations."
        ),
        error_messages={"required": _("Choose which rules are used")},
    )
    fallback = _connections_field(
        _("When no rule matches, send to"),
        _("The fallback. Without one, a submission no rule matches goes nowhere."),
    )


class DeleteRuleForm(UnroutedConfirmation):
    """Only the confirmation box: deleting is the button."""
