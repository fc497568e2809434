"""Admin for routing: connections to back-office systems, and each form's rules and destinations.

Everything is checked when saved, so a mistake shows on the field instead of failing at delivery:
- a connection's options with its adapter's own schema (Adapter.validate_config). Secret options
  are typed into their own box, stored encrypted and never shown again; leaving one out keeps the
  stored value.
- a rule's condition with validate_condition, and a destination's mapping with validate_mapping,
  both against the form's live version and the fields the connection's adapter declares.

"Preview payload" (a link on each rule set) maps a past submission for one destination and shows
the payload, or why it cannot be made. Nothing is sent. Seeing it is seeing a resident's answers,
so it needs services.view_submission and every view is logged for audit.
"""

from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from kombu.exceptions import KombuError

from integrations.registry import UnknownAdapter, registry
from services.audit import record_access
from services.delivery.alerts import absolute_url
from services.forms.schema import FormSchema, SchemaError
from services.models import (
    CaseUpdate,
    Connection,
    Destination,
    RoutingRule,
    RoutingRuleSet,
    StatusMapping,
    Submission,
)
from services.routing.conditions import validate_condition
from services.routing.connection_check import check_connection
from services.routing.connections import ConnectionOptionsInvalid, apply_connection_options
from services.routing.mapping import (
    validate_mapping,
)
from services.routing.preview import preview_payload
from services.updates.poll import why_not_pollable
from services.updates.tasks import NotPollable, poll_now

# --- connections --------------------------------------------------------------------------------


