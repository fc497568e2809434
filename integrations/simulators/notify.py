"""A simulator of GOV.UK Notify's v2 API, for the outbox's Notify transport and the demo.

    POST /v2/notifications/email   {"email_address", "template_id", "personalisation", "reference"}
    POST /v2/notifications/sms     {"phone_number", "template_id", "personalisation", "reference"}
    POST /v2/notifications/letter  {"template_id", "personalisation": {"address_line_1", ...}}
    GET  /v2/notifications/<id>
    GET  /v2/notifications?reference=...&status=...&template_type=...

It answers as Notify does (https://docs.notifications.service.gov.uk/rest-api.html):
- Auth: `Authorization: Bearer <JWT>`, HS256 signed with the secret half of the API key, `iss`
  the service id, `iat` within 30 seconds of now; anything else is 403 with an AuthError.
- Templates are checked: an unknown or malformed id, or a template of another channel, is a 400
  BadRequestError; so is any ((placeholder)) of the template missing from personalisation, an
  e-mail address or a UK mobile number that is not one, or a letter with fewer than three
  address lines or without a postcode on its last line.
- 201 with the notification's id, our reference and the rendered content.
- It does not de-duplicate: the same reference twice makes two notifications, as on Notify, so
  only a caller that looks its reference up before sending again avoids a second copy.
- Limits answer 429 in Notify's shape: the rate_limit fault as its per-minute limit
  (RateLimitError, keeping the fault's Retry-After, which Notify itself seldom sends), and
  `daily_limit`, if set, as its daily sending limit: once that many notifications were created
  today (UTC), each further send is refused with TooManyRequestsError; look-ups still work.

Delivery receipts: with `callback_url` set, each notification's final status is POSTed there
`callback_delay` seconds after it was created, with `Authorization: Bearer <callback_token>` and
Notify's callback body. Recipients pick the outcome as Notify's own test addresses do:
    perm-fail@simulator.notify, 07700900002     permanent-failure
    temp-fail@simulator.notify, 07700900003     temporary-failure
    tech-fail@simulator.notify, 07700900004     technical-failure
    anything else                               delivered
Tests call `send_callback(id, status)` to send one at a time and see the answer.

Control (not recorded, no faults): GET /_notifications (what it holds, for a demo);
POST /_notifications/<id>/callback {"status": "permanent-failure"} sends one receipt.

Standalone: python -m integrations.simulators.notify --port 8108 [--callback-url URL]
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt

from integrations.simulators.base import (
    RecordedRequest,
    Response,
    Simulator,
    add_fault_arguments,
    apply_fault_arguments,
)

PREFIX = "/v2/notifications"
# The demo's service and key, known to all: they guard nothing but loopback.
DEMO_SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
DEMO_SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"  # noqa: S105
DEMO_KEY_NAME = "my_council_demo"
DEMO_CALLBACK_TOKEN = "simulator-notify-callback-token-0123456789"  # noqa: S105
TOKEN_LEEWAY_SECONDS = 30
RATE_LIMIT_PER_MINUTE = 3000  # Notify's limit for each API key
FINAL_STATUSES = ("delivered", "permanent-failure", "temporary-failure", "technical-failure")


@dataclass(frozen=True)
class Template:
    id: str
    type: str  # "email", "sms" or "letter"
    body: str
    subject: str = ""  # e-mail and letter templates have one
    version: int = 1

    def placeholders(self) -> set[str]:
        found = re.findall(r"\(\(([^()]+?)\)\)", self.subject + "\n" + self.body)
        return {name.split("??")[0].strip().lower() for name in found}


def generic_templates() -> dict[str, Template]:
    """The generic templates the demo uses, one per channel and language (see docs/notify.md):
    the portal renders each message and Notify fills in ((subject)) and ((body))."""
    ids = {
        ("email", "en"): "f3a2c1e4-0e7d-4a51-9a34-6a1d2b7a0e01",
        ("email", "cy"): "f3a2c1e4-0e7d-4a51-9a34-6a1d2b7a0e02",
        ("sms", "en"): "f3a2c1e4-0e7d-4a51-9a34-6a1d2b7a0e03",
        ("sms", "cy"): "f3a2c1e4-0e7d-4a51-9a34-6a1d2b7a0e04",
        ("letter", "en"): "f3a2c1e4-0e7d-4a51-9a34-6a1d2b7a0e05",
        ("letter", "cy"): "f3a2c1e4-0e7d-4a51-9a34-6a1d2b7a0e06",
    }
    templates = {}
    for (channel, _language), template_id in ids.items():
        subject = "" if channel == "sms" else "((subject))"
        templates[template_id] = Template(template_id, channel, "((body))", subject)
    return templates


def demo_templates_setting() -> dict[str, dict[str, dict[str, str]]]:
    """NOTIFY_TEMPLATES for the generic templates: every kind uses the channel's default."""
    setting: dict[str, dict[str, dict[str, str]]] = {}
    for template in generic_templates().values():
        language = "en" if template.id.endswith(("01", "03", "05")) else "cy"
        setting.setdefault(template.type, {}).setdefault("default", {})[language] = template.id
    return setting


