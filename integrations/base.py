"""The contract every back-office adapter follows.

An adapter turns a mapped payload into a record in one back-office system, speaking that system's
own protocol, and says whether a failure is worth retrying. It knows nothing of models or views:
the delivery engine in `services` gives it a payload and an idempotency key and records what
happens.

    @registry.register
    class WebhookAdapter(Adapter):
        id = "webhook"
        name = "JSON webhook"
        config_serializer = WebhookConfig           # validated when an admin saves a connection
        accepts_any_fields = True                   # or: target_fields = (TargetField(...), ...)

        def deliver(self, payload, idempotency_key):
            ...                                     # returns the back office's reference
            raise TransientError("503 from the back office", status_code=503)

The one required method is `deliver`. It must be safe to call again with the same idempotency
key: a retry after a lost response must find the first record, never create a second.

Files. A payload carries each file the resident sent as a `DeliveryFile` (or a list of them),
wherever the mapping put it: its name, its type (checked by content when it was uploaded), size,
SHA-256, `read()` for the bytes and `signed_url()` for a link this connection may fetch it by.
Adapters never touch storage or models. An adapter sends a case's files in its system's native
way, each exactly once, and keeps count on the `Progress` it is given: a delivery that made the
case but failed on its third file resumes at the third file, never making the case again nor
sending a file the back office already accepted:

        def deliver(self, payload, idempotency_key, progress=None):
            progress = progress or Progress()
            reference = progress.reference or self._create_case(payload, idempotency_key)
            progress.record_reference(reference)     # kept before any file is sent
            for upload in files_in(payload):
                if not progress.done(upload):
                    progress.record_file(upload, self._attach(reference, upload, idempotency_key))
            return reference

A file call whose answer was lost (the back office kept it, the portal never heard) is not in the
progress, so the adapter must still make each file call idempotent in its system's own way (a
lookup by a deterministic key, a client reference of the delivery's key plus the file's hash).

Every attempt after a delivery's first calls `redeliver` instead: an earlier attempt may have
reached the back office even if nothing says so (its answer was lost, or its worker was killed
mid-call and left no record at all). By default it is `deliver`, which is right for protocols
whose idempotency key finds the first record; an adapter whose protocol has no such key (Open311)
looks the record up there first and adopts it. docs/idempotency.md says what each adapter does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from rest_framework import serializers

from integrations.options import credentials_in_address_message, has_credentials

# An excerpt of a back office's answer kept on an attempt: enough to diagnose, too short to hold
# much of anything personal. Adapters must still never put payload values into it.
EXCERPT_LENGTH = 200


class DeliveryError(Exception):
    """A delivery failed. `permanent` says whether trying again could ever help.

    `status_code` is the back office's status (HTTP or its own code) if it answered;
    `retry_after` is how many seconds it asked us to wait, if it said; `excerpt` is a short,
    sanitised part of its answer for people diagnosing the failure.
    """

    permanent: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        status_code: int | str | None = None,
        retry_after: float | None = None,
        excerpt: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.retry_after = retry_after
        self.excerpt = excerpt[:EXCERPT_LENGTH]


class TransientError(DeliveryError):
    """Worth retrying later: the system is down, slow, overloaded, or the answer was lost."""

    permanent = False


class PermanentError(DeliveryError):
    """Retrying cannot help (the payload is refused, the credentials are wrong): tell people."""

    permanent = True


@dataclass(frozen=True)
class Redelivered:
    """What a repeat attempt came to: the back office's reference, and a note for staff on how
    it was got ("ambiguous: looked up, adopted SR-123"), kept on the attempt."""

    reference: str
    note: str = ""

    @classmethod
    def adopted(cls, reference: str) -> Redelivered:
        """The lookup found the record an earlier attempt made: no second one was sent."""
        return cls(reference, note=f"ambiguous: looked up, adopted {reference}")

    @classmethod
    def sent(cls, reference: str) -> Redelivered:
        """The lookup found nothing, so the record was sent (again)."""
        return cls(reference, note="ambiguous: looked up, none found, sent")


def unanswered(exc: DeliveryError, wait: float) -> None:
    """Mark `exc`, if it is a request that got no answer at all (a timeout, a dropped connection: it
    may be in the back office's hands still), with the next attempt put off for `wait` seconds.
    For adapters that look the record up before sending again: a lookup while the first request
    is still being worked on would find nothing, and the retry would make a second record."""
    if not exc.permanent and exc.status_code is None:
        exc.retry_after = max(exc.retry_after or 0.0, wait)


def lookup_failed(exc: DeliveryError) -> DeliveryError:
    """The error of an attempt whose lookup failed with `exc`: of the same kind (a retry looks
    again; a refusal tells people), saying that nothing was sent, since sending blind could make
    a second record."""
    return type(exc)(
        "ambiguous: an earlier attempt may have made the record and looking it up failed, "
        f"so it was not sent again: {exc.message}",
        status_code=exc.status_code,
        retry_after=exc.retry_after,
        excerpt=exc.excerpt,
    )


@dataclass(frozen=True, eq=False)
class DeliveryFile:
    """One file the resident sent, as an adapter finds it in a payload.

    `id` is stable for the submission (its question, and place if it has several) and is the key
    of per-file progress; `name` is the resident's name for it, made safe to use as a file name
    and ending in the extension of its real type; `content_type`, `size` and `sha256` were
    established from the bytes when it was uploaded.

    The delivery engine makes these with `opener` and `linker` bound to the portal's storage and
    the connection; tests and tools make them with `from_bytes`.
    """

    id: str
    name: str
    content_type: str
    size: int
    sha256: str
    opener: Callable[[], bytes] = field(repr=False)
    linker: Callable[[], str] = field(repr=False)

    def read(self) -> bytes:
        """The file's bytes. PermanentError if it is gone (deleted by retention) or no longer
        what was uploaded; TransientError if storage cannot be read just now."""
        data = self.opener()
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise PermanentError(f"The file {self.name!r} has changed since it was uploaded")
        return data

    def signed_url(self) -> str:
        """A link by which this connection's system may fetch the file, for a limited time.
        PermanentError if the file is gone."""
        return self.linker()

    def describe(self) -> dict[str, Any]:
        """The file as JSON-friendly facts, without its bytes or link."""
        return {
            "name": self.name,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }

    @classmethod
    def from_bytes(
        cls, id: str, name: str, content_type: str, data: bytes, url: str = ""
    ) -> DeliveryFile:
        """A file held in memory (tests, previews): `url` is what signed_url() gives."""
        return cls(
            id=id,
            name=name,
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            opener=lambda: data,
            linker=lambda: url,
        )


def files_in(payload: Mapping[str, Any]) -> Iterator[DeliveryFile]:
    """Each distinct file in `payload`, in payload order, at the top level or in a list."""
    seen: set[str] = set()
    for value in payload.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, DeliveryFile) and item.id not in seen:
                seen.add(item.id)
                yield item


class Progress:
    """What earlier attempts at one delivery got done, so that a retry resumes where they
    stopped instead of making the case again or re-sending an accepted file.

    `reference` is the back office's reference of the case an earlier attempt made ("" if none
    is known); `files` maps each accepted file's id to the back office's id for it ("" if it
    gives none). The delivery engine passes one it keeps in the database (saved at each record_*
    call, before the adapter goes on); this base class keeps it in memory only.
    """

    def __init__(self, reference: str = "", files: Mapping[str, str] | None = None) -> None:
        self.reference = reference
        self.files: dict[str, str] = dict(files or {})

    def done(self, upload: DeliveryFile) -> bool:
        return upload.id in self.files

    def record_reference(self, reference: str) -> None:
        """The case now exists in the back office as `reference`."""
        if reference != self.reference:
            self.reference = reference
            self.save()

    def record_file(self, upload: DeliveryFile, remote_id: str = "") -> None:
        """The back office accepted `upload` (as `remote_id`, if it names it)."""
        if self.files.get(upload.id) == remote_id and upload.id in self.files:
            return
        self.files[upload.id] = remote_id
        self.save()

    def save(self) -> None:
        """Keep the progress; raise TransientError if it cannot be kept (then the adapter stops:
        going on would do work no later attempt knows of)."""


@dataclass(frozen=True)
class TargetField:
    """A field the back office accepts, which an admin maps answers onto."""

    name: str
    required: bool = False
    description: str = ""
    # "string", "integer", "number", "boolean", "date", "datetime", "object", "array"
    type: str = "string"


@dataclass(frozen=True)
class StatusUpdate:
    """A change of a case's status reported by a back office (callback or feed).

    `update_id` is the back office's own id for the update, so repeats are recognised;
    `external_reference` is the case it belongs to; `status` is the back office's own status,
    which a connection's status mapping turns into a portal status.
    """

    update_id: str
    external_reference: str
    status: str
    occurred_at: datetime
    description: str = ""


@dataclass(frozen=True)
class CaseUpdateOut:
    """What the resident said about a case, for the back office that holds it: a reply to a
    request for information, a reopening, or "not fixed".

    `update_id` is the portal's stable id of this update, the same on every retry: adapters
    derive from it whatever their protocol uses to recognise a repeat (a header, a Message-ID,
    a file name, a client reference). `files` are the resident's files with the update, sent in
    the system's native way, each exactly once (see `Progress`).
    """

    kind: str  # "reply" | "reopen" | "not_fixed"
    text: str
    files: tuple[DeliveryFile, ...]
    sent_at: datetime
    update_id: str  # stable id of this update, the same on every retry


class Adapter:
    """Base class of adapters: set the class attributes, implement `deliver`."""

    id: ClassVar[str]
    name: ClassVar[str]
    # Validates a connection's options; fields with `style={"secret": True}` are stored
    # encrypted and never shown again in the admin.
    config_serializer: ClassVar[type[serializers.Serializer[Any]]]
    target_fields: ClassVar[Sequence[TargetField]] = ()
    # True for systems that take whatever fields they are sent (a generic JSON webhook): mapping
    # validation then accepts any target field name instead of checking against target_fields.
    accepts_any_fields: ClassVar[bool] = False
    # True for systems that take submissions in scheduled batches (a file drop) instead of one
    # call each: see `deliver_batch`.
    batched: ClassVar[bool] = False
    # True for adapters that can send a resident's reply, reopening or "not fixed" to the case
    # in the back office (`send_update`).
    sends_updates: ClassVar[bool] = False

    def __init__(self, config: Mapping[str, Any]) -> None:
        """`config` is the validated options of one connection (secrets already decrypted)."""
        self.config = config

    def deliver(
        self, payload: Mapping[str, Any], idempotency_key: str, progress: Progress | None = None
    ) -> str:
        """Create the record and send its files; return the back office's reference for it.

        Raise TransientError or PermanentError on failure. Send `idempotency_key` in the
        system's native way (a header, a client reference, an upsert key) so that a repeat
        call after a lost answer finds the existing record. `progress` says what earlier
        attempts got done (see the module's docstring); None means nothing yet.
        """
        raise NotImplementedError

    def redeliver(
        self,
        payload: Mapping[str, Any],
        idempotency_key: str,
        first_attempt_at: datetime,
        progress: Progress | None = None,
    ) -> Redelivered:
        """Deliver again after an earlier attempt (started at `first_attempt_at` or later) that
        may have made the record although no answer said so.

        Override where the protocol cannot recognise a repeat: look the record up and adopt it
        instead of making a second; if the lookup itself fails, raise rather than send blind.
        """
        return Redelivered(self.deliver(payload, idempotency_key, progress))

    def deliver_batch(
        self, items: Sequence[tuple[Mapping[str, Any], str]], batch_id: str
    ) -> dict[str, str]:
        """Send many submissions at once; return each idempotency key's reference.

        Only for adapters with `batched = True`, whose `deliver` refuses single submissions.
        `items` are (payload, idempotency_key) pairs; the delivery engine batches a connection's
        due deliveries on the connection's schedule (services/delivery/batch.py) and derives
        `batch_id` from the deliveries in it, so a retry of the same set carries the same id and
        must overwrite what the first try left, never add a second copy. The batch succeeds or
        fails as one: raise TransientError or PermanentError and every item in it gets that
        outcome; on success every key of `items` must be in the answer.
        """
        raise NotImplementedError

    def send_update(
        self,
        reference: str,
        update: CaseUpdateOut,
        idempotency_key: str,
        progress: Progress | None = None,
    ) -> str:
        """Add `update` to the back office's case `reference` and send its files; return the
        back office's id for the update ("" if it gives none).

        Only for adapters with `sends_updates = True`. Raise TransientError or PermanentError
        on failure. As with `deliver`, send `idempotency_key` in the system's native way so a
        repeat after a lost answer finds the first update; `progress` keeps what earlier
        attempts got done (`progress.reference` is then the update's id, not the case's).
        """
        raise NotImplementedError

    def resend_update(
        self,
        reference: str,
        update: CaseUpdateOut,
        idempotency_key: str,
        progress: Progress | None = None,
    ) -> str:
        """Send `update` again after an earlier attempt that may have reached the back office
        although no answer said so (every attempt after the first).

        By default `send_update`, right where the protocol's key finds the first update;
        override where it cannot recognise a repeat: look the update up and adopt it instead
        of adding a second; if the lookup itself fails, raise rather than send blind.
        """
        return self.send_update(reference, update, idempotency_key, progress)

    def check_connection(self) -> None:
        """Raise DeliveryError if the system cannot be reached with these options."""

    def fetch_updates(self, since: datetime | None) -> list[StatusUpdate]:
        """Status updates after `since`, oldest first, for systems that are polled."""
        return []

    @classmethod
    def accepts_target_field(cls, name: str) -> bool:
        """Whether mapping validation lets an admin map onto `name`; override for patterns."""
        return cls.accepts_any_fields or any(f.name == name for f in cls.target_fields)

    @classmethod
    def supports_updates(cls) -> bool:
        return cls.fetch_updates is not Adapter.fetch_updates

    @classmethod
    def validate_config(
        cls, data: Mapping[str, Any], *, secrets_may_be_unset: bool = False
    ) -> dict[str, Any]:
        """The cleaned options, or serializers.ValidationError naming each bad option.

        An option the adapter does not have is an error, not ignored (as a serializer would):
        a misspelt "read_timout" would otherwise be dropped or kept without effect, and the
        admin would never know their setting was not applied.

        `secrets_may_be_unset`: a secret option absent from `data` is no error (a connection
        imported from a file, whose secrets are set later); the other options are still
        checked and cleaned, and the absent secrets are left out of the answer."""
        serializer = cls.config_serializer(data=dict(data))
        known = serializer.fields
        unknown = {
            str(name): [f"There is no such option; those of {cls.name} are: {', '.join(known)}"]
            for name in sorted(data, key=str)
            if name not in known
        }
        # A user name or password in an address (https://user:pass@host/) would sit in the
        # plain, exported options; every adapter's address options are refused alike.
        secret_names = cls.secret_option_names()
        secret_labels = [
            str(field.label or name) for name, field in known.items() if name in secret_names
        ]
        credentials = {
            str(name): [credentials_in_address_message(secret_labels)]
            for name, field in known.items()
            if isinstance(field, serializers.URLField) and has_credentials(data.get(name))
        }
        valid = serializer.is_valid()
        if valid and not unknown and not credentials:
            return dict(serializer.validated_data)
        errors = dict(serializer.errors) if isinstance(serializer.errors, dict) else {}
        unset = secret_names - set(data)
        if (
            secrets_may_be_unset
            and not (unknown or credentials)
            and errors
            and set(errors) <= unset
        ):
            # Only the absent secrets are wrong (missing, or required by another option's
            # value): clean the rest by their own fields, without the cross-option checks
            # that would ask for the secrets again.
            partial = cls.config_serializer()
            for name in unset:
                del partial.fields[name]
            return dict(partial.to_internal_value(dict(data)))
        for name, messages in credentials.items():
            errors[name] = [*messages, *errors.get(name, [])]
        raise serializers.ValidationError({**errors, **unknown})

    @classmethod
    def secret_option_names(cls) -> frozenset[str]:
        fields = cls.config_serializer().fields
        return frozenset(name for name, f in fields.items() if f.style.get("secret"))