class ConnectionForm(forms.ModelForm):
    adapter = forms.ChoiceField(label=_("adapter"))
    config = forms.JSONField(
        label=_("options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        help_text=_("The adapter's options as JSON, without secrets."),
    )
    secret_options = forms.JSONField(
        label=_("secret options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_(
            'New values only, as JSON, e.g. {"api_key": "..."}. Stored encrypted and never '
            "shown again; a secret left out or blank keeps its stored value."
        ),
    )

    new_callback_secret = forms.CharField(
        label=_("new callback secret"),
        required=False,
        min_length=32,
        max_length=200,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "The back office signs callbacks with it (or sends it as a bearer token). At least "
            "32 characters; stored encrypted and never shown again; leave blank to keep it."
        ),
    )

    class Meta:
        model = Connection
        fields = (
            "name",
            "slug",
            "adapter",
            "config",
            "owner_email",
            "is_active",
            "max_concurrency",
            "attempt_budget",
            "alert_after",
            "callback_auth",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "callback_auth" not in self.fields:
            # Someone who may only view connections: the admin leaves every model field out
            # (it shows them read-only) and keeps only the form's own fields, unused.
            return
        self.fields["callback_auth"].required = False  # left out: HMAC, the model's default
        # The registry may change (tests replace it), so its choices are read per form.
        cast(forms.ChoiceField, self.fields["adapter"]).choices = registry.choices()
        adapter_class = self.instance.adapter_class if self.instance.pk else None
        if adapter_class is not None:
            stored = sorted(self.instance.secrets or {})
            names = sorted(adapter_class.secret_option_names())
            self.fields["secret_options"].help_text = format_html(
                "{}<br>{}: {}. {}: {}.",
                self.fields["secret_options"].help_text,
                _("Secret options of this adapter"),
                ", ".join(names) or "-",
                _("Set now"),
                ", ".join(stored) or "-",
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        adapter_id = cleaned.get("adapter")
        if not adapter_id:
            return cleaned
        try:
            adapter_class = registry.get(adapter_id)
        except UnknownAdapter:
            self.add_error("adapter", _("There is no adapter called “%s”.") % adapter_id)
            return cleaned
        options = cleaned.get("config")
        options = {} if options is None else options
        new_secrets = cleaned.get("secret_options")
        new_secrets = {} if new_secrets is None else new_secrets
        if not isinstance(options, dict):
            self.add_error("config", _('Options must be a JSON object, like {"url": "..."}.'))
            return cleaned
        if not isinstance(new_secrets, dict):
            self.add_error("secret_options", _("Secret options must be a JSON object."))
            return cleaned
        if self.errors:
            return cleaned
        try:
            apply_connection_options(self.instance, adapter_class, options, new_secrets)
        except ConnectionOptionsInvalid as invalid:
            for problem in invalid.problems:
                self.add_error("secret_options" if problem.secret else "config", str(problem))
            return cleaned
        # The form saves the config it cleaned: give it the stored (checked, defaulted) one.
        cleaned["config"] = self.instance.config
        if not cleaned.get("callback_auth"):
            cleaned["callback_auth"] = Connection.CallbackAuth.HMAC
        if cleaned.get("new_callback_secret"):
            self.instance.callback_secret = cleaned["new_callback_secret"]
        return cleaned


class _KeptWhenLeftOut(BaseInlineFormSet):
    """A save that does not send this inline at all (a script, a page from before the inline
    existed) leaves the status mappings as they are, instead of failing the whole save."""

    def __init__(self, data: Any = None, files: Any = None, *args: Any, **kwargs: Any) -> None:
        prefix = kwargs.get("prefix") or self.get_default_prefix()
        self.left_out = data is not None and f"{prefix}-TOTAL_FORMS" not in data
        if self.left_out:
            data = files = None
        super().__init__(data, files, *args, **kwargs)

    def is_valid(self) -> bool:
        return True if self.left_out else super().is_valid()

    def save(self, commit: bool = True) -> list[Any]:
        if self.left_out:
            self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
            return []
        return super().save(commit)


class StatusMappingInline(admin.TabularInline):
    model = StatusMapping
    formset = _KeptWhenLeftOut
    extra = 0
    fields = ("external_status", "portal_status", "reopen", "description_en", "description_cy")


RECENT_UPDATES = 20


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    form = ConnectionForm
    list_display = ("name", "slug", "adapter", "is_active", "breaker_state", "owner_email")
    list_filter = ("adapter", "is_active", "breaker_state")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = (
        "test_connection",
        "check_for_updates",
        "breaker_state",
        "breaker_failures",
        "breaker_open_until",
        "last_success_at",
        "last_failure_at",
        "last_failure_message",
    )
    updates_fields = (
        "callback_url",
        "callback_auth",
        "callback_secret_set",
        "new_callback_secret",
        "updates_watermark",
        "unmapped_statuses",
        "recent_updates",
    )
    fieldsets = (
        (None, {"fields": ("name", "slug", "adapter", "owner_email", "is_active")}),
        (_("Options"), {"fields": ("config", "secret_options")}),
        (_("Protecting the back office"), {"fields": ("max_concurrency", "attempt_budget")}),
        (_("Alerts"), {"fields": ("alert_after",)}),
        (_("Health"), {"fields": readonly_fields}),
        (_("Status updates"), {"fields": updates_fields}),
    )
    inlines = (StatusMappingInline,)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if self.has_change_permission(request, obj):
            return self.fieldsets
        # Testing or polling a connection is a change's (their views); no button that refuses.
        buttons = ("test_connection", "check_for_updates")
        return tuple(
            (name, {**options, "fields": [f for f in options["fields"] if f not in buttons]})
            for name, options in self.fieldsets
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return (
            *self.readonly_fields,
            "callback_url",
            "callback_secret_set",
            "updates_watermark",
            "unmapped_statuses",
            "recent_updates",
        )

    # --- Status updates and health, shown ------------------------------------------------------

    @admin.display(description=_("test"))
    def test_connection(self, obj: Connection) -> str:
        if not obj.pk:
            return "-"
        # A button of the change form itself (its CSRF token goes with it) sent to another URL,
        # as a form may not hold a second form.
        return format_html(
            '<button type="submit" class="button" formaction="{}" formmethod="post" '
            'formnovalidate name="test_connection">{}</button>',
            reverse("admin:services_connection_test", args=[obj.pk]),
            _("Test connection"),
        )

    @admin.display(description=_("status updates"))
    def check_for_updates(self, obj: Connection) -> str:
        if not obj.pk or why_not_pollable(obj) is not None:
            return "-"
        # Like Test connection: a button of the change form, sent to its own URL.
        return format_html(
            '<button type="submit" class="button" formaction="{}" formmethod="post" '
            'formnovalidate name="check_for_updates">{}</button> {}',
            reverse("admin:services_connection_check_updates", args=[obj.pk]),
            _("Check for updates now"),
            _("(otherwise it is asked every five minutes)"),
        )

    @admin.display(description=_("callback URL"))
    def callback_url(self, obj: Connection) -> str:
        if not obj.slug:
            return "-"
        return format_html(
            "<code>POST {}</code> ({})",
            absolute_url(reverse("callback", args=[obj.slug])),
            obj.get_callback_auth_display(),
        )

    @admin.display(description=_("callback secret"))
    def callback_secret_set(self, obj: Connection) -> str:
        return str(_("Set") if obj.callback_secret else _("Not set: callbacks are refused"))

    @admin.display(description=_("back-office statuses with no mapping"))
    def unmapped_statuses(self, obj: Connection) -> str:
        if not obj.pk:
            return "-"
        mapped = {m.external_status.strip().casefold() for m in obj.status_mappings.all()}
        seen = (
            CaseUpdate.objects.filter(connection=obj, outcome=CaseUpdate.Outcome.UNKNOWN_STATUS)
            .values_list("external_status", flat=True)
            .distinct()
        )
        missing = sorted({s for s in seen if s.strip().casefold() not in mapped})
        return ", ".join(missing) or "-"

    @admin.display(description=_("recent updates"))
    def recent_updates(self, obj: Connection) -> str:
        if not obj.pk:
            return "-"
        updates = list(
            CaseUpdate.objects.filter(connection=obj)
            .select_related("submission")
            .order_by("-received_at", "-pk")[:RECENT_UPDATES]
        )
        if not updates:
            return str(_("None received yet."))
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td><a href='{}'>{}</a></td><td>{}</td><td>{}</td><td>{}</td>"
            "<td>{}</td></tr>",
            (
                (
                    u.received_at.strftime("%Y-%m-%d %H:%M:%S"),
                    reverse("admin:services_submission_change", args=[u.submission_id]),
                    u.submission.reference,
                    u.update_id,
                    u.external_status,
                    u.get_outcome_display(),
                    u.get_source_display(),
                )
                for u in updates
            ),
        )
        return format_html(
            '<table id="recent-updates"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>'
            "<th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("received"),
            _("submission"),
            _("update id"),
            _("back-office status"),
            _("outcome"),
            _("source"),
            rows,
        )

    # --- Test connection -----------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:pk>/test/",
                self.admin_site.admin_view(require_POST(self.test_connection_view)),
                name="services_connection_test",
            ),
            path(
                "<int:pk>/check-updates/",
                self.admin_site.admin_view(require_POST(self.check_updates_view)),
                name="services_connection_check_updates",
            ),
        ]
        return own + super().get_urls()

    # --- Check for updates now -----------------------------------------------------------------

    actions = ("check_for_updates_action",)

    def check_updates_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        connection = self.get_object(request, str(pk))
        if connection is None or not self.has_change_permission(request, connection):
            raise PermissionDenied
        self._poll_now(request, connection)
        return HttpResponseRedirect(reverse("admin:services_connection_change", args=[pk]))

    @admin.action(description=_("Check for updates now"), permissions=["change"])
    def check_for_updates_action(
        self, request: HttpRequest, queryset: QuerySet[Connection]
    ) -> None:
        for connection in queryset.order_by("name"):
            self._poll_now(request, connection)

    def _poll_now(self, request: HttpRequest, connection: Connection) -> None:
        try:
            poll_now(connection)
        except NotPollable as refused:
            messages.error(
                request,
                _("%(connection)s cannot be checked for updates: %(reason)s.")
                % {"connection": connection, "reason": refused},
            )
        except KombuError:
            messages.error(
                request,
                _(
                    "%(connection)s: the check could not be queued (the task queue did not "
                    "answer). The regular check still runs every five minutes."
                )
                % {"connection": connection},
            )
        else:
            messages.success(
                request,
                _(
                    "Checking %(connection)s for updates now: what it reports will be on its "
                    "cases in a minute or so."
                )
                % {"connection": connection},
            )

    def test_connection_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        connection = self.get_object(request, str(pk))
        if connection is None or not self.has_change_permission(request, connection):
            raise PermissionDenied
        back = reverse("admin:services_connection_change", args=[pk])
        outcome = check_connection(connection)
        if outcome.works:
            messages.success(request, outcome.message)
        else:
            messages.error(request, outcome.message)
        return HttpResponseRedirect(back)


