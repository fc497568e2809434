"""Admin for deliveries: the delivery dashboard, the outbox and its attempts, and each submission's
timeline from "submitted" through routing to every attempt and its outcome.

Who sees what (permissions given to the Service admin and System admin roles):
- services.view_delivery opens the dashboard, the deliveries and their attempts;
- services.change_delivery may act: retry now, cancel, mark resolved, re-run routing;
- services.view_submission opens a submission: its answers as the resident saw the questions,
  contact details, files and timeline (read by services/cases.py and services/delivery/
  timeline.py); every page seen is recorded in the access log. Its files are downloaded
  through the staff workspace (staff:case_attachment: the case scope, a reason where one is
  needed, an access-log row), so they are links only for those the workspace lets open the
  case, which among admins is system admins (portal/accounts/roles.py).

Deliveries, attempts and submissions are read-only here: they change only through the actions in
services/delivery/actions.py, which lock the row, check the transition and record who and why.
A refused action is shown as a message, never as an error page.

URLs (under the admin, so behind sign-in, MFA and CSRF):
  /admin/services/delivery/dashboard/                 the dashboard
  /admin/services/delivery/<id>/retry/  .../cancel/  .../resolve/   POST, `note`, `next`
  /admin/services/submission/<id>/rerun-routing/      POST, `note`
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from services.audit import record_access
from services.cases import AnswerRow, answer_rows, case_files, contact_details
from services.delivery import actions
from services.delivery.actions import ActionRefused
from services.delivery.dashboard import (
    LIST_LIMIT,
    connection_stats,
    failed_deliveries,
    failed_updates,
    stuck_deliveries,
    unrouted_submissions,
)
from services.delivery.timeline import timeline
from services.forms.schema import SchemaError
from services.models import Attempt, Delivery, Submission
from services.staff.scope import cases_visible_to

OPERATE_PERMISSION = "services.change_delivery"


class NoteForm(forms.Form):
    note = forms.CharField(required=False, max_length=actions.NOTE_MAX_LENGTH, strip=True)
    next = forms.CharField(required=False, max_length=500)


def _safe_next(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _operate_permission(request: HttpRequest) -> bool:
    return request.user.has_perm(OPERATE_PERMISSION)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that only change through domain functions: view, never add, edit or delete."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AttemptInline(admin.TabularInline):
    model = Attempt
    fields = (
        "number",
        "started_at",
        "duration_ms",
        "outcome",
        "status_code",
        "error_class",
        "excerpt",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    change_form_template = "admin/services/delivery/change_form.html"
    change_list_template = "admin/services/delivery/change_list.html"
    list_display = (
        "submission_reference",
        "connection",
        "destination",
        "routing_round",
        "state",
        "attempts",
        "created_at",
        "next_attempt_at",
        "external_reference",
        "short_error",
    )
    list_filter = ("state", "connection", "routing_round")
    search_fields = ("submission__reference", "external_reference")
    list_select_related = ("submission", "connection", "destination")
    date_hierarchy = "created_at"
    fields = (
        "submission_link",
        "destination",
        "connection",
        "routing_round",
        "state",
        "attempts",
        "created_at",
        "first_attempt_at",
        "next_attempt_at",
        "lease_expires_at",
        "delivered_at",
        "external_reference",
        "last_error",
        "alerted_at",
        "resolution_note",
        "resolved_by",
        "idempotency_key",
    )
    readonly_fields = fields
    inlines = (AttemptInline,)
    actions = ("retry_now_action", "cancel_action", "mark_resolved_action")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Delivery]:
        return (
            super()
            .get_queryset(request)
            .select_related("submission", "connection", "destination", "resolved_by")
        )

    def has_operate_permission(self, request: HttpRequest) -> bool:
        return _operate_permission(request)

    @admin.display(description=_("submission"), ordering="submission__reference")
    def submission_reference(self, obj: Delivery) -> str:
        return obj.submission.reference

    @admin.display(description=_("submission"))
    def submission_link(self, obj: Delivery) -> str:
        url = reverse("admin:services_submission_change", args=[obj.submission_id])
        return format_html('<a href="{}">{}</a> (timeline)', url, obj.submission.reference)

    @admin.display(description=_("last error"))
    def short_error(self, obj: Delivery) -> str:
        return obj.last_error[:80] + ("…" if len(obj.last_error) > 80 else "")

    # --- URLs ----------------------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
            return self.admin_site.admin_view(view)

        own = [
            path("dashboard/", wrap(self.dashboard_view), name="services_delivery_dashboard"),
            path("<int:pk>/retry/", wrap(self.retry_view), name="services_delivery_retry"),
            path("<int:pk>/cancel/", wrap(self.cancel_view), name="services_delivery_cancel"),
            path("<int:pk>/resolve/", wrap(self.resolve_view), name="services_delivery_resolve"),
        ]
        return own + super().get_urls()

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra = {"dashboard_url": reverse("admin:services_delivery_dashboard")}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra = {
            "can_operate": _operate_permission(request),
            "dashboard_url": reverse("admin:services_delivery_dashboard"),
        }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    # --- The dashboard -------------------------------------------------------------------------

    def dashboard_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        now = timezone.now()
        failed = failed_deliveries()
        updates = failed_updates()
        stuck = stuck_deliveries(now)
        unrouted = unrouted_submissions()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Delivery dashboard"),
            "opts": self.model._meta,
            "now": now,
            "stats": connection_stats(now),
            "failed": list(failed[:LIST_LIMIT]),
            "failed_count": failed.count(),
            "failed_updates": list(updates[:LIST_LIMIT]),
            "failed_updates_count": updates.count(),
            "stuck": list(stuck[:LIST_LIMIT]),
            "stuck_count": stuck.count(),
            "unrouted": list(unrouted[:LIST_LIMIT]),
            "unrouted_count": unrouted.count(),
            "list_limit": LIST_LIMIT,
            "can_operate": _operate_permission(request),
            "here": request.get_full_path(),
        }
        return TemplateResponse(request, "admin/services/delivery/dashboard.html", context)

    # --- One delivery's actions (POST) ---------------------------------------------------------

    def _act(
        self,
        request: HttpRequest,
        pk: int,
        do: Callable[[int, Any, str], Delivery],
        done: str,
    ) -> HttpResponse:
        if not _operate_permission(request):
            raise PermissionDenied
        fallback = reverse("admin:services_delivery_change", args=[pk])
        form = NoteForm(request.POST)
        if not form.is_valid():
            messages.error(
                request,
                _("The note must be %(n)d characters or fewer.") % {"n": actions.NOTE_MAX_LENGTH},
            )
            return redirect(_safe_next(request, fallback))
        try:
            delivery = do(pk, request.user, form.cleaned_data["note"])
        except ActionRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, done % {"delivery": delivery})
        return redirect(_safe_next(request, fallback))

    def retry_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return require_POST(self._retry)(request, pk)

    def cancel_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return require_POST(self._cancel)(request, pk)

    def resolve_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return require_POST(self._resolve)(request, pk)

    def _retry(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._act(request, pk, actions.retry_now, "%(delivery)s: queued to be sent now.")

    def _cancel(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._act(request, pk, actions.cancel, "%(delivery)s: cancelled.")

    def _resolve(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._act(request, pk, actions.mark_resolved, "%(delivery)s: marked as resolved.")

    # --- The same as admin actions on the list -------------------------------------------------

    def _bulk(
        self,
        request: HttpRequest,
        queryset: QuerySet[Delivery],
        do: Callable[[int, Any, str], Delivery],
        note: str,
        done: str,
    ) -> None:
        succeeded = 0
        for pk in queryset.values_list("pk", flat=True):
            try:
                do(pk, request.user, note)
            except ActionRefused as refused:
                self.message_user(request, f"#{pk}: {refused.message}", messages.ERROR)
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, done % {"n": succeeded}, messages.SUCCESS)

    def _ask_for_note(
        self, request: HttpRequest, queryset: QuerySet[Delivery], action: str, title: str
    ) -> HttpResponse | None:
        """The admin's confirmation step: a page asking for the note, then the action itself."""
        error: str = ""
        if request.POST.get("confirm") == "yes":
            note = request.POST.get("note", "").strip()
            if note and len(note) <= actions.NOTE_MAX_LENGTH:
                return None
            error = (
                "Enter a note saying why."
                if not note
                else f"The note must be {actions.NOTE_MAX_LENGTH} characters or fewer."
            )
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "deliveries": list(queryset.select_related("submission", "destination")),
            "action": action,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "error": error,
            "note": request.POST.get("note", ""),
        }
        return TemplateResponse(request, "admin/services/delivery/action_note.html", context)

    @admin.action(description=_("Retry now"), permissions=["operate"])
    def retry_now_action(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        self._bulk(request, queryset, actions.retry_now, "", "%(n)d queued to be sent now.")

    @admin.action(description=_("Cancel (with a note)"), permissions=["operate"])
    def cancel_action(
        self, request: HttpRequest, queryset: QuerySet[Delivery]
    ) -> HttpResponse | None:
        asked = self._ask_for_note(request, queryset, "cancel_action", str(_("Cancel deliveries")))
        if asked is not None:
            return asked
        note = request.POST["note"]
        self._bulk(request, queryset, actions.cancel, note, "%(n)d cancelled.")
        return None

    @admin.action(description=_("Mark resolved by hand (with a note)"), permissions=["operate"])
    def mark_resolved_action(
        self, request: HttpRequest, queryset: QuerySet[Delivery]
    ) -> HttpResponse | None:
        asked = self._ask_for_note(
            request, queryset, "mark_resolved_action", str(_("Mark deliveries resolved"))
        )
        if asked is not None:
            return asked
        note = request.POST["note"]
        self._bulk(request, queryset, actions.mark_resolved, note, "%(n)d marked as resolved.")
        return None


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = (
        "delivery",
        "number",
        "started_at",
        "duration_ms",
        "outcome",
        "status_code",
        "error_class",
    )
    list_filter = ("outcome", "delivery__connection")
    search_fields = ("delivery__submission__reference",)
    list_select_related = ("delivery__submission", "delivery__destination")
    fields = (
        "delivery",
        "number",
        "started_at",
        "duration_ms",
        "outcome",
        "status_code",
        "error_class",
        "excerpt",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Attempt]:
        return (
            super()
            .get_queryset(request)
            .select_related("delivery__submission", "delivery__destination")
        )


# --- Submissions and their timeline -------------------------------------------------------------


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    change_form_template = "admin/services/delivery/submission_change_form.html"
    list_display = ("reference", "service", "channel", "status", "routing_round", "created_at")
    list_filter = ("status", "channel", "service")
    # A caller gives their name, e-mail address or postcode more often than the reference. The
    # name and postcode are in the answers (or the account), so the answers' text is searched too;
    # a postcode's two halves are two words, each of which must match.
    search_fields = (
        "reference",
        "contact_email",
        "user__email",
        "user__full_name",
        "answers",
    )
    search_help_text = _("Reference, name, e-mail address or postcode.")
    list_select_related = ("service",)
    date_hierarchy = "created_at"
    # The answers, contact details and files are shown below the fields (services/cases.py);
    # every view of the page is recorded in the access log.
    fields = (
        "reference",
        "service",
        "form_version",
        "channel",
        "status",
        "language",
        "created_at",
        "routing_round",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Submission]:
        return (
            super()
            .get_queryset(request)
            .select_related("service", "form_version__form__service")
            .defer("answers")
        )

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:pk>/rerun-routing/",
                self.admin_site.admin_view(self.rerun_routing_view),
                name="services_submission_rerun_routing",
            ),
        ]
        return own + super().get_urls()

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        submission = self.get_object(request, object_id)
        extra: dict[str, Any] = {}
        if submission is not None and self.has_view_permission(request, submission):
            if request.method == "GET":
                # Seeing a submission is seeing a resident's case: record who looked, once per
                # page seen (a POST to this read-only page shows nothing and is refused).
                record_access(request.user, where="admin:submission", submission=submission)
            extra = {
                "timeline": timeline(submission),
                "can_operate": _operate_permission(request),
                "contact": contact_details(submission),
                "answers": _answers_or_none(submission),
                "files": case_files(submission),
                # Files download through the staff workspace, which checks and records it:
                # linked for those it lets open this case (system admins), named for others.
                "files_downloadable": cases_visible_to(request.user)
                .filter(pk=submission.pk)
                .exists(),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def rerun_routing_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return require_POST(self._rerun_routing)(request, pk)

    def _rerun_routing(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not _operate_permission(request):
            raise PermissionDenied
        back = reverse("admin:services_submission_change", args=[pk])
        form = NoteForm(request.POST)
        if not form.is_valid():
            messages.error(
                request,
                _("The note must be %(n)d characters or fewer.") % {"n": actions.NOTE_MAX_LENGTH},
            )
            return HttpResponseRedirect(back)
        try:
            result = actions.rerun_routing(pk, request.user, form.cleaned_data["note"])
        except ActionRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, result.summary())
        return HttpResponseRedirect(back)


def _answers_or_none(submission: Submission) -> list[AnswerRow] | None:
    """The answers as rows, or None when the form version's schema cannot be read."""
    try:
        return answer_rows(submission)
    except SchemaError:
        return None
