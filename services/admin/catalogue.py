"""Admin for the catalogue and form versions.

Admins edit a draft's schema as JSON; it is checked with parse_schema on save and every problem
is shown naming the page and question. Live and archived versions are read-only: to change a
form, use "Create new draft from this version", edit the draft, then "Publish".

Every version has a "Preview" (a column in the list, a button on its page) showing the form as a
resident would see it. The preview renders with the journey's own templates, so it is the
portal's (portal/journey/preview.py, routed in portal/urls.py under /admin/services/formversion/
<id>/preview/): services must not import portal (portal → services → integrations), so this
module only links to it by URL name, and shows no link where that URL is not installed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from services.catalogue import publish_version
from services.forms.schema import SchemaError
from services.models import Form, FormVersion, Service, Topic
from services.models.forms import VersionStateError

# The name portal/urls.py gives the preview (portal.journey.preview.PREVIEW_URL_NAME).
PREVIEW_URL_NAME = "admin_formversion_preview"


def preview_url(version: FormVersion) -> str | None:
    """The preview of `version`, or None where the portal's preview is not installed."""
    try:
        return reverse(PREVIEW_URL_NAME, args=[version.pk])
    except NoReverseMatch:
        return None


@admin.register(Topic)
class TopicAdmin(TranslationAdmin):
    list_display = ("name", "slug", "order")
    prepopulated_fields = {"slug": ("name_en",)}


@admin.register(Service)
class ServiceAdmin(TranslationAdmin):
    list_display = ("name", "topic", "is_live", "allow_guests", "target_working_days", "order")
    list_filter = ("topic", "is_live", "allow_guests")
    search_fields = ("name_en", "name_cy", "slug")
    prepopulated_fields = {"slug": ("name_en",)}


class FormVersionInline(admin.TabularInline):
    model = FormVersion
    fields = ("number", "status", "published_at", "created_by", "created_at")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Form)
class FormAdmin(admin.ModelAdmin):
    list_display = ("service", "created_at")
    search_fields = ("service__name_en",)
    inlines = (FormVersionInline,)


class FormVersionForm(forms.ModelForm):
    """The schema is checked by FormVersion.clean(), which names every bad page and question."""

    class Meta:
        model = FormVersion
        fields = ("form", "schema")


@admin.register(FormVersion)
class FormVersionAdmin(admin.ModelAdmin):
    form = FormVersionForm
    list_display = ("form", "number", "status", "published_at", "created_by", "preview_link")
    list_filter = ("status",)
    search_fields = ("form__service__name_en",)
    actions = ("publish", "archive", "new_draft")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        base = ("number", "status", "created_at", "published_at", "created_by")
        if obj is not None and obj.is_locked:
            return (*base, "form", "schema")
        if obj is not None:
            return (*base, "form")
        return base

    @admin.display(description=_("Preview"))
    def preview_link(self, obj: FormVersion) -> str:
        url = preview_url(obj)
        return format_html('<a href="{}">{}</a>', url, _("Preview")) if url else "-"

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # templates/admin/services/formversion/change_form.html shows it beside "History".
        version = self.get_object(request, object_id)
        extra = {"preview_url": preview_url(version) if version is not None else None}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def save_model(self, request: HttpRequest, obj: FormVersion, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Publish (make live, archiving the current live version)"))
    def publish(self, request: HttpRequest, queryset: QuerySet[FormVersion]) -> None:
        for version in queryset:
            try:
                publish_version(version)
            except SchemaError as exc:
                self.message_user(request, f"{version}: {'; '.join(exc.errors)}", messages.ERROR)
            except VersionStateError as exc:
                # A refused draft has every reason listed (PublishRefused): show each one.
                for problem in exc.messages:
                    self.message_user(request, f"{version}: {problem}", messages.ERROR)
            else:
                self.message_user(request, _("%s is now live.") % version, messages.SUCCESS)

    @admin.action(description=_("Archive"))
    def archive(self, request: HttpRequest, queryset: QuerySet[FormVersion]) -> None:
        for version in queryset:
            try:
                version.archive()
            except VersionStateError as exc:
                self.message_user(request, f"{version}: {exc.messages[0]}", messages.ERROR)
            else:
                self.message_user(request, _("%s is archived.") % version, messages.SUCCESS)

    @admin.action(description=_("Create new draft from this version"))
    def new_draft(self, request: HttpRequest, queryset: QuerySet[FormVersion]) -> None:
        for version in queryset:
            draft = FormVersion.new_draft_from(version, created_by=request.user)
            self.message_user(request, _("Created %s.") % draft, messages.SUCCESS)
