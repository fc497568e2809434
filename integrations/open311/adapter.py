"""An Open311 GeoReport v2 client: each submission becomes a service request on a council's server.

    POST {endpoint}/requests.json     form-encoded: api_key, jurisdiction_id, service_code, lat and
                                      long or address_string / address_id, email, first_name,
                                      last_name, phone, description, media_url, and
                                      attribute[<code>]=value for each mapped "attribute.<code>"
                                      (a list becomes attribute[<code>][]=... per the spec)
    -> [{"service_request_id": ...}]  the reference
    -> [{"token": "..."}]             GET {endpoint}/tokens/{token}.json until it names the request

Files. GeoReport v2 takes one media_url, a link the server downloads when the request arrives.
Every file in the payload (mapped onto "files", "media_url" or any field: a file is not a form
value) travels in the one POST as a signed link of the portal's (DeliveryFile.signed_url):
    media_url                         the first photo (image/*), else the first file; a link
                                      mapped onto media_url as text stays, and no file takes it
    the description, before the key   "Files:" then a line per other file,
                                      "council letter.pdf (application/pdf, 48 KB): <link>"
    attribute[<code>][]=<link>        instead, one per other file, when the connection's
                                      `files_attribute` names the service's attribute for files
                                      (an attribute.<code> mapped with a value is then refused)
Since the files ride in the request, they are sent exactly as often as it is: once, given the lookup
below. One call makes the whole record, so there is no progress to keep between attempts
(integrations.base.Progress is for systems that take a case and its files in several calls). A file
that retention deleted fails the delivery permanently before anything is sent.

Idempotency. GeoReport v2 has none: a server makes a new request for every POST, and no server
can be relied on to recognise attribute[portal_reference]. So the delivery's key travels where a
lookup can see it, at the end of the description ("Portal reference: <key>", or in a field of the
server's own that `reference_field` names), besides attribute[portal_reference] for servers that
do honour it. Every attempt after the first may follow one that reached the server unseen (an
answer lost, a timeout after sending, a worker killed mid-call), so `redeliver` first asks
    GET {endpoint}/requests.json?service_code=..&start_date=..&end_date=..
for the requests made since the first attempt (less a margin for the server's clock), and adopts
the one carrying the key instead of POSTing again; only if none does is the request sent. If the
lookup fails, nothing is sent: the attempt fails with the lookup's error (a retry looks again).
A POST that got no answer puts the next attempt off for `unanswered_wait` seconds: the server
may still be working on it, and a lookup before it is done would find nothing.
A token that never resolves within `poll_token_attempts` is a TransientError for the same reason:
the retry finds the request by its description. docs/idempotency.md has every adapter's story.

Errors. The HTTP status decides, as for every HTTP adapter (integrations.http.error_for): 408,
425, 429 and 5xx retry, 401/403 are refused credentials, other 4xx refusals. The spec's error array
[{"code": 400, "description": "..."}] is added to the message, redacted of what we sent; an array
inside a 2xx answer is judged by its own codes (5xx transient, anything else permanent).

Case updates. What the resident later says (a reply, a reopening, "not fixed") goes as
FixMyStreet's Open311 update extension sends a citizen's update:
    POST {endpoint}/servicerequestupdates.json   form-encoded: api_key, jurisdiction_id,
                                      service_request_id, update_id (the portal's), status
                                      (OPEN: each of the three asks the council to act),
                                      updated_datetime (when the resident sent it), description
                                      (the text, links to the other files, then "Portal update:
                                      <key>"), media_url (the first photo, else the first file)
    -> [{"update_id": ...}]           the server's id for the update
Its files ride in that one POST as links, as a request's do. The extension has no idempotency
either (a server makes a new update per POST), so `resend_update` first asks
    GET {endpoint}/servicerequestupdates.json?service_request_id=..&start_date=..&end_date=..
(from when the resident sent it, less the clock margin, to now plus it) and adopts the update
whose description carries the key; only if none does is it POSTed. A failed lookup sends
nothing. `fetch_updates` skips the updates the portal posted itself: they are not news.

Status back. `fetch_updates(since)` reads GET servicerequestupdates.json (the extension most
servers have; `updates_extension`, on by default) or else GET requests.json, whose open/closed
and status_notes become updates. Note that the spec filters requests.json's start_date on when a
request was made, and some servers follow it: those only report requests made since.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from integrations.base import (
    Adapter,
    CaseUpdateOut,
    DeliveryError,
    DeliveryFile,
    PermanentError,
    Progress,
    Redelivered,
    StatusUpdate,
    TargetField,
    TransientError,
    files_in,
    lookup_failed,
    unanswered,
)
from integrations.files import as_text, is_item_list, items_text
from integrations.http import client, error_for, excerpt_of, send_errors
from integrations.open311 import config as options
from integrations.open311.config import Open311Config
from integrations.registry import registry

logger = logging.getLogger(__name__)

MAX_REFERENCE_LENGTH = 200  # what a delivery can store
ATTRIBUTE_PREFIX = "attribute."
# Where the delivery's idempotency key travels: attribute[portal_reference].
REFERENCE_ATTRIBUTE = options.PORTAL_REFERENCE_ATTRIBUTE
_ATTRIBUTE_CODE = re.compile(r"^[^\s\[\]&=#?/]+$")
# How the key is written at the end of the description, where a lookup finds it again.
REFERENCE_LABEL = "Portal reference: "
# The heading of the links to the files that are not the media_url, in the description.
FILES_LABEL = "Files:"
# How a case update's key is written at the end of its description, for the same reason.
UPDATE_LABEL = "Portal update: "
# Every kind of case update asks the council to look at the request again.
UPDATE_STATUS = "OPEN"
MEDIA_URL = "media_url"
DESCRIPTION = "description"
FILES = "files"
# The lookup's window starts this long before the first attempt: the server's clock may differ
# from ours, and a request it stamped a little early must still be found.
LOOKUP_CLOCK_MARGIN = timedelta(minutes=15)

# Spec fields sent as they are (besides lat/long, checked as a pair, and service_code).
_PLAIN_FIELDS = (
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
)


@registry.register
class Open311Adapter(Adapter):
    id = "open311"
    name = "Open311 (GeoReport v2)"
    config_serializer = Open311Config
    target_fields = (
        TargetField(
            "service_code",
            description="The Open311 service, when the destination does not fix one",
        ),
        TargetField("lat", type="number", description="Latitude (WGS84), with long"),
        TargetField("long", type="number", description="Longitude (WGS84), with lat"),
        TargetField("address_string", description="The address, if there is no lat/long"),
        TargetField("address_id", description="The server's own id for the address"),
        TargetField("email"),
        TargetField("device_id"),
        TargetField("account_id"),
        TargetField("first_name"),
        TargetField("last_name"),
        TargetField("phone"),
        TargetField("description", description="What the resident reported"),
        TargetField(
            "media_url",
            description="A photo question, or a link to a photo: see 'files'",
        ),
        TargetField(
            FILES,
            type="array",
            description="Photos and documents: the first photo becomes media_url, the others "
            "are sent as links (in the description, or the connection's files attribute)",
        ),
    )
    # Plus "attribute.<code>" for each of the service's attributes: see accepts_target_field.
    accepts_any_fields = False
    sends_updates = True

    @classmethod
    def accepts_target_field(cls, name: str) -> bool:
        code = _attribute_code(name)
        if code is not None:
            return code != REFERENCE_ATTRIBUTE  # the portal sets that one itself
        return super().accepts_target_field(name)

    def deliver(
        self, payload: Mapping[str, Any], idempotency_key: str, progress: Progress | None = None
    ) -> str:
        placed = self._place_files(payload)
        form = self._form(payload, idempotency_key, placed)
        return self._post(form, _as_sent(payload, placed))

    def redeliver(
        self,
        payload: Mapping[str, Any],
        idempotency_key: str,
        first_attempt_at: datetime,
        progress: Progress | None = None,
    ) -> Redelivered:
        placed = self._place_files(payload)
        form = self._form(payload, idempotency_key, placed)  # a payload it refuses is refused first
        existing = self._look_up(form, _as_sent(payload, placed), idempotency_key, first_attempt_at)
        if existing is not None:
            logger.info("open311 adopted an existing request", extra={"host": self._host()})
            return Redelivered.adopted(existing)  # its files came in the same POST
        return Redelivered.sent(self.deliver(payload, idempotency_key, progress))

    def send_update(
        self,
        reference: str,
        update: CaseUpdateOut,
        idempotency_key: str,
        progress: Progress | None = None,
    ) -> str:
        if progress is not None and progress.reference:
            return progress.reference  # an earlier attempt's answer said it was made
        form, shown = self._update_form(reference, update, idempotency_key)
        try:
            response = self._send("POST", "servicerequestupdates.json", shown, data=form)
        except DeliveryError as exc:
            unanswered(
                exc, float(self.config.get("unanswered_wait", options.DEFAULT_UNANSWERED_WAIT))
            )
            raise
        update_id = _first_text(_checked_answer(response, shown), "update_id")
        if update_id is None:
            raise PermanentError(
                f"The Open311 server answered {response.status_code} without an update_id, "
                "so the update cannot be confirmed",
                status_code=response.status_code,
                excerpt=excerpt_of(response, shown),
            )
        logger.info("open311 sent an update", extra={"host": response.request.url.host})
        return self._recorded(update_id, update, progress)

    def resend_update(
        self,
        reference: str,
        update: CaseUpdateOut,
        idempotency_key: str,
        progress: Progress | None = None,
    ) -> str:
        if progress is not None and progress.reference:
            return progress.reference
        existing = self._look_up_update(reference, update, idempotency_key)
        if existing is not None:
            logger.info("open311 adopted an existing update", extra={"host": self._host()})
            return self._recorded(existing, update, progress)  # its files came in its POST
        return self.send_update(reference, update, idempotency_key, progress)

    def _update_form(
        self, reference: str, update: CaseUpdateOut, idempotency_key: str
    ) -> tuple[list[tuple[str, str]], dict[str, Any]]:
        """The update's form, and what excerpts are redacted of."""
        placed = self._place_files({FILES: list(update.files)})
        description = _with_file_links(
            update.text.strip(), [p for p in placed if p.place != MEDIA_URL]
        )
        form: list[tuple[str, str]] = [("api_key", str(self.config["api_key"]))]
        if self.config.get("jurisdiction_id"):
            form.append(("jurisdiction_id", str(self.config["jurisdiction_id"])))
        form += [
            ("service_request_id", reference),
            ("update_id", update.update_id),
            ("status", UPDATE_STATUS),
            ("updated_datetime", _w3c(_aware(update.sent_at))),
            ("description", _with_update_reference(description, idempotency_key)),
        ]
        form += [(MEDIA_URL, p.url) for p in placed if p.place == MEDIA_URL]
        return form, {"text": update.text, "_links": [p.url for p in placed]}

    def _look_up_update(
        self, reference: str, update: CaseUpdateOut, idempotency_key: str
    ) -> str | None:
        """The server's id of the update an earlier attempt made, or None; raises if it cannot
        tell."""
        params = {
            **self._jurisdiction(),
            "service_request_id": reference,
            "start_date": _w3c(_aware(update.sent_at) - LOOKUP_CLOCK_MARGIN),
            "end_date": _w3c(datetime.now(UTC) + LOOKUP_CLOCK_MARGIN),
        }
        marker = f"{UPDATE_LABEL}{idempotency_key}"
        try:
            answer = _checked_answer(
                self._send("GET", "servicerequestupdates.json", {}, params=params), {}
            )
            matches = [
                item
                for item in answer
                if isinstance(item, Mapping)
                and str(item.get("service_request_id")) == reference
                and isinstance(item.get("description"), str)
                and marker in item["description"].splitlines()
            ]
            if not matches:
                return None
            oldest = min(matches, key=lambda item: str(item.get("updated_datetime") or ""))
            update_id = _first_text([oldest], "update_id")
            if update_id is None:
                raise TransientError(
                    "The Open311 server lists the update without a usable update_id"
                )
            return update_id
        except DeliveryError as exc:
            raise lookup_failed(exc) from exc

    @staticmethod
    def _recorded(update_id: str, update: CaseUpdateOut, progress: Progress | None) -> str:
        """Keep on `progress` that the update and (in the same POST) its files were sent."""
        if progress is not None:
            progress.record_reference(update_id)
            for upload in update.files:
                progress.record_file(upload)
        return update_id

    def _post(self, form: list[tuple[str, str]], payload: Mapping[str, Any]) -> str:
        """POST the request; its id. `payload` is what excerpts are redacted of."""
        try:
            response = self._send("POST", "requests.json", payload, data=form)
        except DeliveryError as exc:
            unanswered(
                exc, float(self.config.get("unanswered_wait", options.DEFAULT_UNANSWERED_WAIT))
            )
            raise
        answer = _checked_answer(response, payload)
        reference = _reference(answer)
        if reference is None:
            token = _first_text(answer, "token")
            if token is None:
                raise PermanentError(
                    f"The Open311 server answered {response.status_code} without a "
                    "service_request_id or a token, so the request cannot be confirmed",
                    status_code=response.status_code,
                    excerpt=excerpt_of(response, payload),
                )
            reference = self._resolve_token(token, payload)
        logger.info(
            "open311 delivered",
            extra={"status": response.status_code, "host": response.request.url.host},
        )
        return reference

    def check_connection(self) -> None:
        response = self._send("GET", "services.json", {}, params=self._jurisdiction())
        services = _checked_answer(response, {})
        code = self.config.get("service_code")
        if not code:
            return
        offered = {
            str(service.get("service_code")) for service in services if isinstance(service, Mapping)
        }
        if code not in offered:
            raise PermanentError(
                f"The Open311 server does not offer service {code!r} "
                f"({len(offered)} services listed); check the destination's service code",
                status_code=response.status_code,
            )

    def fetch_updates(self, since: datetime | None) -> list[StatusUpdate]:
        params = self._jurisdiction()
        if since is not None:
            since = since if since.tzinfo else since.replace(tzinfo=UTC)
            params["start_date"] = _w3c(since)
            params["end_date"] = _w3c(datetime.now(UTC))
        if self.config.get("updates_extension", True):
            response = self._send("GET", "servicerequestupdates.json", {}, params=params)
            updates = [_update_from_extension(item) for item in _checked_answer(response, {})]
        else:
            response = self._send("GET", "requests.json", {}, params=params)
            updates = [_update_from_request(item) for item in _checked_answer(response, {})]
        # The updates the portal posted itself (a resident's reply) are not news to it.
        updates = [u for u in updates if u is None or not _is_portal_update(u.description)]
        good = [u for u in updates if u is not None]
        if len(good) < len(updates):
            logger.warning(
                "open311 skipped malformed updates",
                extra={"skipped": len(updates) - len(good), "host": response.request.url.host},
            )
        # start_date is inclusive and the feed's clock has whole seconds, so an update at exactly
        # `since` is kept: the portal recognises one it has seen by its update id.
        if since is not None:
            good = [u for u in good if u.occurred_at >= since]
        return sorted(good, key=lambda u: (u.occurred_at, u.update_id))

    # --- The request -----------------------------------------------------------------------------

    def _place_files(self, payload: Mapping[str, Any]) -> list[_Placed]:
        """Where each file in the payload goes: the first photo (else the first file) is the
        media_url, unless a link was mapped there; the others go as links in the description,
        or in the connection's files attribute. Links are made here, once per attempt."""
        uploads = list(files_in(payload))
        if not uploads:
            return []
        media: DeliveryFile | None = None
        if not isinstance(_without_files(payload.get(MEDIA_URL)), str):
            photos = [u for u in uploads if u.content_type.startswith("image/")]
            media = (photos or uploads)[0]
        code = self.config.get("files_attribute")
        others = f"attribute[{code}]" if code else DESCRIPTION
        return [
            _Placed(upload, upload.signed_url(), MEDIA_URL if upload is media else others)
            for upload in uploads
        ]

    def _form(
        self, payload: Mapping[str, Any], idempotency_key: str, placed: Sequence[_Placed] = ()
    ) -> list[tuple[str, str]]:
        service_code = _text(payload.get("service_code")) or str(
            self.config.get("service_code") or ""
        )
        if not service_code:
            raise PermanentError(
                "No Open311 service code: set one on the destination or map 'service_code'"
            )
        if _without_files(payload.get(FILES)) is not None:
            raise PermanentError(
                f"Field {FILES!r} takes only files (photo and document questions); "
                "map other values to 'description' or an attribute"
            )
        form: list[tuple[str, str]] = [("api_key", str(self.config["api_key"]))]
        if self.config.get("jurisdiction_id"):
            form.append(("jurisdiction_id", str(self.config["jurisdiction_id"])))
        form.append(("service_code", service_code))

        lat, long = payload.get("lat"), payload.get("long")
        has_position = _present(lat) or _present(long)
        if has_position:
            form += [("lat", _coordinate(lat, "lat", 90)), ("long", _coordinate(long, "long", 180))]
        for name in _PLAIN_FIELDS:
            value = _text(_without_files(payload.get(name)), name)
            if name == MEDIA_URL:
                value = next((p.url for p in placed if p.place == MEDIA_URL), value)
            if name == DESCRIPTION:
                value = _with_file_links(value, [p for p in placed if p.place == DESCRIPTION])
                if self._reference_in_description():
                    value = _with_reference(value, idempotency_key)
            if value:
                form.append((name, value))
        names = {name for name, _ in form}
        if not has_position and not names & {"address_string", "address_id"}:
            raise PermanentError(
                "Open311 needs a location: map lat and long, address_string or address_id"
            )

        files_attribute = self.config.get("files_attribute")
        for target, value in payload.items():
            code = _attribute_code(target)
            value = _without_files(value)
            if code is None or code == REFERENCE_ATTRIBUTE or value is None:
                continue
            if code == files_attribute:
                raise PermanentError(
                    f"Field {target!r} is where this connection sends file links; map the "
                    "files to 'files' or 'media_url', or the value to another attribute"
                )
            if is_item_list(value):  # a list question's items: one value each, its answers
                form += [(f"attribute[{code}][]", as_text(item)) for item in value]
            elif isinstance(value, list | tuple):
                form += [(f"attribute[{code}][]", _text(item, target)) for item in value]
            elif _present(value):
                form.append((f"attribute[{code}]", _text(value, target)))
        form += [(f"{p.place}[]", p.url) for p in placed if p.place.startswith("attribute[")]
        form.append((f"attribute[{REFERENCE_ATTRIBUTE}]", idempotency_key))
        return form

    def _look_up(
        self,
        form: list[tuple[str, str]],
        payload: Mapping[str, Any],
        idempotency_key: str,
        since: datetime,
    ) -> str | None:
        """The id of a request an earlier attempt made, or None; raises if it cannot tell."""
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
        now = datetime.now(UTC)
        params = {
            **self._jurisdiction(),
            "service_code": dict(form)["service_code"],
            "start_date": _w3c(since - LOOKUP_CLOCK_MARGIN),
            "end_date": _w3c(now + LOOKUP_CLOCK_MARGIN),
        }
        field = str(self.config.get("reference_field") or options.DEFAULT_REFERENCE_FIELD)
        try:
            answer = _checked_answer(
                self._send("GET", "requests.json", payload, params=params), payload
            )
            matches = [
                item
                for item in answer
                if isinstance(item, Mapping)
                and isinstance(item.get(field), str)
                and idempotency_key in item[field]
            ]
            if not matches:
                return None
            # Should doubles already exist (a server once forgiving), the oldest is the record.
            oldest = min(matches, key=lambda item: str(item.get("requested_datetime") or ""))
            reference = _reference([oldest])
            if reference is None:
                raise TransientError(
                    "The Open311 server lists the request without a usable service_request_id"
                )
            return reference
        except DeliveryError as exc:
            raise lookup_failed(exc) from exc

    def _host(self) -> str:
        return httpx.URL(str(self.config["endpoint"])).host

    def _resolve_token(self, token: str, payload: Mapping[str, Any]) -> str:
        attempts = int(self.config.get("poll_token_attempts", options.DEFAULT_POLL_TOKEN_ATTEMPTS))
        interval = float(
            self.config.get("poll_token_interval", options.DEFAULT_POLL_TOKEN_INTERVAL)
        )
        for attempt in range(attempts):
            if attempt:
                time.sleep(interval)
            response = self._send(
                "GET", f"tokens/{quote(token, safe='')}.json", payload, params=self._jurisdiction()
            )
            if response.status_code == 404:
                continue  # some servers only know a token once it is processed
            reference = _reference(_checked_answer(response, payload))
            if reference is not None:
                return reference
        # The server has the request; the retry's lookup finds it by its description.
        raise TransientError(
            f"The Open311 server accepted the request with a token that named no request "
            f"after {attempts} polls; trying again later"
        )

    def _reference_in_description(self) -> bool:
        field = self.config.get("reference_field") or options.DEFAULT_REFERENCE_FIELD
        return bool(field == options.DEFAULT_REFERENCE_FIELD)

    def _jurisdiction(self) -> dict[str, str]:
        jurisdiction = self.config.get("jurisdiction_id")
        return {"jurisdiction_id": str(jurisdiction)} if jurisdiction else {}

    def _send(
        self,
        method: str,
        path: str,
        payload: Mapping[str, Any],
        *,
        data: list[tuple[str, str]] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        url = f"{self.config['endpoint']}/{path}"
        timeout = httpx.Timeout(
            float(self.config.get("read_timeout") or options.DEFAULT_READ_TIMEOUT),
            connect=float(self.config.get("connect_timeout") or options.DEFAULT_CONNECT_TIMEOUT),
        )
        headers = {"Accept": "application/json"}
        content = None
        if data is not None:
            content = urlencode(data).encode()  # keeps repeated keys: attribute[code][]
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        # An answer lost after the server committed is what redeliver's lookup is for.
        with send_errors():
            return client().request(
                method, url, content=content, params=params, headers=headers, timeout=timeout
            )


# --- Answers -------------------------------------------------------------------------------------


def _checked_answer(response: httpx.Response, payload: Mapping[str, Any]) -> list[Any]:
    """The JSON array of a successful answer, or the DeliveryError it means."""
    status = response.status_code
    if not 200 <= status < 300:
        raise _with_descriptions(error_for(response, payload), response, payload)
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if isinstance(answer, Mapping):
        answer = [answer]  # a few servers answer a single object
    if not isinstance(answer, list):
        raise PermanentError(
            f"The Open311 server answered {status} with something other than a JSON array",
            status_code=status,
            excerpt=excerpt_of(response, payload),
        )
    codes = _error_codes(answer)
    if codes:
        error_class = TransientError if any(c >= 500 for c in codes) else PermanentError
        error = error_class(
            f"The Open311 server answered {status} with an error",
            status_code=codes[0],
            excerpt=excerpt_of(response, payload),
        )
        raise _with_descriptions(error, response, payload)
    return answer


def _error_codes(answer: list[Any]) -> list[int]:
    """The codes of an error array; empty if the answer is not one."""
    codes: list[int] = []
    for item in answer:
        if not isinstance(item, Mapping) or "description" not in item:
            return []
        if "service_request_id" in item or "token" in item:
            return []
        try:
            codes.append(int(item["code"]))
        except (KeyError, TypeError, ValueError):
            return []
    return codes


def _with_descriptions(
    error: DeliveryError, response: httpx.Response, payload: Mapping[str, Any]
) -> DeliveryError:
    """`error` with the spec's error descriptions added, blanked of anything we sent."""
    try:
        answer = response.json()
    except ValueError:
        return error
    items = answer if isinstance(answer, list) else [answer]
    described = [
        f"{item.get('code', '?')} {item['description']}"
        for item in items
        if isinstance(item, Mapping) and isinstance(item.get("description"), str)
    ]
    if not described:
        return error
    text = "; ".join(described)
    # excerpt_of is the one redaction there is: give it the descriptions as an answer's body.
    redacted = excerpt_of(httpx.Response(response.status_code, content=text.encode()), payload)
    redacted = redacted.partition(" ")[2]
    error.message = f"{error.message}. Open311 error: {redacted}"
    error.args = (error.message,)
    return error


def _reference(answer: list[Any]) -> str | None:
    value = _first(answer, "service_request_id")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    reference = str(value).strip()
    return reference if 0 < len(reference) <= MAX_REFERENCE_LENGTH else None


def _first(answer: list[Any], name: str) -> Any:
    for item in answer:
        if isinstance(item, Mapping) and item.get(name) not in (None, ""):
            return item[name]
    return None


def _first_text(answer: list[Any], name: str) -> str | None:
    value = _first(answer, name)
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None


def _update_from_extension(item: Any) -> StatusUpdate | None:
    """One servicerequestupdates entry; the back office's own code is the most specific status."""
    if not isinstance(item, Mapping):
        return None
    update_id, reference = _id(item.get("update_id")), _id(item.get("service_request_id"))
    occurred = _datetime(item.get("updated_datetime"))
    status = _id(item.get("external_status_code")) or _id(item.get("status"))
    if not (update_id and reference and occurred and status):
        return None
    description = item.get("description")
    return StatusUpdate(
        update_id=update_id,
        external_reference=reference,
        status=status,
        occurred_at=occurred,
        description=description if isinstance(description, str) else "",
    )


def _update_from_request(item: Any) -> StatusUpdate | None:
    """A request's current state as an update, its id made of the request, status and time."""
    if not isinstance(item, Mapping):
        return None
    reference, status = _id(item.get("service_request_id")), _id(item.get("status"))
    raw_time = item.get("updated_datetime") or item.get("requested_datetime")
    occurred = _datetime(raw_time)
    if not (reference and status and occurred):
        return None
    notes = item.get("status_notes")
    return StatusUpdate(
        update_id=f"{reference}:{status}:{raw_time}",
        external_reference=reference,
        status=status,
        occurred_at=occurred,
        description=notes if isinstance(notes, str) else "",
    )


# --- Values --------------------------------------------------------------------------------------


def _attribute_code(name: str) -> str | None:
    if not name.startswith(ATTRIBUTE_PREFIX):
        return None
    code = name[len(ATTRIBUTE_PREFIX) :]
    return code if _ATTRIBUTE_CODE.match(code) else None


@dataclass(frozen=True)
class _Placed:
    """A file of the request, the link it is sent as, and where: "media_url", "description" or
    "attribute[<code>]"."""

    upload: DeliveryFile
    url: str
    place: str


def _without_files(value: Any) -> Any:
    """`value` with its files taken out (they are placed by _place_files); None if it was only
    files."""
    if isinstance(value, DeliveryFile):
        return None
    if isinstance(value, list | tuple) and any(isinstance(v, DeliveryFile) for v in value):
        rest = [v for v in value if not isinstance(v, DeliveryFile)]
        return rest or None
    return value


def _with_file_links(description: str, placed: Sequence[_Placed]) -> str:
    """The description with a line per file: "name (type, size): link"."""
    if not placed:
        return description
    lines = [FILES_LABEL] + [
        f"{' '.join(p.upload.name.split())} ({p.upload.content_type}, "
        f"{size_text(p.upload.size)}): {p.url}"
        for p in placed
    ]
    block = "\n".join(lines)
    return f"{description}\n\n{block}" if description else block


def size_text(size: int) -> str:
    """A file's size as people write it: 930 bytes, 48 KB, 2.4 MB."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _as_sent(payload: Mapping[str, Any], placed: Sequence[_Placed]) -> dict[str, Any]:
    """The payload plus the links sent, which excerpts must not show either."""
    return {**payload, "_links": [p.url for p in placed]}


def _with_reference(description: str, idempotency_key: str) -> str:
    line = f"{REFERENCE_LABEL}{idempotency_key}"
    return f"{description}\n\n{line}" if description else line


def _with_update_reference(description: str, idempotency_key: str) -> str:
    line = f"{UPDATE_LABEL}{idempotency_key}"
    return f"{description}\n\n{line}" if description else line


def _is_portal_update(description: str) -> bool:
    return any(line.startswith(UPDATE_LABEL) for line in description.splitlines())


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _present(value: Any) -> bool:
    return value is not None and value != ""


def _text(value: Any, field: str = "") -> str:
    """A form value; an error names the field and type, never the value (it may be personal)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value).strip()
    if is_item_list(value):  # a list question's items in a text field: one numbered line each
        return items_text(value)
    raise PermanentError(
        f"Field {field!r} is {type(value).__name__}, which Open311 cannot send; map it to text"
    )


def _coordinate(value: Any, name: str, limit: int) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not -limit <= number <= limit:  # also catches NaN and the missing half of a pair
        raise PermanentError(
            f"Field {name!r} must be a number from -{limit} to {limit}: map lat and long together"
        )
    return repr(number)


def _id(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    return text or None


def _datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _w3c(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
