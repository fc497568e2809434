"""E-mail to a service team: each submission as one structured message over SMTP.

For teams with no case system yet. The message is made to be read and to be processed, never a
PDF to re-key:
    text/plain and text/html    each answer under its label (the mapping's target names),
                                HTML-escaped; files are named and attached
    answers.json                the payload as JSON, files replaced by the attachment's name
    answers.csv                 field,value rows (values that a spreadsheet would run as a
                                formula are prefixed with ')
    the uploaded files          attached under the names residents gave them
Headers:
    Message-ID                  <idempotency key@the From address's domain>
    X-Portal-Reference          the idempotency key

SMTP has no idempotency key. If the connection drops after the server took the message but
before it said so, the retry sends a second copy with the same Message-ID: mail clients and
ticketing systems treat messages with one Message-ID as one message, which is mail's own way of
de-duplicating. The reference returned is the Message-ID.

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
import mimetypes
import smtplib
import socket
import ssl
from collections.abc import Mapping
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html, format_html_join

from integrations.base import Adapter, DeliveryError, PermanentError, Progress, TransientError
from integrations.email import config as options
from integrations.email.config import EmailConfig
from integrations.files import UploadedFile, as_text, file_answer, files_in, unique_names
from integrations.registry import registry
from integrations.spreadsheet import spreadsheet_safe

logger = logging.getLogger(__name__)

MAX_SUBJECT_LENGTH = 200
# Authentication required (530), too weak (534), refused (535), needs encryption (538).
AUTH_CODES = frozenset({530, 534, 535, 538})


@registry.register
class EmailAdapter(Adapter):
    id = "email"
    name = "E-mail to a service team"
    config_serializer = EmailConfig
    target_fields = ()
    accepts_any_fields = True

    def deliver(
        self, payload: Mapping[str, Any], idempotency_key: str, progress: Progress | None = None
    ) -> str:
        message_id = self.message_id(idempotency_key)
        message = self.build_message(payload, idempotency_key)
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
        logger.info("email delivered", extra={"host": self.config["host"]})
        return message_id

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

    def build_message(
        self, payload: Mapping[str, Any], idempotency_key: str
    ) -> EmailMultiAlternatives:
        files = list(dict.fromkeys(uploaded for _, uploaded in files_in(payload)))
        total = sum(uploaded.size() for uploaded in files)
        limit = int(self.config.get("max_attachment_bytes", options.DEFAULT_MAX_ATTACHMENT_BYTES))
        if total > limit:
            raise PermanentError(
                f"The uploaded files add up to {total:,} bytes, more than this connection's "
                f"limit of {limit:,} bytes for one message; send them another way or raise "
                "the limit if the mail server accepts bigger messages"
            )
        names = dict(zip(files, unique_names(files), strict=True))
        rows = [(str(label), _cell_text(value, names)) for label, value in payload.items()]

        message = EmailMultiAlternatives(
            subject=self.subject(payload),
            body=_text_body(rows),
            from_email=str(self.config["from_email"]),
            to=list(self.config["to"]),
            headers={
                "Message-ID": self.message_id(idempotency_key),
                "X-Portal-Reference": idempotency_key,
            },
        )
        message.attach_alternative(_html_body(rows), "text/html")
        message.attach("answers.json", _answers_json(payload, names), "application/json")
        message.attach("answers.csv", _answers_csv(rows), "text/csv")
        for uploaded, name in names.items():
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            message.attach(name, uploaded.read(), content_type)
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


def _cell_text(value: Any, names: Mapping[UploadedFile, str]) -> str:
    if isinstance(value, list):
        return ", ".join(_cell_text(item, names) for item in value)
    uploaded = file_answer(value)
    if uploaded is not None:
        return f"{names[uploaded]} (attached)"
    return as_text(value)


def _text_body(rows: list[tuple[str, str]]) -> str:
    lines = ["A new submission from the portal.", ""]
    for label, text in rows:
        lines.append(f"{label}:")
        lines.extend(f"  {line}" for line in (text or "(no answer)").splitlines() or [""])
        lines.append("")
    lines.append("The answers are attached as answers.json and answers.csv.")
    return "\n".join(lines) + "\n"


def _html_body(rows: list[tuple[str, str]]) -> str:
    table = format_html_join(
        "\n",
        '<tr><th scope="row" style="text-align:left;vertical-align:top;padding:4px 12px 4px 0">'
        '{}</th><td style="padding:4px 0;white-space:pre-wrap">{}</td></tr>',
        rows,
    )
    return str(
        format_html(
            "<!DOCTYPE html>\n<html><body>\n<p>A new submission from the portal.</p>\n"
            "<table>\n{}\n</table>\n"
            "<p>The answers are attached as answers.json and answers.csv.</p>\n</body></html>\n",
            table,
        )
    )


def _answers_json(payload: Mapping[str, Any], names: Mapping[UploadedFile, str]) -> bytes:
    def replace(value: Any) -> Any:
        if isinstance(value, list):
            return [replace(item) for item in value]
        uploaded = file_answer(value)
        if uploaded is not None:
            return {"name": names[uploaded], "attachment": names[uploaded]}
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
