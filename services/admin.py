"""Admin for the catalogue and form versions.

Admins edit a draft's schema as JSON; it is checked with parse_schema on save and every problem
is shown naming the page and question. Live and archived versions are read-only: to change a
form, use "Create new draft from this version", edit the draft, then "Publish".
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from services.forms.schema import SchemaError
from services.models import Form, FormVersion, Service, Topic
from services.models.forms import VersionStateError


@admin.register(Topic)
class TopicAdmin(TranslationAdmin):
    list_display = ("name", "slug", "order")
    prepopulated_fields = {"slug": ("name_en",)}


@admin.register(Service)
class ServiceAdmin(TranslationAdmin):
    list_display = ("name", "topic", "is_live", "allow_guests", "order")
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
    list_display = ("form", "number", "status", "published_at", "created_by")
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

    def save_model(self, request: HttpRequest, obj: FormVersion, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Publish (make live, archiving the current live version)"))
    def publish(self, request: HttpRequest, queryset: QuerySet[FormVersion]) -> None:
        for version in queryset:
            try:
                version.publish()
            except SchemaError as exc:
                self.message_user(request, f"{version}: {'; '.join(exc.errors)}", messages.ERROR)
            except VersionStateError as exc:
                self.message_user(request, f"{version}: {exc.messages[0]}", messages.ERROR)
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
