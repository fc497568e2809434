"""Signed, expiring links by which one back-office system may fetch one submitted file.

Some systems fetch a file rather than receive it (Open311's media_url, a webhook's file list, an
e-mail too large to carry its attachments). The link names one file and one connection, signed
with the portal's secret key and a timestamp, so it cannot be altered to reach another file or
passed off as another system's, and stops working FILE_LINK_MAX_AGE_DAYS after it was made (or
when retention deletes the file).

    signed_file_url(file_row, connection_id) -> "https://portal.example/files/<token>/"
    file_for_link(token) -> (file_row, connection_id), or None for any link that must not work
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db.models import Exists
from django.urls import reverse

from services.models import Connection, SubmissionFile

SALT = "services.file_links"
URL_NAME = "file_link"


def signed_file_url(file_row: SubmissionFile, connection_id: int) -> str:
    token = signing.dumps({"f": file_row.pk, "c": connection_id}, salt=SALT)
    return settings.PORTAL_URL.rstrip("/") + reverse(URL_NAME, kwargs={"token": token})


def file_for_link(token: str) -> tuple[SubmissionFile, int] | None:
    """The file and connection `token` was made for, if it is genuine, unexpired, the file is
    still kept and the connection still exists; else None (callers answer 404 and change
    nothing)."""
    max_age = timedelta(days=settings.FILE_LINK_MAX_AGE_DAYS)
    try:
        signed = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(signed, dict):
        return None
    file_id, connection_id = signed.get("f"), signed.get("c")
    if not isinstance(file_id, int) or not isinstance(connection_id, int):
        return None
    found = (
        SubmissionFile.objects.filter(pk=file_id, deleted_at__isnull=True)
        .filter(Exists(Connection.objects.filter(pk=connection_id)))
        .first()
    )
    return None if found is None else (found, connection_id)
