"""E-mail to a service team: each submission as one structured message over SMTP.

For teams with no case system yet. The message is made to be read and to be processed, never a
PDF to re-key:
    text/plain and text/html    each answer under its label (the mapping's target names),
                                HTML-escaped; files are named, and said to be attached or
                                listed with their links
    answers.json                the payload as JSON, each file as its name, type, size and
                                SHA-256, and its attachment's name or its link
    answers.csv                 field,value rows (values that a spreadsheet would run as a
                                formula are prefixed with ')
    the resident's files        attached under the names residents gave them, each with the
                                type established from its content; or, when together they are
                                bigger than the connection's `max_attachment_bytes`, none
                                attached and each sent as a signed link in the body instead,
                                with its name, type and size (links work for a limited time)

Files reach the adapter as DeliveryFile objects wherever the mapping put them (a file answer, a
`files` list): a file that can no longer be read or linked (deleted by retention) fails the
delivery permanently, saying why. The whole case is one message, so there is no per-file
progress to keep: a retry sends the whole message again, under the same Message-ID.
Headers:
    Message-ID                  <idempotency key@the From address's domain>
    X-Portal-Reference          the idempotency key

SMTP has no idempotency key. If the connection drops after the server took the message but
before it said so, the retry sends a second copy with the same Message-ID: mail clients and
ticketing systems treat messages with one Message-ID as one message, which is mail's own way of
de-duplicating. The reference returned is the Message-ID.

Case updates. What the resident later says (a reply, a reopening, "not fixed") is a reply e-mail
to the same mailbox, threaded on the case's message: when the case's reference is its Message-ID
(what `deliver` returns), In-Reply-To and References name it; otherwise the subject carries the
reference. Its files are attached (or linked, over `max_attachment_bytes`) as a case's are.
    Message-ID                  <update-{update_id}@the From address's domain>: the same on
                                every retry, so a second copy after a lost answer is one
                                message to a mail client or ticketing system
    X-Portal-Reference          the update's idempotency key; X-Portal-Update: its kind
The same limit as for cases: SMTP is at least once.

Errors: 5xx replies (refused recipients or sender, 550, 554, 535 authentication, a server that
cannot do STARTTLS) are permanent; 4xx replies (451, 421), refused or dropped connections and
timeouts are transient.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import smtplib
import socket
import ssl
from collections.abc import Mapping
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html, format_html_join

from integrations.base import (
    Adapter,
    CaseUpdateOut,
    DeliveryError,
    DeliveryFile,
    PermanentError,
    Progress,
    TransientError,
    files_in,
)
from integrations.email import config as options
from integrations.email.config import EmailConfig
from integrations.files import as_text, is_item_list, readable_size, unique_names
from integrations.registry import registry
from integrations.spreadsheet import spreadsheet_safe

logger = logging.getLogger(__name__)

MAX_SUBJECT_LENGTH = 200
# Authentication required (530), too weak (534), refused (535), needs encryption (538).
AUTH_CODES = frozenset({530, 534, 535, 538})
# What each kind of case update is called in its e-mail's subject and first line.
UPDATE_HEADINGS = {
    "reply": "The resident replied",
    "reopen": "The resident asks to reopen the case",
    "not_fixed": "The resident says it is not fixed",
}


@registry.register
class EmailAdapter(Adapter):
    id = "email"
    name = "E-mail to a service team"
    config_serializer = EmailConfig
    target_fields = ()
    accepts_any_fields = True
    sends_updates = True

    def deliver(
        self, payload: Mapping[str, Any], idempotency_key: str, progress: Progress | None = None
    ) -> str:
        message_id = self.message_id(idempotency_key)
        self._send(self.build_message(payload, idempotency_key))
        logger.info("email delivered", extra={"host": self.config["host"]})
        return message_id

    def send_update(
        self,
        reference: str,
        update: CaseUpdateOut,
        idempotency_key: str,
        progress: Progress | None = None,
    ) -> str:
        # One message carries the update and its files: a retry sends it whole, under the same
        # Message-ID; an update an earlier attempt saw accepted is not sent again.
        if progress is not None and progress.reference:
            return progress.reference
        message_id = self.update_message_id(update.update_id)
        self._send(self.build_update_message(reference, update, idempotency_key))
        logger.info("email sent an update", extra={"host": self.config["host"]})
        if progress is not None:
            progress.record_reference(message_id)
            for upload in update.files:
                progress.record_file(upload)
        return message_id

    def _send(self, message: EmailMultiAlternatives) -> None:
        backend = self._backend()
        try:
            backend.open()
            sent = backend.send_messages([message])
        except Exception as exc:
            raise error_for(exc) from exc
        finally:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                backend.close()
        if sent != 1:
            raise TransientError("The mail server connection closed before the message was sent")

    def check_connection(self) -> None:
        backend = self._backend()
        try:
            backend.open()  # connects, STARTTLS or TLS, and logs in when a user name is given
            if backend.connection is None:
                raise smtplib.SMTPServerDisconnected("no connection")
            code, reply = backend.connection.ehlo()
            if code != 250:
                raise smtplib.SMTPResponseException(code, reply)
        except Exception as exc:
            raise error_for(exc) from exc
        finally:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                backend.close()

    # --- The message -----------------------------------------------------------------------------

    def message_id(self, idempotency_key: str) -> str:
        domain = str(self.config["from_email"]).rsplit("@", 1)[1]
        return f"<{idempotency_key}@{domain}>"

    def update_message_id(self, update_id: str) -> str:
        domain = str(self.config["from_email"]).rsplit("@", 1)[1]
        return f"<update-{update_id}@{domain}>"

    def build_update_message(
        self, reference: str, update: CaseUpdateOut, idempotency_key: str
    ) -> EmailMultiAlternatives:
        """The reply e-mail of `update` to case `reference`, threaded on the case's message
        when `reference` is its Message-ID."""
        files = list(update.files)
        names = dict(zip((f.id for f in files), unique_names(files), strict=True))
        total = sum(upload.size for upload in files)
        limit = int(self.config.get("max_attachment_bytes", options.DEFAULT_MAX_ATTACHMENT_BYTES))
        links = {f.id: f.signed_url() for f in files} if total > limit else {}
        sent = _SentFiles(names, links)
        heading = UPDATE_HEADINGS.get(update.kind, "The resident sent an update")
        threaded = _is_message_id(reference)
        subject = f"Re: {heading}" if threaded else f"{heading}: {reference}"
        headers = {
            "Message-ID": self.update_message_id(update.update_id),
            "X-Portal-Reference": idempotency_key,
            "X-Portal-Update": update.kind,
        }
        if threaded:
            headers["In-Reply-To"] = headers["References"] = reference
        rows = [("Case", reference), ("Sent", update.sent_at.isoformat(timespec="minutes"))]
        rows.append(("What they said", update.text))
        if files:
            rows.append(("Files", sent.cell_text(files)))
        listing = [sent.listing(upload) for upload in files] if links else []
        note = _links_note(total, limit) if links else ""
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split())[:MAX_SUBJECT_LENGTH],
            body=_text_body(rows, note, listing, heading=f"{heading}.", answers=False),
            from_email=str(self.config["from_email"]),
            to=list(self.config["to"]),
            headers=headers,
        )
        message.attach_alternative(
            _html_body(rows, note, listing, heading=f"{heading}.", answers=False), "text/html"
        )
        if not links:
            for upload in files:
                message.attach(names[upload.id], upload.read(), upload.content_type)
        return message

    def build_message(
        self, payload: Mapping[str, Any], idempotency_key: str
    ) -> EmailMultiAlternatives:
        files = list(files_in(payload))
        names = dict(zip((f.id for f in files), unique_names(files), strict=True))
        total = sum(upload.size for upload in files)
        limit = int(self.config.get("max_attachment_bytes", options.DEFAULT_MAX_ATTACHMENT_BYTES))
        # Too big to attach together: each file goes as a link this connection may fetch it by.
        links = {f.id: f.signed_url() for f in files} if total > limit else {}
        sent = _SentFiles(names, links)
        rows = [(str(label), sent.cell_text(value)) for label, value in payload.items()]
        listing = [sent.listing(upload) for upload in files] if links else []
        note = _links_note(total, limit) if links else ""

        message = EmailMultiAlternatives(
            subject=self.subject(payload),
            body=_text_body(rows, note, listing),
            from_email=str(self.config["from_email"]),
            to=list(self.config["to"]),
            headers={
                "Message-ID": self.message_id(idempotency_key),
                "X-Portal-Reference": idempotency_key,
            },
        )
        message.attach_alternative(_html_body(rows, note, listing), "text/html")
        message.attach("answers.json", _answers_json(payload, sent), "application/json")
        message.attach("answers.csv", _answers_csv(rows), "text/csv")
        if not links:
            for upload in files:
                message.attach(names[upload.id], upload.read(), upload.content_type)
        return message

    def subject(self, payload: Mapping[str, Any]) -> str:
        template = str(self.config.get("subject_template") or options.DEFAULT_SUBJECT)
        values = {str(key): as_text(value) for key, value in payload.items()}
        subject = template.format_map(_Blank(values))
        # A header cannot hold line breaks; a value with one must not become a second header.
        subject = " ".join(subject.split())
        # "{service}: {reference}" without a service reads "MC-1", not ": MC-1".
        subject = subject.strip(" :-|,")[:MAX_SUBJECT_LENGTH]
        return subject or "New submission"

    def _backend(self) -> EmailBackend:
        security = self.config.get("security") or options.SECURITY_STARTTLS
        return EmailBackend(
            host=str(self.config["host"]),
            port=int(self.config.get("port") or 587),
            username=str(self.config.get("username") or ""),
            password=str(self.config.get("password") or ""),
            use_tls=security == options.SECURITY_STARTTLS,
            use_ssl=security == options.SECURITY_SSL,
            timeout=float(self.config.get("timeout") or options.DEFAULT_TIMEOUT),
            fail_silently=False,
        )


class _Blank(dict[str, str]):
    """Formats a field the payload lacks as nothing."""

    def __missing__(self, key: str) -> str:
        return ""


class _SentFiles:
    """How each file of the message is sent: attached under `names`, or by its link."""

    def __init__(self, names: Mapping[str, str], links: Mapping[str, str]) -> None:
        self.names, self.links = names, links

    def cell_text(self, value: Any) -> str:
        if is_item_list(value):  # a list question's items: one numbered line each
            return as_text(value)
        if isinstance(value, list):
            return ", ".join(self.cell_text(item) for item in value)
        if isinstance(value, DeliveryFile):
            how = "link below" if self.links else "attached"
            return f"{self.names[value.id]} ({how})"
        return as_text(value)

    def listing(self, upload: DeliveryFile) -> tuple[str, str, str]:
        """(name, "type, size", link) of a file sent by its link."""
        facts = f"{upload.content_type}, {readable_size(upload.size)}"
        return self.names[upload.id], facts, self.links[upload.id]

    def as_json(self, upload: DeliveryFile) -> dict[str, Any]:
        name = self.names[upload.id]
        sent = {"link": self.links[upload.id]} if self.links else {"attachment": name}
        return {**upload.describe(), "name": name, **sent}


def _links_note(total: int, limit: int) -> str:
    return (
        f"The files add up to {readable_size(total)}, more than this connection sends as "
        f"attachments ({readable_size(limit)}), so none is attached: each is a link below, "
        "which works for a limited time. Save the files you need."
    )


def _is_message_id(reference: str) -> bool:
    """Whether a case's reference is the Message-ID its e-mail went out with."""
    return reference.startswith("<") and reference.endswith(">") and "@" in reference


