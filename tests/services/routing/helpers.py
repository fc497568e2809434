"""A form, an adapter and submissions for routing tests."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from integrations.base import Adapter, TargetField
from services.forms.schema import FormSchema, parse_schema
from services.models import Form, FormVersion, Submission
from tests.services.factories import FormVersionFactory
from tests.services.helpers import page, radios, text


def q(qtype: str, qid: str, **extra: Any) -> dict[str, Any]:
    return {"id": qid, "type": qtype, "label": text(qid), **extra}


SCHEMA = {
    "pages": [
        page("which-bin", radios("bin_type", "general", "garden", "food")),
        page("where", q("address", "address"), q("location", "location", required=False)),
        page("when", q("date", "missed_on"), q("postcode", "other_postcode", required=False)),
        page(
            "what",
            {
                "id": "items",
                "type": "checkboxes",
                "label": text("items"),
                "required": False,
                "options": [{"value": v, "label": text(v)} for v in ("bag", "box", "bulky")],
            },
            q("short_text", "your_name", required=False, prefill="full_name"),
            q("number", "bags", required=False),
            q("file", "photo", required=False),
        ),
    ]
}


def schema() -> FormSchema:
    return parse_schema(SCHEMA)


ANSWERS = {
    "bin_type": "garden",
    "address": {
        "uprn": "100031234567",
        "line1": "1 High Street",
        "line2": "",
        "town": "Northampton",
        "postcode": "NN1 1AA",
    },
    "location": {"lat": 52.24, "lng": -0.89, "description": "Outside the library"},
    "missed_on": "2024-03-05",
    "items": ["bag", "bulky"],
    "your_name": "Sam Resident",
    "bags": 3,
    "photo": {"reference": "uploads/ab12/photo.jpg", "name": "photo.jpg"},
}


class TicketConfig(serializers.Serializer[Any]):
    url = serializers.URLField()
    queue = serializers.CharField(required=False, default="main")
    api_key = serializers.CharField(style={"secret": True})


class TicketAdapter(Adapter):
    """A back office that declares its fields, for tests of mapping validation."""

    id = "ticket"
    name = "Ticket system"
    config_serializer = TicketConfig
    target_fields = (
        TargetField("reference", required=True),
        TargetField("service_code"),
        TargetField("postcode"),
        TargetField("summary"),
        TargetField("reported_on", type="date"),
    )

    def deliver(self, payload: Any, idempotency_key: str, progress: Any = None) -> str:
        raise NotImplementedError("never called: routing tests send nothing")


class AnyFieldsAdapter(Adapter):
    """Like the generic webhook: any target field name is fine."""

    id = "anything"
    name = "Takes any fields"
    config_serializer = TicketConfig
    accepts_any_fields = True

    def deliver(self, payload: Any, idempotency_key: str, progress: Any = None) -> str:
        raise NotImplementedError("never called: routing tests send nothing")


def live_form(slug: str = "missed-bin") -> Form:
    version: Any = FormVersionFactory(form__service__slug=slug, schema=SCHEMA)
    version.publish()
    form: Form = version.form
    return form


def make_submission(form: Form, reference: str = "ABC-123", **extra: Any) -> Submission:
    version = form.versions.get(status=FormVersion.Status.LIVE)
    values: dict[str, Any] = {
        "reference": reference,
        "service": form.service,
        "form_version": version,
        "contact_email": "sam@example.com",
        "answers": ANSWERS,
        "uprn": "100031234567",
        "latitude": 52.24,
        "longitude": -0.89,
        **extra,
    }
    return Submission.objects.create(**values)
