"""What the resident said about a case, as the services side hands it to an adapter."""

from __future__ import annotations

from datetime import UTC, datetime

from integrations.base import CaseUpdateOut, DeliveryFile

SENT_AT = datetime(2026, 12, 5, 10, 30, tzinfo=UTC)


def an_update(
    *files: DeliveryFile,
    kind: str = "reply",
    text: str = "The pothole is about 30 cm across; photos attached.",
    update_id: str = "upd-0001",
) -> CaseUpdateOut:
    return CaseUpdateOut(
        kind=kind, text=text, files=tuple(files), sent_at=SENT_AT, update_id=update_id
    )