def _text_body(
    rows: list[tuple[str, str]],
    note: str = "",
    listing: list[tuple[str, str, str]] | None = None,
    *,
    heading: str = "A new submission from the portal.",
    answers: bool = True,
) -> str:
    lines = [heading, ""]
    for label, text in rows:
        lines.append(f"{label}:")
        lines.extend(f"  {line}" for line in (text or "(no answer)").splitlines() or [""])
        lines.append("")
    if listing:
        lines.extend([note, ""])
        for name, facts, link in listing:
            lines.extend([f"{name} ({facts}):", f"  {link}", ""])
    if answers:
        lines.append("The answers are attached as answers.json and answers.csv.")
    return "\n".join(lines) + "\n"


def _html_body(
    rows: list[tuple[str, str]],
    note: str = "",
    listing: list[tuple[str, str, str]] | None = None,
    *,
    heading: str = "A new submission from the portal.",
    answers: bool = True,
) -> str:
    table = format_html_join(
        "\n",
        '<tr><th scope="row" style="text-align:left;vertical-align:top;padding:4px 12px 4px 0">'
        '{}</th><td style="padding:4px 0;white-space:pre-wrap">{}</td></tr>',
        rows,
    )
    links = format_html_join("\n", '<li><a href="{2}">{0}</a> ({1})</li>', listing or [])
    files = format_html("<p>{}</p>\n<ul>\n{}\n</ul>\n", note, links) if listing else ""
    attached = (
        format_html("<p>{}</p>\n", "The answers are attached as answers.json and answers.csv.")
        if answers
        else ""
    )
    return str(
        format_html(
            "<!DOCTYPE html>\n<html><body>\n<p>{}</p>\n<table>\n{}\n</table>\n{}{}</body></html>\n",
            heading,
            table,
            files,
            attached,
        )
    )


