"""The audit log's search: whose data, which staff member, which days (from the query string)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.staff.forms import DATE_FORMATS
from services.audit_search import AuditQuery
from services.forms.normalise import UnsafeTextError, clean_text

MAX_TEXT_LENGTH = 200


def _text_field(label: Any, hint: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        max_length=MAX_TEXT_LENGTH,
        required=False,
        error_messages={
            "max_length": _("Search for %(limit_value)d characters or fewer"),
            "null_characters_not_allowed": _("Remove the special characters from your search"),
        },
    )


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=_("For example, 27/3/2026"),
        input_formats=DATE_FORMATS,
        required=False,
        error_messages={"invalid": _("Enter a real date, like 27/3/2026")},
    )


class AuditSearchForm(forms.Form):
    person = _text_field(_("Resident"), _("Their e-mail address, name, or a case reference"))
    staff = _text_field(_("Staff member"), _("Their e-mail address or name"))
    seen_from = _date_field(_("Seen on or after"))
    seen_to = _date_field(_("Seen on or before"))

    def _clean_search_text(self, name: str) -> str:
        try:
            return clean_text(self.cleaned_data[name])
        except UnsafeTextError:
            raise forms.ValidationError(
                _("Remove the special characters from your search"), code="unsafe"
            ) from None

    def clean_person(self) -> str:
        return self._clean_search_text("person")

    def clean_staff(self) -> str:
        return self._clean_search_text("staff")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("seen_from"), cleaned.get("seen_to")
        if start and end and start > end:
            self.add_error(
                "seen_to", _("The ‘seen on or before’ date must be the same as or after the other")
            )
        return cleaned

    def query(self) -> AuditQuery:
        """The search as the domain reads it; only for a valid form."""
        data = self.cleaned_data
        return AuditQuery(
            person=data["person"],
            staff=data["staff"],
            seen_from=data["seen_from"],
            seen_to=data["seen_to"],
        )
