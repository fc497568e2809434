"""Notes and logged contacts that staff add to a case (the CaseActivity model says what)."""

from __future__ import annotations

from typing import Any

from services.models import CaseActivity, Submission

CONTACT_KINDS = (CaseActivity.Kind.PHONE, CaseActivity.Kind.EMAIL, CaseActivity.Kind.VISIT)


def add_note(submission: Submission, by: Any, text: str) -> CaseActivity:
    return CaseActivity.objects.create(
        submission=submission, author=by, kind=CaseActivity.Kind.NOTE, text=text
    )


def log_contact(
    submission: Submission, by: Any, *, kind: str, outcome: str, text: str
) -> CaseActivity:
    if kind not in CONTACT_KINDS or outcome not in CaseActivity.Outcome.values:
        raise ValueError(f"not a contact: {kind!r} with outcome {outcome!r}")
    return CaseActivity.objects.create(
        submission=submission, author=by, kind=kind, outcome=outcome, text=text
    )
