"""What the studio's field mapping editor reads: a destination's target fields, the sources it
may pick from, each field's source in plain English, and a payload preview as rows of text.

It describes and never decides what is allowed: that is `validate_mapping` / `field_problems`
(services/routing/mapping.py), the one owner, which the admin and `routing import` use too.
Edits are pure functions on the mapping JSON (`with_field`, `without_field`), so the studio
stores exactly what the admin would.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from services.forms.schema import FormSchema, Question, SchemaError
from services.models import Destination, Submission
from services.routing.mapping import (
    ALL_FILES,
    ANSWER_KINDS,
    PARTS,
    transform_name,
)

if TYPE_CHECKING:
    from integrations.base import Adapter

# How people know each part of a composite answer (mapping.PARTS holds what a part is).
PART_LABELS: dict[str, Promise] = {
    "uprn": gettext_lazy("UPRN"),
    "line1": gettext_lazy("address line 1"),
    "line2": gettext_lazy("address line 2"),
    "town": gettext_lazy("town"),
    "postcode": gettext_lazy("postcode"),
    "lat": gettext_lazy("latitude"),
    "lng": gettext_lazy("longitude"),
    "description": gettext_lazy("description"),
    "name": gettext_lazy("file name"),
    "content_type": gettext_lazy("file type"),
    "size": gettext_lazy("file size"),
    "sha256": gettext_lazy("SHA-256 fingerprint"),
}
PROFILE_LABELS: dict[str, Promise] = {
    "full_name": gettext_lazy("full name"),
    "email": gettext_lazy("e-mail address"),
    "phone": gettext_lazy("phone number"),
}
META_LABELS: dict[str, Promise] = {
    "reference": gettext_lazy("reference"),
    "submitted_at": gettext_lazy("date and time sent"),
    "service": gettext_lazy("service's short name (slug)"),
    "service_name": gettext_lazy("service's name"),
    "channel": gettext_lazy("channel (online or by phone)"),
    "uprn": gettext_lazy("property's UPRN"),
    "latitude": gettext_lazy("latitude"),
    "longitude": gettext_lazy("longitude"),
    "language": gettext_lazy("language"),
    "form_version": gettext_lazy("form version number"),
}
# The types adapters declare for their fields (integrations/base.py TargetField.type).
TYPE_LABELS: dict[str, Promise] = {
    "string": gettext_lazy("Text"),
    "integer": gettext_lazy("Whole number"),
    "number": gettext_lazy("Number"),
    "boolean": gettext_lazy("Yes or no"),
    "date": gettext_lazy("Date"),
    "datetime": gettext_lazy("Date and time"),
    "object": gettext_lazy("Group of values"),
    "array": gettext_lazy("List"),
}
RECENT_SUBMISSIONS = 10


def live_schema(destination: Destination) -> FormSchema | None:
    """The schema of the live version of the destination's form: what its answers can be."""
    version = destination.rule_set.form.live_version
    try:
        return version.parsed if version is not None else None
    except SchemaError:
        return None


# --- target fields ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetRow:
    """One field of the back office, as the editor lists it."""

    name: str
    type: str  # as the adapter declares it ("string" when it declares nothing)
    required: bool
    description: str
    spec: Any  # its source in the mapping, None when it is not mapped
    declared: bool

    @property
    def type_label(self) -> str:
        return str(TYPE_LABELS.get(self.type, self.type))


def target_rows(adapter_class: type[Adapter] | None, mapping: Mapping[str, Any]) -> list[TargetRow]:
    """The adapter's declared fields in its order, then the other mapped fields (those of an
    adapter that takes any field, or of one no longer installed)."""
    declared = list(adapter_class.target_fields) if adapter_class is not None else []
    rows = [
        TargetRow(f.name, f.type, f.required, f.description, mapping.get(f.name), True)
        for f in declared
    ]
    names = {f.name for f in declared}
    rows.extend(
        TargetRow(name, "string", False, "", spec, False)
        for name, spec in mapping.items()
        if name not in names
    )
    return rows