def api_key(service_id: str = DEMO_SERVICE_ID, secret: str = DEMO_SECRET) -> str:
    """An API key in Notify's shape: <key name>-<service id>-<secret>."""
    return f"{DEMO_KEY_NAME}-{service_id}-{secret}"


def callback_body(notification: dict[str, Any]) -> dict[str, Any]:
    """What Notify POSTs to a service's delivery-receipt callback URL."""
    return {
        "id": notification["id"],
        "reference": notification["reference"],
        "to": notification["to"],
        "status": notification["status"],
        "created_at": notification["created_at"],
        "completed_at": notification["completed_at"],
        "sent_at": notification["sent_at"],
        "notification_type": notification["type"],
        "template_id": notification["template"]["id"],
        "template_version": notification["template"]["version"],
    }


class NotifySimulator(Simulator):
    name = "notify-simulator"

    def __init__(
        self,
        *,
        service_id: str = DEMO_SERVICE_ID,
        secret: str = DEMO_SECRET,
        templates: dict[str, Template] | None = None,
        callback_url: str = "",
        callback_token: str = DEMO_CALLBACK_TOKEN,
        callback_delay: float | None = None,
        daily_limit: int | None = None,
        echo: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int | None = None,
    ) -> None:
        super().__init__(host=host, port=port, seed=seed)
        self.service_id = service_id
        self.secret = secret
        self.templates = templates if templates is not None else generic_templates()
        self.callback_url = callback_url
        self.callback_token = callback_token
        # None: receipts only when send_callback is called (tests); a number: sent that many
        # seconds after each notification is created (the demo).
        self.callback_delay = callback_delay
        # Notify's per-service limit of messages a day (250,000 for a live service by default).
        self.daily_limit = daily_limit
        # Print each notification (recipient, subject, body) to stdout: the demo's stand-in
        # for the console e-mail backend, so `make run` shows sign-in codes and updates.
        self.echo = echo
        self._notifications: dict[str, dict[str, Any]] = {}
        self.callbacks: list[tuple[str, str, int | None]] = []  # (id, status, answer status)

    @property
    def api_key(self) -> str:
        return api_key(self.service_id, self.secret)

    @property
    def notifications(self) -> list[dict[str, Any]]:
        """Every notification created, oldest first (a copy)."""
        with self._lock:
            return [dict(n) for n in self._notifications.values()]

    # --- Auth ------------------------------------------------------------------------------------

    def unauthorised(self, request: RecordedRequest) -> Response:
        return _auth_error("Invalid token: API key not found")

    def rate_limited(self, request: RecordedRequest, retry_after: int) -> Response:
        return _error(
            429,
            "RateLimitError",
            f"Exceeded rate limit for key type LIVE of {RATE_LIMIT_PER_MINUTE} requests per "
            "60 seconds",
            headers={"Retry-After": str(retry_after)},
        )

    def authorise(self, request: RecordedRequest) -> Response | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _auth_error(
                "Unauthorized: authentication token must be provided", status=401, name="AuthError"
            )
        token = token.strip()
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            return _auth_error("Invalid token: signature, api token not found")
        if header.get("alg") != "HS256":
            return _auth_error("Invalid token: algorithm used is not HS256")
        if unverified.get("iss") != self.service_id:
            return _auth_error("Invalid token: service not found")
        try:
            claims = jwt.decode(
                token,
                key=self.secret,
                algorithms=["HS256"],
                options={"verify_iat": False},  # checked below, both ways, as Notify does
            )
        except jwt.InvalidTokenError:
            return _auth_error("Invalid token: signature, api token not found")
        iat = claims.get("iat")
        if not isinstance(iat, int | float):
            return _auth_error("Invalid token: iat field not provided")
        now = time.time()
        if now > iat + TOKEN_LEEWAY_SECONDS:
            return _auth_error("Error: Your system clock must be accurate to within 30 seconds")
        if iat > now + TOKEN_LEEWAY_SECONDS:
            return _auth_error("Error: Your system clock must be accurate to within 30 seconds")
        return None

    # --- The API ---------------------------------------------------------------------------------

    def call_name(self, request: RecordedRequest) -> str:
        if request.method == "GET" and request.path.startswith(PREFIX + "/"):
            return f"GET {PREFIX}/<id>"
        return super().call_name(request)

    def handle(self, request: RecordedRequest) -> Response:
        if request.method == "POST" and request.path.startswith(PREFIX + "/"):
            channel = request.path.removeprefix(PREFIX + "/")
            if channel in ("email", "sms", "letter"):
                return self._create(channel, request)
        if request.method == "GET" and request.path in (PREFIX, PREFIX + "/"):
            return self._search(request)
        if request.method == "GET" and request.path.startswith(PREFIX + "/"):
            return self._one(request.path.removeprefix(PREFIX + "/"))
        return _error(404, "ResourceNotFound", "Resource not found")

    def _create(self, channel: str, request: RecordedRequest) -> Response:
        try:
            data = request.json()
        except ValueError:
            return _bad_request("Invalid JSON supplied in POST data")
        if not isinstance(data, dict):
            return _bad_request("Invalid JSON supplied in POST data")
        if self.daily_limit is not None and self._sent_today() >= self.daily_limit:
            return _error(
                429, "TooManyRequestsError", f"Exceeded send limits ({self.daily_limit}) for today"
            )
        template_id = data.get("template_id")
        if not isinstance(template_id, str) or not _is_uuid(template_id):
            return _error(400, "ValidationError", "template_id is not a valid UUID")
        template = self.templates.get(template_id)
        if template is None:
            return _bad_request("Template not found")
        if template.type != channel:
            return _bad_request(
                f"{template.type} template is not suitable for {channel} notification"
            )
        personalisation = data.get("personalisation") or {}
        if not isinstance(personalisation, dict):
            return _error(400, "ValidationError", "personalisation {} is not of type object")
        given = {str(k).lower(): v for k, v in personalisation.items()}
        missing = sorted(template.placeholders() - set(given))
        if channel == "letter":
            missing = [m for m in missing if not m.startswith("address_line_")]
        if missing:
            return _bad_request(f"Missing personalisation: {', '.join(missing)}")
        reference = data.get("reference")
        if reference is not None and not isinstance(reference, str):
            return _error(400, "ValidationError", "reference is not of type string, null")
        to, problem = self._recipient(channel, data, given)
        if problem:
            return _error(400, "ValidationError", problem)
        body = _render(template.body, given)
        subject = _render(template.subject, given)
        notification_id = str(uuid.uuid4())
        now = _now()
        notification: dict[str, Any] = {
            "id": notification_id,
            "reference": reference,
            "type": channel,
            "to": to,
            "email_address": to if channel == "email" else None,
            "phone_number": to if channel == "sms" else None,
            "status": "created",
            "subject": subject or None,
            "body": body,
            "created_at": now,
            "sent_at": None,
            "completed_at": None,
            "template": {
                "id": template.id,
                "version": template.version,
                "uri": f"{self.url}/v2/template/{template.id}",
            },
            "outcome": _outcome(to),
        }
        for n in range(1, 8):
            notification[f"line_{n}"] = given.get(f"address_line_{n}")
        with self._lock:
            self._notifications[notification_id] = notification
        if self.echo:
            print(
                f"--- Notify {channel} to {to} ({notification_id})\n{subject}\n{body}\n---",
                flush=True,
            )
        if self.callback_url and self.callback_delay is not None:
            timer = threading.Timer(
                self.callback_delay, self.send_callback, args=(notification_id,)
            )
            timer.daemon = True
            timer.start()
        content: dict[str, Any] = {"body": body}
        if channel == "email":
            content.update(subject=subject, from_email="my.council@notifications.service.gov.uk")
        elif channel == "sms":
            content["from_number"] = "MyCouncil"
        else:
            content["subject"] = subject
        answer: dict[str, Any] = {
            "id": notification_id,
            "reference": reference,
            "content": content,
            "uri": f"{self.url}{PREFIX}/{notification_id}",
            "template": notification["template"],
        }
        if channel == "letter":
            answer["postage"] = "second"
        else:
            answer["scheduled_for"] = None
        return Response.json(answer, status=201)

    @staticmethod
    def _recipient(
        channel: str, data: dict[str, Any], personalisation: dict[str, Any]
    ) -> tuple[str, str]:
        """(who it goes to, "" or what is wrong with it), with Notify's messages."""
        if channel == "email":
            address = data.get("email_address")
            if not isinstance(address, str) or not re.fullmatch(
                r"[^@\s]+@[^@\s]+\.[^@\s]+", address.strip()
            ):
                return "", "email_address Not a valid email address"
            return address.strip(), ""
        if channel == "sms":
            number = data.get("phone_number")
            digits = re.sub(r"[\s().-]", "", number) if isinstance(number, str) else ""
            digits = re.sub(r"^(\+44|0044|44)", "0", digits)
            if not re.fullmatch(r"07\d{9}", digits):
                return "", "phone_number Not a UK mobile number"
            return digits, ""
        lines = [str(personalisation.get(f"address_line_{n}") or "").strip() for n in range(1, 8)]
        given = [line for line in lines if line]
        if len(given) < 3:
            return "", "Address must be at least 3 lines"
        postcode = re.sub(r"\s", "", given[-1]).upper()
        if not re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}", postcode):
            return "", "Must be a real UK postcode"
        return given[0], ""

    def _sent_today(self) -> int:
        today = _now()[:10]  # Notify counts its daily limits by the UTC date
        with self._lock:
            return sum(n["created_at"].startswith(today) for n in self._notifications.values())

    def _search(self, request: RecordedRequest) -> Response:
        reference = request.param("reference")
        status = request.param("status")
        template_type = request.param("template_type")
        with self._lock:
            found = [
                _public(n)
                for n in reversed(self._notifications.values())  # newest first, as Notify
                if (reference is None or n["reference"] == reference)
                and (status is None or n["status"] == status)
                and (template_type is None or n["type"] == template_type)
            ]
        return Response.json(
            {"notifications": found[:250], "links": {"current": f"{self.url}{PREFIX}"}}
        )

    def _one(self, notification_id: str) -> Response:
        if not _is_uuid(notification_id):
            return _error(400, "ValidationError", "notification_id is not a valid UUID")
        with self._lock:
            found = self._notifications.get(notification_id)
            public = _public(found) if found else None
        if public is None:
            return _error(404, "NoResultFound", "No result found")
        return Response.json(public)

    # --- Delivery receipts -----------------------------------------------------------------------

    def send_callback(self, notification_id: str, status: str | None = None) -> int | None:
        """Move the notification to its final `status` (by default what its recipient asks
        for) and POST the receipt to callback_url; returns the HTTP status of the answer, or
        None if there was none (nothing listening, a timeout)."""
        if status is not None and status not in FINAL_STATUSES:
            raise ValueError(f"unknown status {status!r}; known: {', '.join(FINAL_STATUSES)}")
        with self._lock:
            notification = self._notifications[notification_id]
            now = _now()
            notification["status"] = status or notification["outcome"]
            notification["sent_at"] = notification["sent_at"] or now
            notification["completed_at"] = now
            body = callback_body(notification)
        if not self.callback_url:
            return None
        request = urllib.request.Request(  # noqa: S310 - the URL is the test's or the demo's
            self.callback_url,
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.callback_token}",
            },
        )
        answer: int | None
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                answer = int(response.status)
        except urllib.error.HTTPError as exc:
            answer = int(exc.code)
        except (urllib.error.URLError, OSError):
            answer = None
        with self._lock:
            self.callbacks.append((notification_id, body["status"], answer))
        return answer

    def control(self, request: RecordedRequest) -> Response | None:
        if request.path == "/_notifications" and request.method == "GET":
            return Response.json({"notifications": self.notifications})
        match = re.fullmatch(r"/_notifications/([0-9a-f-]{36})/callback", request.path)
        if match and request.method == "POST":
            try:
                status = (request.json() or {}).get("status") if request.body else None
                answer = self.send_callback(match[1], status)
            except (ValueError, AttributeError) as exc:
                return Response.json({"error": str(exc)}, status=400)
            except KeyError:
                return Response.json({"error": "no such notification"}, status=404)
            return Response.json({"answer": answer})
        return super().control(request)


