"""A connection's statuses: each status its back office sends, the portal status it means, and
what residents are told (English and Welsh), as the admin's status mapping inline stores them.

One status per page: a status the back office already has (upper and lower case the same) is
refused beside the field, rather than by the database.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.studio.forms.question import TranslatedPair
from services.models import Connection, StatusMapping


class StatusMappingForm(forms.ModelForm):
    class Meta:
        model = StatusMapping
        fields = ("external_status", "portal_status", "reopen", "description_en", "description_cy")
        widgets = {"portal_status": forms.RadioSelect}
        labels = {
            "external_status": _("The back office’s status"),
            "portal_status": _("What it means in the portal"),
            "reopen": _("It may reopen a closed case"),
            "description_en": _("English"),
            "description_cy": _("Welsh"),
        }
        help_texts = {
            "external_status": _("Exactly as the back office sends it, like FIXED or 4."),
        }
        error_messages = {
            "external_status": {
                "required": _("Enter the status as the back office sends it"),
                "max_length": _("Enter a status of %(limit_value)d characters or fewer"),
            },
            "portal_status": {
                "required": _("Choose what the status means in the portal"),
                "invalid_choice": _("Choose a portal status from the list"),
            },
        }

    def __init__(self, *args: Any, connection: Connection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connection = connection
        self.instance.connection = connection
        self.fields["portal_status"].choices = StatusMapping._meta.get_field(  # type: ignore[attr-defined]
            "portal_status"
        ).choices

    def clean_external_status(self) -> str:
        status = str(self.cleaned_data["external_status"]).strip()
        taken = StatusMapping.objects.filter(
            connection=self.connection, external_status__iexact=status
        ).exclude(pk=self.instance.pk)
        if status and taken.exists():
            raise forms.ValidationError(
                _("The status “%(status)s” is mapped already: change it from the list"),
                params={"status": status},
            )
        return status

    def description_pair(self) -> TranslatedPair:
        return TranslatedPair(
            "description",
            str(_("What residents are told (optional)")),
            str(_("Plain language, like “Our crew has fixed the pothole”.")),
            self["description_en"],
            self["description_cy"],
        )
