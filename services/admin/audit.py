"""The access log in the admin: read-only, for system admins to answer "who saw this?"."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from services.audit_search import file_seen
from services.models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin[AccessLog]):
    list_display = ("at", "actor", "where", "submission", "subject")
    list_filter = ("where",)
    search_fields = ("actor__email", "submission__reference", "subject__email")
    date_hierarchy = "at"
    list_select_related = ("actor", "submission", "subject")
    readonly_fields = ("at", "actor", "where", "submission", "subject", "file_downloaded", "reason")
    fields = readonly_fields

    @admin.display(description=_("file"))
    def file_downloaded(self, entry: AccessLog) -> str:
        # As the audit log words it (services/audit_search.py), not the raw copies it keeps.
        seen = file_seen(entry)
        return "" if seen is None else str(seen)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
