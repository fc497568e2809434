"""Everything the portal holds about one resident, as one document: their profile, every request
they sent (answers, files, status history, the messages sent about it), their unfinished forms
and the messages sent to their account.

The document is built once (`collect`) and given three ways: as JSON, as a readable HTML page
and, with the files themselves, in a ZIP (`write_zip`). Every query starts from the resident, so
another person's data is never read; what staff write about a case (internal notes, logged calls,
a back office's notes) and who among staff did what are not in it: a resident asks the council
for those (a subject access request), where the data protection officer can see what to redact.

Files are in the ZIP, not linked: a link would need a resident download the portal does not
otherwise have, and would stop working when retention deleted the file. The ZIP of a resident
with more than DATA_EXPORT_INLINE_MAX_SUBMISSIONS requests or DATA_EXPORT_INLINE_MAX_BYTES of
files is built by a worker (`prepare`) and kept DATA_EXPORT_KEEP_DAYS for them to download.
"""

from __future__ import annotations

import json
import re
import tempfile
import uuid
import zipfile
from datetime import datetime, timedelta
from typing import IO, Any

import structlog
from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from services import cases
from services.models import (
    DataExport,
    Draft,
    NotificationPreference,
    OutgoingMessage,
    Submission,
    SubmissionFile,
)

logger = structlog.get_logger(__name__)

