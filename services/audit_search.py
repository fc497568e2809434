"""Searching the access log: "who saw this person's data?" (a subject access request) and
"what did this staff member look at?", on screen and as a CSV file.

Recording access is `services.audit`; this module only reads the log, and says who may.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from integrations.spreadsheet import spreadsheet_safe
from services.audit import record_audit_read
from services.models import AccessLog, Submission
from services.staff.search import text_condition

# The one permission that opens the audit log: the data protection officer's role, and system
# admins', who can read the same log in the Django admin (portal/accounts/roles.py).
SEARCH_ACCESS_LOG = "services.view_accesslog"

# AccessLog.where -> what the person was looking at, in words. A place not listed here (one
# added later) is shown by its code rather than hidden.
PLACES: dict[str, str | Promise] = {
    "staff:search": _("Case search results"),
    "staff:case": _("Case details"),
    "staff:timeline": _("Case timeline"),
    "staff:attachment": _("File downloaded"),
    "staff:reason": _("Reason given to open a case"),
    "staff:residents": _("Resident search results"),
    "staff:resident": _("Resident details"),
    "staff:assist_residents": _("Resident search, to submit a form for them"),
    "staff:assist_resident_picked": _("Resident chosen, to submit a form for them"),
    "staff:assist_sent": _("Form submitted for a resident"),
    "staff:audit_search": _("Audit log search"),
    "staff:audit_export": _("Audit log export"),
    "admin:submission": _("Submission in the admin"),
    "admin:submission_file": _("File downloaded in the admin"),
    "admin:payload_preview": _("Payload preview in the admin"),
    "admin:user": _("Person in the admin"),
    "admin:emailaddress": _("A person's e-mail addresses in the admin"),
    "admin:authenticator": _("A person's second factors in the admin"),
    "admin:usersession": _("A person's sign-in sessions in the admin"),
}

CSV_HEADER = (
    _("When"),
    _("Staff member"),
    _("Staff e-mail address"),
    _("What was seen"),
    _("Place code"),
    _("Case reference"),
    _("Service"),
    _("File"),
    _("File name"),
    _("Resident"),
    _("Resident e-mail address"),
    _("Reason"),
)


def may_search_access_log(user: Any) -> bool:
    """Whether this person may open the audit log. Council staff only: they are the people held
    to MFA (portal/accounts/middleware.py), so nobody reads the log on a password alone."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.has_perm(SEARCH_ACCESS_LOG)  # cached on the user: asked first, costs nothing
        and user.is_council_staff
    )


def place_label(where: str) -> str:
    return str(PLACES.get(where, where))


@dataclass(frozen=True)
class AuditQuery:
    person: str = ""  # a resident's e-mail address, name, or a case reference
    staff: str = ""  # a staff member's e-mail address or name
    seen_from: dt.date | None = None
    seen_to: dt.date | None = None


def person_condition(text: str) -> Q:
    """Entries about this person: their cases (found as the case search finds them, by
    reference, e-mail, name, phone or address) and views of their account."""
    text = text.strip()
    if not text:
        return Q()
    cases = Submission.objects.filter(text_condition(text)).values("pk")
    accounts = Q(subject__email__iexact=text) | Q(subject__full_name__icontains=text)
    return Q(submission__in=cases) | accounts


def staff_condition(text: str) -> Q:
    text = text.strip()
    if not text:
        return Q()
    return Q(actor__email__iexact=text) | Q(actor__full_name__icontains=text)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def search_access_log(
    query: AuditQuery, *, before: dt.datetime | None = None
) -> QuerySet[AccessLog]:
    """The matching entries, newest first; `before` leaves out what was written since (the
    search's own entries). The dates are whole local days, compared as a range on the
    indexed `at` rather than as a date of it."""
    entries = AccessLog.objects.filter(person_condition(query.person), staff_condition(query.staff))
    if query.seen_from is not None:
        entries = entries.filter(at__gte=_start_of(query.seen_from))
    if query.seen_to is not None:
        entries = entries.filter(at__lt=_start_of(query.seen_to + dt.timedelta(days=1)))
    if before is not None:
        entries = entries.filter(at__lt=before)
    return entries.select_related(
        "actor", "subject", "submission__service", "submission__user", "file"
    ).order_by("-at", "-id")


def record_search(actor: Any, entries: Iterable[AccessLog], *, where: str) -> None:
    """Reading the log about people is itself a view of their data: one row per case or person
    the entries were about."""
    record_audit_read(actor, {(e.submission_id, e.subject_id) for e in entries}, where=where)


def record_export(actor: Any, entries: QuerySet[AccessLog]) -> None:
    """As record_search, for every entry an export holds (read as distinct pairs, not rows)."""
    pairs = entries.order_by().values_list("submission_id", "subject_id").distinct()
    record_audit_read(actor, pairs.iterator(chunk_size=2000), where="staff:audit_export")


def resident_of(entry: AccessLog) -> tuple[str, str]:
    """(name, e-mail) of the resident an entry is about: the account viewed, else the case's
    resident, else the e-mail a guest gave."""
    person = entry.subject or (entry.submission.user if entry.submission else None)
    if person is not None:
        return person.full_name, person.email
    return "", entry.submission.contact_email if entry.submission else ""


@dataclass(frozen=True)
class FileSeen:
    """The file a download entry names: which of the case's files it was (`place`) and the
    resident's `name` for it while the file is kept ("" once retention deleted it, `gone`)."""

    place: str
    name: str
    gone: bool

    def __str__(self) -> str:
        """One line, as the audit log page and the admin show it."""
        if self.gone:
            return f"{self.place}. {_('Since deleted')}"
        return f"{self.place}: {self.name}"


def file_seen(entry: AccessLog) -> FileSeen | None:
    """The file an entry names; None for an entry that names none (a page seen, or a download
    recorded before downloads named their file). The officer reading the log may see the name:
    answering a subject access request is their job."""
    if not entry.file_question:
        return None
    place = _("“%(question)s”, file %(number)s of %(count)s") % {
        "question": entry.file_question,
        "number": entry.file_number,
        "count": entry.file_count,
    }
    kept = entry.file
    return FileSeen(place=str(place), name=kept.name if kept else "", gone=kept is None)


def csv_rows(entries: QuerySet[AccessLog]) -> Iterator[list[str]]:
    """The header, then one row per entry, read in chunks so a large export never sits in
    memory whole; every cell made safe to open in a spreadsheet."""
    yield [str(title) for title in CSV_HEADER]
    for entry in entries.iterator(chunk_size=2000):
        name, email = resident_of(entry)
        submission = entry.submission
        file = file_seen(entry)
        cells = [
            timezone.localtime(entry.at).isoformat(timespec="seconds"),
            entry.actor.full_name,
            entry.actor.email,
            place_label(entry.where),
            entry.where,
            submission.reference if submission else "",
            submission.service.name if submission else "",
            file.place if file else "",
            _file_name_cell(file),
            name,
            email,
            entry.reason,
        ]
        yield [spreadsheet_safe(cell) for cell in cells]


def _file_name_cell(file: FileSeen | None) -> str:
    if file is None:
        return ""
    return str(_("Since deleted")) if file.gone else file.name
