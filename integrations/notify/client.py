"""A thin wrapper of GOV.UK Notify's official client, `notifications_python_client`.

The portal's outbox (services/messages/) decides what to send; this module only speaks to Notify
and turns its answers into one typed error:

    400, 403            permanent: the request itself is wrong (a bad address or number, a
                        template that is not ours, a revoked or wrong key); sending it again
                        can only fail the same way
    429                 transient, with Retry-After when Notify gives one (it usually does not;
                        its limits are per minute, so the caller's own backoff is what counts)
    5xx, no answer      transient and *ambiguous*: Notify may have accepted the notification
                        before the answer was lost

Notify has no idempotency key. What it does keep is our `reference` on each notification, and it
lets us search by it (GET /v2/notifications?reference=...); so before sending again after an
ambiguous outcome the caller looks the reference up (`find_by_reference`) and adopts what it
finds instead of sending a second copy. The reference must therefore be unique per message.

Nothing here logs addresses, numbers or content: the client's own log lines name only the
method, the path and Notify's error message (which never echoes the recipient).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import requests
from notifications_python_client.errors import APIError, InvalidResponse
from notifications_python_client.notifications import NotificationsAPIClient

NotifyChannel = Literal["email", "sms", "letter"]
CHANNELS: tuple[NotifyChannel, ...] = ("email", "sms", "letter")
DEFAULT_BASE_URL = "https://api.notifications.service.gov.uk"
# Notify's API keys are "<name>-<service id, 36>-<secret, 36>"; the client splits them the same way.
_KEY_TAIL = 73


class NotifyError(Exception):
    """Notify did not take a notification.

    `permanent`: trying again cannot help. `ambiguous`: Notify may have taken it anyway, so look
    the reference up before sending again. `retry_after`: Notify's Retry-After in seconds, if any.
    """

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool,
        ambiguous: bool = False,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.ambiguous = ambiguous
        self.retry_after = retry_after
        self.status = status


@dataclass(frozen=True)
class Notification:
    """What Notify said about one notification: its id, our reference and its status."""

    id: str
    reference: str | None
    status: str


def key_problem(api_key: str) -> str | None:
    """Why `api_key` cannot be a Notify API key (without echoing it), or None if its shape is
    right. The client would otherwise fail with an AssertionError on the first message."""
    if len(api_key) < _KEY_TAIL + 1 or api_key[-_KEY_TAIL - 1] != "-":
        return "a Notify API key ends with '-<service id>-<secret key>' (two 36-character ids)"
    return None


class NotifyClient:
    """The three sends and the look-up the outbox needs, each raising NotifyError."""

    def __init__(
        self, api_key: str, *, base_url: str = DEFAULT_BASE_URL, timeout: float = 10.0
    ) -> None:
        if (problem := key_problem(api_key)) is not None:
            raise ValueError(problem)
        self._client = NotificationsAPIClient(api_key, base_url=base_url, timeout=timeout)

    def send(
        self,
        channel: NotifyChannel,
        *,
        recipient: str,
        template_id: str,
        personalisation: Mapping[str, Any],
        reference: str,
    ) -> Notification:
        """Ask Notify to send one notification; returns its id. `recipient` is the e-mail
        address or phone number (ignored for letters: the address is in personalisation)."""
        fields = dict(personalisation)
        if channel == "email":
            answer = self._call(
                self._client.send_email_notification,
                email_address=recipient,
                template_id=template_id,
                personalisation=fields,
                reference=reference,
            )
        elif channel == "sms":
            answer = self._call(
                self._client.send_sms_notification,
                phone_number=recipient,
                template_id=template_id,
                personalisation=fields,
                reference=reference,
            )
        elif channel == "letter":
            answer = self._call(
                self._client.send_letter_notification,
                template_id=template_id,
                personalisation=fields,
                reference=reference,
            )
        else:
            raise ValueError(f"Notify has no channel {channel!r}")
        return _notification(answer, default_status="created")

    def find_by_reference(self, reference: str) -> Notification | None:
        """The notification we sent with `reference`, or None if Notify has none.

        Notify keeps notifications for seven days, longer than the outbox keeps trying. If
        several match (someone sent the same reference by hand) the oldest is the one adopted.
        """
        answer = self._call(self._client.get_all_notifications, reference=reference)
        found = answer.get("notifications") if isinstance(answer, dict) else None
        if not found:
            return None
        oldest = min(found, key=lambda n: str(n.get("created_at", "")))
        return _notification(oldest, default_status="unknown")

    def get(self, notification_id: str) -> Notification:
        return _notification(
            self._call(self._client.get_notification_by_id, notification_id),
            default_status="unknown",
        )

    @staticmethod
    def _call(method: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except APIError as exc:
            raise error_from(exc) from exc
        except requests.RequestException as exc:  # raised outside the client's own wrapping
            raise NotifyError(
                f"Could not reach Notify ({exc.__class__.__name__})",
                permanent=False,
                ambiguous=True,
            ) from exc


def error_from(exc: APIError) -> NotifyError:
    """The NotifyError for an error the official client raised (a pure mapping: see module doc)."""
    response = getattr(exc, "response", None)
    if isinstance(exc, InvalidResponse):
        # An answer that is not Notify's JSON (a proxy's error page): it may have been taken.
        return NotifyError("Notify's answer was not JSON", permanent=False, ambiguous=True)
    if response is None:
        # The client reports a connection error or a timeout as a 503 without a response:
        # nothing came back, so Notify may or may not have the notification.
        return NotifyError("Could not reach Notify", permanent=False, ambiguous=True)
    status = int(exc.status_code)
    detail = _error_names(response)
    reason = f"Notify answered {status}" + (f" ({detail})" if detail else "")
    if status == 429:
        return NotifyError(
            reason, permanent=False, retry_after=_retry_after(response), status=status
        )
    if status >= 500:
        return NotifyError(
            reason,
            permanent=False,
            ambiguous=True,
            retry_after=_retry_after(response),
            status=status,
        )
    return NotifyError(reason, permanent=True, status=status)


def _error_names(response: Any) -> str:
    """Notify's errors, short: "BadRequestError: Missing personalisation: body". Notify's
    messages name the field at fault, never the address or number sent."""
    try:
        errors = response.json().get("errors")
    except (ValueError, AttributeError):
        return ""
    if not isinstance(errors, list):
        return ""
    parts = [
        f"{str(e.get('error', ''))[:40]}: {str(e.get('message', ''))[:120]}"
        for e in errors[:3]
        if isinstance(e, dict)
    ]
    return "; ".join(parts)[:250]


def _retry_after(response: Any) -> float | None:
    value = (getattr(response, "headers", None) or {}).get("Retry-After")
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP date: rare, and the caller's backoff is a safe answer
    return seconds if seconds is not None and seconds >= 0 else None


def _notification(answer: Any, *, default_status: str) -> Notification:
    if not isinstance(answer, dict) or not isinstance(answer.get("id"), str):
        raise NotifyError("Notify's answer has no notification id", permanent=False, ambiguous=True)
    reference = answer.get("reference")
    return Notification(
        id=answer["id"],
        reference=reference if isinstance(reference, str) else None,
        status=str(answer.get("status") or default_status),
    )