# --- rule sets ----------------------------------------------------------------------------------


def live_schema(rule_set: RoutingRuleSet) -> FormSchema | None:
    """The schema of the rule set's form's live version (cached on the instance), or None."""
    cached: FormSchema | None
    if hasattr(rule_set, "_live_schema"):
        return cast(FormSchema | None, rule_set._live_schema)
    version = rule_set.form.live_version if rule_set.form_id else None
    try:
        cached = version.parsed if version is not None else None
    except SchemaError:
        cached = None
    setattr(rule_set, "_live_schema", cached)  # noqa: B010 (not a declared attribute)
    return cached


class _WithRuleSet(BaseInlineFormSet):
    """Gives each inline form the rule set being saved (not yet saved itself when new)."""

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "rule_set": self.instance}


class RoutingRuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = ("order", "name", "condition", "is_active")
        widgets = {"condition": forms.Textarea(attrs={"rows": 4, "cols": 70})}

    def __init__(self, *args: Any, rule_set: RoutingRuleSet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rule_set = rule_set

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("condition") is None and "condition" not in self.errors:
            cleaned["condition"] = {}
        if self.rule_set is None or not self.rule_set.form_id or "condition" in self.errors:
            return cleaned
        schema = live_schema(self.rule_set)
        for problem in validate_condition(
            cleaned["condition"], schema, name=cleaned.get("name") or ""
        ):
            self.add_error("condition", problem)
        return cleaned


class DestinationForm(forms.ModelForm):
    class Meta:
        model = Destination
        fields = ("name", "rule", "connection", "mapping")
        widgets = {"mapping": forms.Textarea(attrs={"rows": 8, "cols": 70})}

    def __init__(self, *args: Any, rule_set: RoutingRuleSet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rule_set = rule_set
        rule_field = self.fields["rule"]
        if isinstance(rule_field, forms.ModelChoiceField):
            rule_field.queryset = (
                RoutingRule.objects.filter(rule_set=rule_set)
                if rule_set is not None and rule_set.pk
                else RoutingRule.objects.none()
            )
            rule_field.empty_label = str(_("(fallback: when no rule matches)"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        connection = cleaned.get("connection")
        if (
            self.rule_set is None
            or not self.rule_set.form_id
            or connection is None
            or "mapping" in self.errors
        ):
            return cleaned
        problems = validate_mapping(
            cleaned.get("mapping"),
            adapter_class=connection.adapter_class,
            schema=live_schema(self.rule_set),
        )
        for problem in problems:
            self.add_error("mapping", problem)
        return cleaned


class RoutingRuleInline(admin.StackedInline):
    model = RoutingRule
    form = RoutingRuleForm
    formset = _WithRuleSet
    extra = 0
    fields = ("order", "name", "condition", "is_active")


class DestinationInline(admin.StackedInline):
    model = Destination
    form = DestinationForm
    formset = _WithRuleSet
    extra = 0
    fields = ("name", "rule", "connection", "mapping")
    autocomplete_fields = ()


@admin.register(RoutingRuleSet)
class RoutingRuleSetAdmin(admin.ModelAdmin):
    list_display = ("form", "mode", "updated_at")
    list_select_related = ("form__service",)
    fields = ("form", "mode", "payload_preview")
    readonly_fields = ("payload_preview",)
    inlines = (RoutingRuleInline, DestinationInline)

    @admin.display(description=_("preview"))
    def payload_preview(self, obj: RoutingRuleSet) -> str:
        if not obj.pk:
            return "-"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:services_routingruleset_preview_payload", args=[obj.pk]),
            _("Preview the payload of a past submission (nothing is sent)"),
        )

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:pk>/preview-payload/",
                self.admin_site.admin_view(self.preview_payload_view),
                name="services_routingruleset_preview_payload",
            )
        ]
        return own + super().get_urls()

    def preview_payload_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        rule_set = self.get_object(request, str(pk))
        if rule_set is None or not self.has_view_or_change_permission(request, rule_set):
            raise PermissionDenied
        if not request.user.has_perm("services.view_submission"):
            raise PermissionDenied
        destinations = list(rule_set.destinations.select_related("connection"))
        form = PreviewForm(request.GET or None, destinations=destinations)
        result: dict[str, Any] = {}
        if form.is_valid():
            destination = form.cleaned_data["destination"]
            reference = form.cleaned_data["reference"]
            result = preview_payload(destination, reference)
            if "submission_id" in result:
                # A mapped payload is a resident's answers: record who looked.
                record_access(
                    request.user,
                    where="admin:payload_preview",
                    submission=Submission.objects.get(pk=result["submission_id"]),
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Preview payload: %s") % rule_set,
            "opts": self.model._meta,
            "original": rule_set,
            "preview_form": form,
            "result": result,
            "payload_json": (
                json.dumps(result["payload"], indent=2, ensure_ascii=False, cls=DjangoJSONEncoder)
                if "payload" in result
                else ""
            ),
        }
        return TemplateResponse(
            request, "admin/services/routingruleset/preview_payload.html", context
        )


class PreviewForm(forms.Form):
    destination = forms.TypedChoiceField(label=_("Destination"), coerce=int)
    reference = forms.CharField(label=_("Submission reference"), max_length=40)

    def __init__(self, *args: Any, destinations: list[Destination], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.destinations = {d.pk: d for d in destinations}
        cast(forms.ChoiceField, self.fields["destination"]).choices = [
            (d.pk, f"{d.name} ({d.connection})") for d in destinations
        ]

    def clean_destination(self) -> Destination:
        return self.destinations[self.cleaned_data["destination"]]

    def clean_reference(self) -> str:
        return str(self.cleaned_data["reference"]).strip().upper()
