"""What the staff workspace searches: one row per submission, its findable facts normalised.

A case's people and places are spread over its answers (whose question ids differ by form) and
the resident's account; searching them there would mean parsing JSON per row. This row holds
them in the shape a search box is compared with, written by `services.staff.index` when the
submission is saved, so the search is an indexed lookup (trigram indexes on PostgreSQL).
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Func, Value
from django.utils.translation import gettext_lazy as _

from services.models.submissions import Submission


def email_list(field: str = "emails") -> Func:
    """The e-mail addresses column as an array (PostgreSQL), so that "is this one of them?" is
    answered from a GIN index of whole addresses. Their trigrams cannot answer it quickly: every
    address at a common domain shares the domain's trigrams."""
    return Func(
        F(field),
        Value(" "),
        function="string_to_array",
        output_field=ArrayField(models.TextField()),
    )


class CaseIndex(models.Model):
    submission = models.OneToOneField(
        Submission,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_index",
        verbose_name=_("submission"),
    )
    # Lower case, space separated; each list holds every value the case carries.
    names = models.TextField(_("names"), blank=True)
    emails = models.TextField(_("e-mail addresses"), blank=True)
    # E.164 (+447700900982), space separated: any UK way of typing a number normalises to it.
    phones = models.TextField(_("phone numbers"), blank=True)
    # Upper case without spaces ("SW1A1AA"), space separated.
    postcodes = models.TextField(_("postcodes"), blank=True)
    uprns = models.TextField(_("UPRNs"), blank=True)
    # Address lines and towns, lower case.
    addresses = models.TextField(_("addresses"), blank=True)

    class Meta:
        verbose_name = _("case search entry")
        verbose_name_plural = _("case search entries")
        indexes = [
            # Each column is stored in one case, so the search uses `contains` (a plain LIKE)
            # on a lower- or upper-cased query, which these indexes serve.
            GinIndex(OpClass("names", name="gin_trgm_ops"), name="caseindex_names_trgm"),
            GinIndex(OpClass("emails", name="gin_trgm_ops"), name="caseindex_emails_trgm"),
            GinIndex(OpClass("phones", name="gin_trgm_ops"), name="caseindex_phones_trgm"),
            GinIndex(OpClass("postcodes", name="gin_trgm_ops"), name="caseindex_postcodes_trgm"),
            GinIndex(OpClass("uprns", name="gin_trgm_ops"), name="caseindex_uprns_trgm"),
            GinIndex(OpClass("addresses", name="gin_trgm_ops"), name="caseindex_addresses_trgm"),
            GinIndex(email_list(), name="caseindex_email_list"),
        ]

    def __str__(self) -> str:
        return str(self.submission_id)
