"""A back office that takes residents' updates, registered for the test in place of the real
adapters, and a case delivered to it: the real outbox, engine and database around it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from django.contrib.auth import get_user_model
from rest_framework import serializers

from integrations.base import Adapter, CaseUpdateOut, Progress
from integrations.registry import registry
from services.delivery.engine import attempt_delivery
from services.models import Connection, Delivery, Submission
from tests.services.delivery.conftest import (
    make_connection,
    make_routed_version,
    simulator,
    submit,
)

__all__ = ["simulator"]  # the webhook back office, for the worker test


@dataclass
class Sent:
    reference: str
    kind: str
    text: str
    key: str
    update_id: str
    files: list[bytes] = field(default_factory=list)


class TalkingBackOffice(Adapter):
    """Makes a case for each delivery, and adds each update to it once per idempotency key
    (as a real system with idempotency keys would); `fail_next` makes the next calls fail."""

    id = "talking"
    name = "Talking back office"
    config_serializer = serializers.Serializer
    accepts_any_fields = True
    sends_updates = True

    cases: ClassVar[list[str]] = []
    updates: ClassVar[dict[str, Sent]] = {}
    calls: ClassVar[list[str]] = []
    fail_next: ClassVar[list[Exception]] = []

    def deliver(
        self, payload: Mapping[str, Any], idempotency_key: str, progress: Progress | None = None
    ) -> str:
        self.cases.append(f"CASE-{len(self.cases) + 1}")
        return self.cases[-1]

    def send_update(
        self,
        reference: str,
        update: CaseUpdateOut,
        idempotency_key: str,
        progress: Progress | None = None,
    ) -> str:
        self.calls.append(idempotency_key)
        if self.fail_next:
            raise self.fail_next.pop(0)
        sent = self.updates.setdefault(
            idempotency_key,
            Sent(
                reference,
                update.kind,
                update.text,
                idempotency_key,
                update.update_id,
                [f.read() for f in update.files],
            ),
        )
        return f"NOTE-{list(self.updates).index(sent.key) + 1}"


class SilentBackOffice(TalkingBackOffice):
    """A back office that takes cases but no updates."""

    id = "silent"
    name = "Silent back office"
    sends_updates = False


@pytest.fixture
def storage(tmp_path: Any, settings: Any) -> Any:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    from django.core.files.storage import default_storage

    return default_storage


@pytest.fixture
def back_office(storage: Any) -> Iterator[type[TalkingBackOffice]]:
    TalkingBackOffice.cases, TalkingBackOffice.updates = [], {}
    TalkingBackOffice.calls, TalkingBackOffice.fail_next = [], []
    with registry.replaced(TalkingBackOffice, SilentBackOffice):
        yield TalkingBackOffice


def connection_to(adapter: str = "talking") -> Connection:
    return make_connection("", adapter=adapter, config={}, secrets={})


def a_case(*connections: Connection, deliver: bool = True) -> Submission:
    """A resident's case sent to each of `connections` (delivered unless `deliver` is False)."""
    submission = submit(make_routed_version(*(connections or (connection_to(),))))
    if deliver:
        for delivery in submission.deliveries.all():
            attempt_delivery(delivery.pk)
        assert not submission.deliveries.exclude(state=Delivery.State.DELIVERED).exists()
    return submission


@pytest.fixture
def officer() -> Any:
    return get_user_model().objects.create_user(email="officer@council.example", password="x")