def _answers_json(payload: Mapping[str, Any], sent: _SentFiles) -> bytes:
    def replace(value: Any) -> Any:
        if isinstance(value, list):
            return [replace(item) for item in value]
        if isinstance(value, DeliveryFile):
            return sent.as_json(value)
        return value

    data = {key: replace(value) for key, value in payload.items()}
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def _answers_csv(rows: list[tuple[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["field", "value"])
    for label, text in rows:
        writer.writerow([spreadsheet_safe(label), spreadsheet_safe(text)])
    # A byte-order mark so that Excel reads UTF-8 (Welsh and other accented names) correctly.
    return ("\ufeff" + out.getvalue()).encode()


# --- Errors --------------------------------------------------------------------------------------


def error_for(exc: Exception) -> DeliveryError:
    """What an SMTP failure means for retrying: 5xx is permanent; 4xx, lost connections and
    timeouts are transient."""
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        reply = "; ".join(
            f"{code} {_reply_text(message)}" for code, message in exc.recipients.values()
        )
        if codes and all(400 <= code < 500 for code in codes):
            return TransientError(
                "The mail server would not take the recipients now",
                status_code=codes[0],
                excerpt=reply,
            )
        return PermanentError(
            f"The mail server refused the recipients ({len(codes)})",
            status_code=max(codes) if codes else None,
            excerpt=reply,
        )
    if (
        isinstance(exc, smtplib.SMTPResponseException)
        and exc.smtp_code >= 500
        and (isinstance(exc, smtplib.SMTPAuthenticationError) or exc.smtp_code in AUTH_CODES)
    ):
        # A 454 "temporary authentication failure" is a 4xx like any other: tried again.
        return PermanentError(
            "The mail server refused the user name or password, or requires one",
            status_code=exc.smtp_code,
            excerpt=f"{exc.smtp_code} {_reply_text(exc.smtp_error)}",
        )
    if isinstance(exc, smtplib.SMTPResponseException):  # sender refused, data refused, others
        code = exc.smtp_code
        excerpt = f"{code} {_reply_text(exc.smtp_error)}"
        if 400 <= code < 500:
            return TransientError(
                f"The mail server said to try later ({code})", status_code=code, excerpt=excerpt
            )
        return PermanentError(
            f"The mail server refused the message ({code})", status_code=code, excerpt=excerpt
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return PermanentError(f"The mail server does not support what is needed: {exc}")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return PermanentError(f"The mail server's certificate is not trusted: {exc.verify_message}")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        # Perhaps after it took the message: the retry's copy carries the same Message-ID.
        return TransientError(f"The mail server hung up: {exc}")
    if isinstance(exc, socket.timeout | TimeoutError):
        return TransientError("The mail server did not answer in time")
    if isinstance(exc, OSError | smtplib.SMTPException):
        return TransientError(f"Could not reach the mail server: {exc.__class__.__name__}: {exc}")
    return TransientError(f"Unexpected error sending mail: {exc.__class__.__name__}")


def _reply_text(message: bytes | str) -> str:
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return " ".join(message.split())
