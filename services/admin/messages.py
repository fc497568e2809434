"""The message outbox in the admin: every e-mail the portal sends, with its state, read-only.

A failed message is listed here (filter by state) with the reason the mail server gave. The
address and the words are not shown: they are a resident's, and the kind says what it was for.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from services.models import OutgoingMessage


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(admin.ModelAdmin[OutgoingMessage]):
    # What an admin looks for first (what, how it stands, why) before the timings.
    list_display = (
        "kind",
        "state",
        "last_error",
        "attempts",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "delivery_status",
        "channel",
    )
    list_display_links = ("kind",)
    list_filter = ("state", "delivery_status", "channel", "kind")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    fields = (
        "kind",
        "channel",
        "language",
        "state",
        "attempts",
        "created_at",
        "next_attempt_at",
        "lease_expires_at",
        "sent_at",
        "last_error",
        "message_id",
        "delivery_status",
        "delivery_status_at",
        "provider_id",
        "template_id",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