EXPORT_FOLDER = "data-exports"
STALE_AFTER = timedelta(minutes=15)
# What each kind of message is, in the resident's words; kinds not named are account e-mails.
MESSAGE_KINDS = {
    "acknowledgement": _("We have your request"),
    "status_update": _("An update on your request"),
    "information_request": _("We asked you for more information"),
    "reminder": _("A reminder"),
    "tracking_link": _("A link to follow your request"),
    "resume_link": _("A link to finish a form"),
    "other": _("About your account (for example a sign-in code)"),
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def collect(user: Any) -> dict[str, Any]:
    """The resident's data as one JSON-ready document (datetimes are encoded by `as_json`)."""
    submissions = list(
        Submission.objects.filter(user=user)
        .select_related("service", "form_version")
        .prefetch_related("files", "case_updates", "messages", "conversation")
        .order_by("created_at", "pk")
    )
    drafts = list(
        Draft.objects.filter(user=user)
        .select_related("form_version__form__service")
        .order_by("created_at")
    )
    account_messages = OutgoingMessage.objects.filter(user=user, submission__isnull=True)
    return {
        "about": {
            "council": settings.COUNCIL_NAME,
            "made_at": timezone.now(),
            "files": (
                "Each file is listed with where it is in the ZIP download (in_zip); the "
                "download without files lists them only."
            ),
        },
        "profile": _profile(user),
        "requests": [_request(submission) for submission in submissions],
        "unfinished_forms": [_draft(draft) for draft in drafts],
        "account_messages": [_message(m) for m in account_messages.order_by("created_at")],
    }


def as_json(document: dict[str, Any]) -> str:
    return json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def is_large(user: Any) -> bool:
    """Whether the resident's ZIP is built by a worker rather than while they wait."""
    submissions = Submission.objects.filter(user=user)
    if submissions.count() > settings.DATA_EXPORT_INLINE_MAX_SUBMISSIONS:
        return True
    kept = SubmissionFile.objects.filter(submission__user=user, deleted_at__isnull=True)
    size = kept.aggregate(total=Sum("size"))["total"] or 0
    return size > settings.DATA_EXPORT_INLINE_MAX_BYTES


def write_zip(user: Any, out: IO[bytes], *, storage: Storage | None = None) -> None:
    """The resident's ZIP: your-data.json, your-data.html, and files/<reference>/<file>."""
    storage = storage or default_storage
    document = collect(user)
    # Where each file is stored: read here only, never put in the document.
    stored = dict(
        SubmissionFile.objects.filter(submission__user=user).values_list("pk", "storage_name")
    )
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("your-data.json", as_json(document))
        archive.writestr("your-data.html", render_page(document))
        for request in document["requests"]:
            for file in request["files"]:
                if file["in_zip"] is None or file["id"] not in stored:
                    continue
                try:
                    with (
                        storage.open(stored[file["id"]], "rb") as handle,
                        archive.open(file["in_zip"], "w") as target,
                    ):
                        for chunk in File(handle).chunks():
                            target.write(chunk)
                except FileNotFoundError:
                    logger.warning("data_export_file_missing", file_id=file["id"])


def render_page(document: dict[str, Any]) -> str:
    """The readable HTML page of the ZIP: a standalone document, in the active language."""
    return render_to_string("services/privacy/your_data_file.html", {"data": document})


# --- Built by a worker ------------------------------------------------------------------------


def prepare(user: Any, language: str) -> DataExport:
    """Ask a worker to build the resident's ZIP (its page in `language`). One at a time: asked
    again while one is being prepared, returns that one, asking a worker again if it is stale
    (its task lost with a broker or a worker; building twice is harmless, see `build`)."""
    with transaction.atomic():
        export = (
            DataExport.objects.select_for_update()
            .filter(user=user, state=DataExport.State.PREPARING)
            .first()
        )
        if export is not None and not is_stale(export):
            return export
        if export is None:
            export = DataExport.objects.create(user=user, language=language)
        export_id = export.pk
        transaction.on_commit(lambda: _queue(export_id), robust=True)
    return export


def is_stale(export: DataExport) -> bool:
    """Still preparing long after a worker would have finished: the resident may ask again."""
    return export.state == DataExport.State.PREPARING and export.created_at < (
        timezone.now() - STALE_AFTER
    )


def _queue(export_id: int) -> None:
    from services.tasks import build_data_export

    try:
        build_data_export.delay(export_id)
    except Exception as exc:  # the resident can ask again once it is stale; never an error page
        logger.warning(
            "data_export_not_queued", export_id=export_id, error_class=type(exc).__name__
        )


def build(export_id: int, *, storage: Storage | None = None) -> None:
    """Build one prepared ZIP into private storage (the worker's task). Idempotent: a ZIP that
    is ready already is left alone, and of two builds at once the second to finish deletes its
    own file."""
    storage = storage or default_storage
    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None or export.state != DataExport.State.PREPARING:
        return
    with (
        translation.override(export.language or settings.LANGUAGE_CODE),
        tempfile.TemporaryFile() as out,
    ):
        write_zip(export.user, out, storage=storage)
        out.seek(0)
        # save, not open for writing: any storage (a folder, an object store) makes its path.
        name = storage.save(f"{EXPORT_FOLDER}/{uuid.uuid4().hex}.zip", File(out))
    size = storage.size(name)
    updated = DataExport.objects.filter(pk=export.pk, state=DataExport.State.PREPARING).update(
        state=DataExport.State.READY, storage_name=name, size=size, ready_at=timezone.now()
    )
    if not updated:  # the resident deleted their account meanwhile
        storage.delete(name)
    logger.info("data_export_ready", export_id=export.pk, size=size)


def latest(user: Any) -> DataExport | None:
    """The resident's newest export still kept (preparing, or ready and not expired)."""
    cutoff = timezone.now() - timedelta(days=settings.DATA_EXPORT_KEEP_DAYS)
    return (
        DataExport.objects.filter(user=user, created_at__gte=cutoff)
        .exclude(state=DataExport.State.FAILED)
        .first()
    )


def kept_until(export: DataExport) -> datetime:
    return export.created_at + timedelta(days=settings.DATA_EXPORT_KEEP_DAYS)


def delete_exports(exports: Any, *, storage: Storage | None = None) -> int:
    """Delete the given exports' files and rows; returns how many rows went."""
    storage = storage or default_storage
    count = 0
    for export in list(exports):
        if export.storage_name:
            try:
                storage.delete(export.storage_name)
            except OSError as exc:
                logger.warning(
                    "data_export_not_deleted", export_id=export.pk, error_class=type(exc).__name__
                )
                continue
        export.delete()
        count += 1
    return count


def delete_expired_exports(now: datetime | None = None, *, storage: Storage | None = None) -> int:
    """Daily: the ZIPs kept longer than DATA_EXPORT_KEEP_DAYS go, with their rows."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.DATA_EXPORT_KEEP_DAYS)
    return delete_exports(DataExport.objects.filter(created_at__lt=cutoff), storage=storage)


# --- The parts of the document ----------------------------------------------------------------


def _profile(user: Any) -> dict[str, Any]:
    from allauth.account.models import EmailAddress

    addresses = EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    return {
        "email": user.email,
        "full_name": user.full_name,
        "phone": user.phone,
        "address": user.address if isinstance(user.address, dict) else {},
        "language": user.language,
        # How they chose to hear about each kind of message (services/notifications).
        "notification_preferences": dict(
            NotificationPreference.objects.filter(user=user).values_list("kind", "channel")
        ),
        "joined": user.date_joined,
        "last_signed_in": user.last_login,
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary} for a in addresses
        ],
    }


def _request(submission: Submission) -> dict[str, Any]:
    # The questions as the resident saw them, in the language they answered in; everything
    # else in the language of the page being made.
    with translation.override(submission.language or settings.LANGUAGE_CODE):
        rows = cases.answer_rows(submission, for_resident=True)
    history = [
        {
            "status": update.portal_status,
            "status_name": str(Submission.Status(update.portal_status).label),
            "text": update.resident_text,
            "at": update.occurred_at,
        }
        for update in submission.case_updates.all()
        if update.applied and update.portal_status
    ]
    status_name = str(submission.get_status_display())
    service = str(submission.service.name)
    return {
        "reference": submission.reference,
        "service": service,
        "sent_at": submission.created_at,
        "status": submission.status,
        "status_name": status_name,
        "language": submission.language,
        "channel": submission.channel,
        "contact": {
            "email": submission.contact_email,
            "name": submission.contact_name,
            "phone": submission.contact_phone,
            "address": submission.contact_address or {},
        },
        "answers": [{"question": row.question, "answer": row.answer} for row in rows],
        "answers_as_stored": _without_storage_references(submission.answers),
        "files": [_file(submission, row) for row in submission.files.all()],
        "status_history": history,
        "messages": [_message(m) for m in submission.messages.all().order_by("created_at")],
        # The council's questions and what the resident said back (replies, reopenings).
        "conversation": [
            {"kind": m.kind, "text": m.text, "at": m.created_at}
            for m in sorted(submission.conversation.all(), key=lambda m: m.created_at)
        ],
    }


def _file(submission: Submission, row: SubmissionFile) -> dict[str, Any]:
    kept = row.deleted_at is None
    safe_name = _UNSAFE.sub("-", row.name).strip("-") or "file"
    return {
        "id": row.pk,
        "question": row.question_id,
        "name": row.name,
        "type": row.content_type,
        "type_name": str(cases.FILE_KINDS.get(row.content_type, row.content_type)),
        "size_bytes": row.size,
        "received_at": row.created_at,
        "deleted_at": row.deleted_at,
        "in_zip": f"files/{submission.reference}/{row.question_id}-{safe_name}" if kept else None,
    }


def _draft(draft: Draft) -> dict[str, Any]:
    return {
        "service": str(draft.service.name),
        "started_at": draft.created_at,
        "last_saved_at": draft.updated_at,
        "deleted_if_not_sent_by": draft.expires_at,
        "answers_as_stored": _without_storage_references(draft.answers),
    }


def _message(message: OutgoingMessage) -> dict[str, Any]:
    return {
        "kind": message.kind,
        "about": str(MESSAGE_KINDS.get(message.kind, MESSAGE_KINDS["other"])),
        "channel": message.channel,
        "channel_name": str(message.get_channel_display()),
        "state_name": str(message.get_state_display()),
        "language": message.language,
        "created_at": message.created_at,
        "sent_at": message.sent_at,
        "state": message.state,
    }


def _without_storage_references(value: Any) -> Any:
    """Answers as stored, less where each uploaded file is kept (internal, never shown)."""
    if isinstance(value, dict):
        return {k: _without_storage_references(v) for k, v in value.items() if k != "reference"}
    if isinstance(value, list):
        return [_without_storage_references(item) for item in value]
    return value
