"""The payload a destination would be sent for a past submission: a dry run, nothing is sent.

The domain's reading for "Preview payload" (the admin's rule set page; next the staff
workspace). Seeing it is seeing a resident's answers: the screen records who looked.
"""

from __future__ import annotations

from typing import Any

from integrations.base import DeliveryFile
from services.models import Destination, Submission
from services.routing.mapping import MappingError, build_payload, mapping_context_for


def preview_payload(destination: Destination, reference: str) -> dict[str, Any]:
    """The payload `destination` would be sent for the submission `reference`, or the errors.

    A dry run: nothing is sent and nothing changes. Returns {"errors": [...]} and, when the
    submission exists, "submission_id"; on success "payload", JSON-friendly (`readable`).
    """
    submission = (
        Submission.objects.select_related("service", "form_version", "user")
        .filter(reference__iexact=reference)
        .first()
    )
    if submission is None:
        return {"errors": [f"There is no submission with reference ‘{reference}’."]}
    result: dict[str, Any] = {"submission_id": submission.pk, "errors": []}
    if submission.service_id != destination.rule_set.form.service_id:
        result["warnings"] = [
            f"Submission ‘{submission.reference}’ is for {submission.service}, not this form."
        ]
    context = mapping_context_for(submission, destination.connection_id)
    try:
        result["payload"] = readable(build_payload(destination.mapping, context))
    except MappingError as error:
        result["errors"] = error.errors
    return result


def readable(value: Any) -> Any:
    """`value` as JSON shows it, each file as its facts (name, type, size, SHA-256): its bytes
    are not read and no link is made, since nothing is sent."""
    if isinstance(value, DeliveryFile):
        return {"file": value.describe()}
    if isinstance(value, list):
        return [readable(item) for item in value]
    if isinstance(value, dict):
        return {key: readable(item) for key, item in value.items()}
    return value