def with_field(mapping: Mapping[str, Any], target: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    """The mapping with `target` taking `spec` (added, or replacing what it took)."""
    return {**mapping, target: dict(spec)}


def without_field(mapping: Mapping[str, Any], target: str) -> dict[str, Any]:
    return {name: spec for name, spec in mapping.items() if name != target}


# --- sources ------------------------------------------------------------------------------------


def answer_choices(schema: FormSchema | None, language: str) -> list[tuple[str, str]]:
    """Every answer a field may take: each question's whole answer, then its parts (an
    address's postcode, a location's latitude, a file's name) as "question_id.part"."""
    choices: list[tuple[str, str]] = []
    for question in schema.questions if schema is not None else ():
        label = question.label.get(language)
        choices.append((question.id, label))
        for part in PARTS.get(ANSWER_KINDS.get(question.type, ""), {}):
            choices.append((f"{question.id}.{part}", f"{label}: {PART_LABELS[part]}"))
        for sub in question.questions:  # a list: each item's answer to one of its questions
            choices.append(
                (
                    f"{question.id}.{sub.id}",
                    _("%(question)s: %(field)s of each item")
                    % {"question": label, "field": sub.label.get(language)},
                )
            )
    return choices


def file_questions(schema: FormSchema | None) -> list[Question]:
    return [q for q in schema.questions if q.type == "file"] if schema is not None else []


def lookup_choices(question: Question | None, language: str) -> list[tuple[str, str]]:
    """The answers a lookup table turns into codes: the question's own choices, as
    (value, label), in the form's order; none for a question without a fixed set."""
    if question is None:
        return []
    allowed = question.kind.condition_values(question)
    if allowed is None:
        return []
    if question.options:
        return [(o.value, o.label.get(language)) for o in question.options if o.value in allowed]
    return [(value, question.kind.display(question, value, language)) for value in sorted(allowed)]


def lookup_question(schema: FormSchema | None, picked: Any) -> Question | None:
    """The question whose choices a lookup table offers for a picked answer ("bin_type", or
    "items.size": a list's question about each item); None for a part without choices."""
    question_id, _dot, part = str(picked or "").partition(".")
    question = question_of(schema, question_id)
    if question is None or not part:
        return question
    return next((sub for sub in question.questions if sub.id == part), None)


def question_of(schema: FormSchema | None, question_id: Any) -> Question | None:
    if schema is None or not isinstance(question_id, str):
        return None
    try:
        return schema.question(question_id)
    except KeyError:
        return None


# --- in plain English ---------------------------------------------------------------------------


def describe(spec: Any, schema: FormSchema | None, language: str) -> str:
    """A field's source and transforms as a sentence ("The answer to “Which bin?”; as codes
    from a table of 4"); a source it cannot read is said to be one."""
    if not isinstance(spec, Mapping):
        return _("A source the editor cannot read")
    if "answer" in spec:
        question = question_of(schema, spec["answer"])
        label = question.label.get(language) if question is not None else str(spec["answer"])
        source = _("The answer to “%(question)s”") % {"question": label}
        about = (
            lookup_question(schema, f"{spec['answer']}.{spec['part']}") if "part" in spec else None
        )
        if about is not None:
            source = _("%(source)s: %(part)s of each item") % {
                "source": source,
                "part": about.label.get(language),
            }
        elif "part" in spec:
            part = PART_LABELS.get(str(spec["part"]), str(spec["part"]))
            source = _("%(source)s: %(part)s") % {"source": source, "part": part}
    elif "files" in spec:
        if spec["files"] == ALL_FILES:
            source = _("Every file the resident sent")
        else:
            names = [
                (question.label.get(language) if question else str(question_id))
                for question_id in spec["files"] or []
                for question in [question_of(schema, question_id)]
            ]
            source = _("The files answering %(questions)s") % {
                "questions": ", ".join(f"“{name}”" for name in names)
            }
    elif "profile" in spec:
        source = _("The resident's %(field)s") % {
            "field": PROFILE_LABELS.get(str(spec["profile"]), str(spec["profile"]))
        }
    elif "meta" in spec:
        source = _("The submission's %(field)s") % {
            "field": META_LABELS.get(str(spec["meta"]), str(spec["meta"]))
        }
    elif "const" in spec:
        source = _("Always “%(value)s”") % {"value": spec["const"]}
    elif "template" in spec:
        source = _("The text “%(template)s”") % {"template": spec["template"]}
    else:
        return _("A source the editor cannot read")
    steps = [_describe_transform(t) for t in spec.get("transforms") or [] if isinstance(t, dict)]
    if "default" in spec:
        steps.append(_("“%(value)s” when empty") % {"value": spec["default"]})
    return "; ".join([source, *steps])


def _describe_transform(transform: Mapping[str, Any]) -> str:
    name = transform_name(transform)
    argument = transform.get(name)
    if name == "lookup" and isinstance(argument, Mapping):
        return _("as codes from a table of %(count)d") % {"count": len(argument)}
    if name == "date_format":
        return _("as a date like %(example)s") % {"example": date_example(str(argument))}
    if name == "join":
        return _("joined with “%(separator)s”") % {"separator": argument}
    if name == "upper":
        return _("in capitals")
    if name == "lower":
        return _("in small letters")
    if name == "truncate":
        return _("cut to %(count)s characters") % {"count": argument}
    if name == "display":
        return _("as the resident saw it")
    if name == "count":
        return _("counted")
    return _("changed by “%(name)s”") % {"name": name}


def date_example(date_format: str) -> str:
    """A date format shown by example: 31/12/2025 for %d/%m/%Y."""
    try:
        return datetime.datetime(2025, 12, 31, 14, 30, tzinfo=datetime.UTC).strftime(date_format)
    except ValueError:
        return date_format


# --- previewing ---------------------------------------------------------------------------------


def recent_submissions(destination: Destination) -> list[Submission]:
    """The latest submissions of the destination's service, newest first, to preview with."""
    return list(
        Submission.objects.filter(service_id=destination.rule_set.form.service_id)
        .only("pk", "reference", "created_at")
        .order_by("-created_at")[:RECENT_SUBMISSIONS]
    )


def preview_rows(payload: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """A previewed payload (preview.readable's JSON) as rows of field name and lines of text:
    a list one item a line, a file by its facts, a group of values one "name: value" a line."""
    return [(name, _lines(value)) for name, value in payload.items()]


def _lines(value: Any) -> list[str]:
    if isinstance(value, list):
        return [line for item in value for line in _lines(item)]
    if isinstance(value, Mapping):
        facts = value.get("file")
        if isinstance(facts, Mapping):
            return [
                _("File “%(name)s” (%(type)s, %(size)s bytes)")
                % {
                    "name": facts.get("name", ""),
                    "type": facts.get("content_type", ""),
                    "size": facts.get("size", ""),
                }
            ]
        return [f"{key}: {_scalar(item)}" for key, item in value.items()]
    return [_scalar(value)]


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