def _public(notification: dict[str, Any]) -> dict[str, Any]:
    """A notification as GET /v2/notifications shows it."""
    keys = (
        "id",
        "reference",
        "email_address",
        "phone_number",
        "type",
        "status",
        "template",
        "body",
        "subject",
        "created_at",
        "sent_at",
        "completed_at",
    )
    shown = {key: notification[key] for key in keys}
    for n in range(1, 8):
        shown[f"line_{n}"] = notification[f"line_{n}"]
    shown.update(postage=None, postcode=None, estimated_delivery=None, created_by_name=None)
    return shown


def _outcome(to: str) -> str:
    lowered = to.lower()
    if lowered.startswith("perm-fail@") or lowered == "07700900002":
        return "permanent-failure"
    if lowered.startswith("temp-fail@") or lowered == "07700900003":
        return "temporary-failure"
    if lowered.startswith("tech-fail@") or lowered == "07700900004":
        return "technical-failure"
    return "delivered"


def _render(text: str, personalisation: dict[str, Any]) -> str:
    return re.sub(
        r"\(\(([^()]+?)\)\)",
        lambda m: str(personalisation.get(m[1].strip().lower(), m[0])),
        text,
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _error(
    status: int, name: str, message: str, *, headers: dict[str, str] | None = None
) -> Response:
    return Response.json(
        {"status_code": status, "errors": [{"error": name, "message": message}]},
        status=status,
        headers=headers,
    )


def _bad_request(message: str) -> Response:
    return _error(400, "BadRequestError", message)


def _auth_error(message: str, *, status: int = 403, name: str = "AuthError") -> Response:
    return _error(status, name, message)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8108)
    parser.add_argument("--callback-url", default="", help="where delivery receipts are POSTed")
    parser.add_argument("--callback-token", default=DEMO_CALLBACK_TOKEN)
    parser.add_argument("--callback-delay", type=float, default=2.0)
    parser.add_argument("--echo", action="store_true", help="print each notification")
    parser.add_argument(
        "--daily-limit", type=int, default=None, help="refuse sends after this many a day (429)"
    )
    add_fault_arguments(parser)
    args = parser.parse_args(argv)
    simulator = NotifySimulator(
        callback_url=args.callback_url,
        callback_token=args.callback_token,
        callback_delay=args.callback_delay,
        daily_limit=args.daily_limit,
        echo=args.echo,
        host=args.host,
        port=args.port,
        seed=args.seed,
    )
    apply_fault_arguments(simulator, parser, args)
    print(f"NOTIFY_BASE_URL=http://{args.host}:{args.port} NOTIFY_API_KEY={simulator.api_key}")
    simulator.serve_forever()


if __name__ == "__main__":
    main()
