"""A delivery's Progress kept in its row, so that a retry resumes where the last attempt stopped.

An adapter that makes a case and then sends its files records each step on the Progress it is
given (integrations/base.py); `DeliveryProgress` saves each step at once in `Delivery.progress`:

    {"reference": "CASE-1", "files": {"photo": "note-17", "letter": ""}}

with an UPDATE guarded by the claim token, like every other write of an attempt. If the token no
longer holds the row (this worker's lease ran out and another took the delivery over), nothing
is written and TransientError stops the adapter: going on would do work the worker now in charge
cannot know of. The next attempt's claim loads what was saved (`for_claim`).

An outgoing update (services/conversations) keeps its progress the same way in its own row:
`model` says which table the row is in.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, ClassVar, Self

from integrations.base import Progress, TransientError
from services.models import Delivery, OutboxRow


class DeliveryProgress(Progress):
    # The outbox table whose row (with `progress` and `claim_token` columns) this is kept in.
    model: ClassVar[type[OutboxRow]] = Delivery

    def __init__(
        self,
        delivery_id: int,
        token: uuid.UUID,
        reference: str = "",
        files: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(reference, files)
        self.delivery_id = delivery_id
        self.token = token
        # Steps this attempt saved: any means the back office answered it at least once.
        self.steps_saved = 0

    @classmethod
    def for_claim(cls, delivery: Any, token: uuid.UUID) -> Self:
        """The progress saved on `delivery` by earlier attempts, for the attempt holding `token`.
        Anything in the column that is not the expected shape counts as no progress."""
        saved: Any = delivery.progress if isinstance(delivery.progress, dict) else {}
        reference = saved.get("reference")
        files = saved.get("files")
        return cls(
            delivery.pk,
            token,
            reference=reference if isinstance(reference, str) else "",
            files={
                str(key): str(value)
                for key, value in (files.items() if isinstance(files, dict) else ())
                if isinstance(value, str)
            },
        )

    def as_json(self) -> dict[str, Any]:
        return {"reference": self.reference, "files": dict(self.files)}

    def save(self) -> None:
        held = self.model._default_manager.filter(
            pk=self.delivery_id, claim_token=self.token
        ).update(progress=self.as_json())
        if held != 1:
            raise TransientError(
                "Another worker has taken this delivery over, so this attempt stopped "
                "without recording more progress"
            )
        self.steps_saved += 1
