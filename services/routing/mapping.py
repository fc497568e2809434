"""Field mapping: how a destination turns a submission into the payload its back office takes.

A destination's mapping is JSON, target field -> source spec:

    {"service_code": {"answer": "bin_type", "transforms": [{"lookup": {"garden": "GW01"}}]},
     "postcode":     {"answer": "address", "part": "postcode"},
     "name":         {"profile": "full_name"},
     "reference":    {"meta": "reference"},
     "priority":     {"const": 2},
     "summary":      {"template": "Pothole at {answer.location.description} ({meta.reference})"},
     "reported_on":  {"meta": "submitted_at", "transforms": [{"date_format": "%d/%m/%Y"}]}}

A spec has exactly one source:
    {"answer": question_id}  optionally with "part" (address: uprn line1 line2 town postcode;
                             location: lat lng description; file: name content_type size sha256;
                             a list of items ("repeat"): a question about each item, giving the
                             list of the items' answers to it). A list's whole answer is a list
                             of dicts keyed by the questions about each item.
                             A file question's whole answer is the file itself: the adapter
                             receives a DeliveryFile (integrations/base.py) and sends it its way
    {"files": [question_id, ...]} or {"files": "all"}
                             a list of the files answering those file questions (those answered),
                             or every file of the submission, in the form's order
    {"profile": "full_name" | "email" | "phone"}
    {"meta": one of META_FIELDS}
    {"const": any JSON value}
    {"template": "text with {answer.id}, {answer.id.part}, {profile.name}, {meta.name}"}
                             ({{ and }} for braces; an answer without a part shows as the resident
                             saw it; nothing else may appear in braces)
and optionally "default" (used when the source has no value) and "transforms", applied in order:
    {"lookup": {"answer value": "CODE", ...}, "default": ...}   (each item of a list)
    {"date_format": "%d/%m/%Y"}   {"join": ", "}   {"upper": true}   {"lower": true}
    {"truncate": 100}   {"display": true} (first only: the answer as the resident saw it)
    {"count": true}   (how many items a list has; 0 for none)
    join on a list of items puts ", " between each item's answers and the separator between items

`build_payload` is pure (a file is read only when an adapter asks) and raises MappingError for a
value it cannot produce (a lookup with no entry and no default): the delivery engine treats that
as permanent. `validate_mapping` checks a mapping when it is saved or imported, against the form
and the adapter's declared fields.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from integrations.base import DeliveryFile, TargetField
from services.delivery.files import delivery_files
from services.forms.questions import display_answer
from services.forms.schema import FormSchema, Question, SchemaError

if TYPE_CHECKING:
    from integrations.base import Adapter
    from services.models import Submission

LONDON = ZoneInfo("Europe/London")
SOURCES = ("answer", "files", "profile", "meta", "const", "template")
PROFILE_FIELDS = ("full_name", "email", "phone")
META_FIELDS = (
    "reference",
    "submitted_at",
    "service",
    "service_name",
    "channel",
    "uprn",
    "latitude",
    "longitude",
    "language",
    "form_version",
)
TRANSFORMS = ("lookup", "date_format", "join", "upper", "lower", "truncate", "display", "count")
PARTS = {
    "address": {
        "uprn": "text",
        "line1": "text",
        "line2": "text",
        "town": "text",
        "postcode": "text",
    },
    "location": {"lat": "number", "lng": "number", "description": "text"},
    "file": {"name": "text", "content_type": "text", "size": "number", "sha256": "text"},
}
# Parts a mapping may no longer use, and why (validation says so; a delivery fails saying so).
RETIRED_PARTS = {
    "file": {
        "reference": "the ‘reference’ part is gone: it exposed where the file is stored; map the "
        "file itself (leave out ‘part’) or its name",
    }
}
ALL_FILES = "all"
ADDRESS_ORDER = ("line1", "line2", "town", "postcode")
# What kind of value each question type's answer is, for checking transforms fit.
ANSWER_KINDS = {
    "number": "number",
    "checkboxes": "list",
    "declaration": "bool",
    "date": "date",
    "address": "address",
    "location": "location",
    "file": "file",
    "repeat": "items",
}
META_KINDS = {"submitted_at": "datetime", "latitude": "number", "longitude": "number"}
META_KINDS["form_version"] = "number"
TEMPLATE_FIELD = re.compile(
    r"(?P<kind>answer|profile|meta)\.(?P<name>[A-Za-z0-9_]+)(?:\.(?P<part>[A-Za-z0-9_]+))?"
)
TEMPLATE_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


class MappingError(Exception):
    """A payload value that cannot be produced; `errors` names each field. Permanent."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = list(errors)


@dataclass(frozen=True)
class MappingContext:
    """What a mapping may read, drawn from a submission (see mapping_context_for)."""

    answers: Mapping[str, Any]
    schema: FormSchema | None = None
    profile: Mapping[str, Any] = field(default_factory=dict)
    meta: Mapping[str, Any] = field(default_factory=dict)
    language: str = "en"
    # The submission's files by question id, as the destination's adapter receives them.
    files: Mapping[str, DeliveryFile] = field(default_factory=dict)


def q(value: Any) -> str:
    return f"‘{value}’"


# --- building a payload -------------------------------------------------------------------------


def build_payload(mapping: Mapping[str, Any], context: MappingContext) -> dict[str, Any]:
    """The payload for one destination: each target field's value, in the mapping's order.

    Raises MappingError naming every field whose value cannot be produced.
    """
    if not isinstance(mapping, Mapping):
        raise MappingError(["The mapping must be an object of target field -> source"])
    payload: dict[str, Any] = {}
    errors: list[str] = []
    for target, spec in mapping.items():
        try:
            payload[target] = field_value(spec, context)
        except _Unproducible as problem:
            errors.append(f"Field {q(target)}: {problem}")
    if errors:
        raise MappingError(errors)
    return payload


class _Unproducible(Exception):
    pass


def field_value(spec: Any, context: MappingContext) -> Any:
    if not isinstance(spec, Mapping):
        raise _Unproducible("the source must be an object")
    kinds = [k for k in SOURCES if k in spec]
    if len(kinds) != 1:
        raise _Unproducible(f"give exactly one source ({', '.join(SOURCES)})")
    kind = kinds[0]
    question: Question | None = None
    if kind == "answer":
        value, question = _answer(spec, context)
    elif kind == "files":
        value = _files(spec["files"], context)
    elif kind == "profile":
        value = context.profile.get(spec["profile"]) or None
    elif kind == "meta":
        if spec["meta"] not in META_FIELDS:
            raise _Unproducible(f"there is no meta field {q(spec['meta'])}")
        value = context.meta.get(spec["meta"])
    elif kind == "const":
        value = spec["const"]
    else:
        value = render_template(spec["template"], context)
    if value is None or value == "":
        value = spec.get("default", value)
    transforms = spec.get("transforms", [])
    if not isinstance(transforms, list):
        raise _Unproducible('"transforms" must be a list')
    for transform in transforms:
        value = _apply(transform, value, question, context)
    return value


def _answer(spec: Mapping[str, Any], context: MappingContext) -> tuple[Any, Question | None]:
    question_id = spec["answer"]
    question = None
    if context.schema is not None and isinstance(question_id, str):
        try:
            question = context.schema.question(question_id)
        except KeyError:
            question = None
    value = context.answers.get(question_id) if isinstance(question_id, str) else None
    if question is not None and question.type == "file" and value:
        value = _file(question_id, context)
    part = spec.get("part")
    if part is not None:
        if isinstance(value, DeliveryFile):
            retired = RETIRED_PARTS["file"].get(part)
            if retired is not None:
                raise _Unproducible(retired)
            value = value.describe().get(part)
        elif isinstance(value, list):  # a list of items: each item's answer to one question
            value = [
                item[part]
                for item in value
                if isinstance(item, Mapping) and item.get(part) is not None
            ]
        else:
            value = value.get(part) if isinstance(value, Mapping) else None
    return value, question


def _file(question_id: str, context: MappingContext) -> DeliveryFile:
    found = context.files.get(question_id)
    if found is None:
        # Every file answer gets its row when it is submitted (services/submission_files.py).
        raise _Unproducible(f"the file answering {q(question_id)} has no record")
    return found


def _files(source: Any, context: MappingContext) -> list[DeliveryFile]:
    if source == ALL_FILES:
        if context.schema is None:
            return list(context.files.values())
        wanted = [question.id for question in context.schema.questions if question.type == "file"]
    elif isinstance(source, list) and all(isinstance(item, str) for item in source):
        wanted = source
    else:
        raise _Unproducible(f'files needs a list of file questions or "{ALL_FILES}"')
    return [
        _file(question_id, context) for question_id in wanted if context.answers.get(question_id)
    ]


def _shown(question: Question, value: Any, language: str) -> str:
    """An answer as the resident saw it; a file by its (safe) name."""
    if isinstance(value, DeliveryFile):
        return value.name
    return display_answer(question, value, language)


def _apply(transform: Any, value: Any, question: Question | None, context: MappingContext) -> Any:
    if not isinstance(transform, Mapping) or not transform:
        raise _Unproducible('a transform must be an object like {"upper": true}')
    name = transform_name(transform)
    argument = transform[name]
    if name == "display":
        if question is None:
            raise _Unproducible("display needs a question of the form")
        try:
            return _shown(question, value, context.language) if value is not None else ""
        except (TypeError, ValueError, KeyError, AttributeError):
            raise _Unproducible(f"the answer cannot be shown as {question.type}") from None
    if name == "count":
        return len(value) if isinstance(value, list) else 0
    if value is None:
        if name == "lookup" and "default" in transform:
            return transform["default"]
        return None
    if name == "lookup":
        if not isinstance(argument, Mapping):
            raise _Unproducible("lookup needs a table")
        if isinstance(value, list):
            return [_look_up(argument, transform, item) for item in value]
        return _look_up(argument, transform, value)
    if name == "date_format":
        return _format_date(value, argument)
    if name == "join":
        return _join(value, str(argument))
    if name in ("upper", "lower", "truncate"):
        if not isinstance(value, str):
            raise _Unproducible(f"{name} needs text, not {type(value).__name__}")
        if name == "upper":
            return value.upper()
        if name == "lower":
            return value.lower()
        if isinstance(argument, bool) or not isinstance(argument, int) or argument < 1:
            raise _Unproducible("truncate needs a whole number of 1 or more")
        return value[:argument]
    raise _Unproducible(f"unknown transform {q(name)}")


def transform_name(transform: Mapping[str, Any]) -> str:
    """Which transform this is: its known key (JSON and YAML may put "default" first)."""
    names = [key for key in transform if key in TRANSFORMS]
    return names[0] if len(names) == 1 else str(next(iter(transform)))


def _key(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _look_up(table: Mapping[str, Any], transform: Mapping[str, Any], value: Any) -> Any:
    key = _key(value)
    if key in table:
        return table[key]
    if "default" in transform:
        return transform["default"]
    raise _Unproducible(f"the lookup table has no entry for {q(key)} and no default")


def _format_date(value: Any, fmt: Any) -> str:
    if not isinstance(fmt, str):
        raise _Unproducible("date_format needs a format like %d/%m/%Y")
    moment: datetime.date | datetime.datetime
    if isinstance(value, str):
        try:
            moment = (
                datetime.date.fromisoformat(value)
                if len(value) == 10
                else datetime.datetime.fromisoformat(value)
            )
        except ValueError:
            raise _Unproducible(f"{q(value)} is not a date") from None
    else:
        raise _Unproducible(f"{q(value)} is not a date")
    if isinstance(moment, datetime.datetime) and moment.tzinfo is not None:
        moment = moment.astimezone(LONDON)
    return moment.strftime(fmt)


def _join(value: Any, separator: str) -> Any:
    if isinstance(value, list) and any(isinstance(item, Mapping) for item in value):
        # A list of items: each item's answers, in the order the list asks them.
        return separator.join(_join(list(item.values()), ", ") for item in value if item)
    if isinstance(value, list):
        return separator.join(_key(item) for item in value if item not in (None, ""))
    if isinstance(value, Mapping):
        keys = [k for k in ADDRESS_ORDER if k in value] or list(value)
        return separator.join(_key(value[k]) for k in keys if value[k] not in (None, ""))
    return value


# --- templates ----------------------------------------------------------------------------------


def parse_template(template: Any) -> list[str | tuple[str, str, str | None]]:
    """Literal text and (kind, name, part) fields; raises _Unproducible naming the problem.

    Only {answer.id}, {answer.id.part}, {profile.name} and {meta.name} are fields: no attribute
    access, indexing, conversions or format specs, so a template can read nothing else.
    """
    if not isinstance(template, str):
        raise _Unproducible("a template must be text")
    pieces: list[str | tuple[str, str, str | None]] = []
    position = 0
    for token in TEMPLATE_TOKEN.finditer(template):
        pieces.append(template[position : token.start()])
        position = token.end()
        text = token.group(0)
        if text in ("{{", "}}"):
            pieces.append(text[0])
            continue
        inner = token.group(1)
        match = TEMPLATE_FIELD.fullmatch(inner) if inner is not None else None
        if match is None:
            shown = text if inner is None else "{" + inner + "}"
            raise _Unproducible(
                f"{q(shown)} is not a template field (use {{answer.question_id}}, "
                "{answer.question_id.part}, {profile.full_name} or {meta.reference}; "
                "write {{ and }} for braces)"
            )
        kind, name, part = match["kind"], match["name"], match["part"]
        if kind == "profile" and (name not in PROFILE_FIELDS or part):
            raise _Unproducible(f"{q(inner)}: profile fields are {', '.join(PROFILE_FIELDS)}")
        if kind == "meta" and (name not in META_FIELDS or part):
            raise _Unproducible(f"{q(inner)}: meta fields are {', '.join(META_FIELDS)}")
        pieces.append((kind, name, part))
    pieces.append(template[position:])
    return [p for p in pieces if p != ""]


def render_template(template: Any, context: MappingContext) -> str:
    out = []
    for piece in parse_template(template):
        if isinstance(piece, str):
            out.append(piece)
            continue
        kind, name, part = piece
        if kind == "profile":
            value = context.profile.get(name)
        elif kind == "meta":
            value = context.meta.get(name)
        else:
            value, question = _answer({"answer": name, "part": part}, context)
            if part is None and question is not None and value is not None:
                try:
                    value = _shown(question, value, context.language).replace("\n", ", ")
                except (TypeError, ValueError, KeyError, AttributeError):
                    raise _Unproducible(f"answer {q(name)} cannot be shown") from None
        if isinstance(value, list):
            value = ", ".join(_key(v) for v in value)
        out.append("" if value is None else _key(value))
    return "".join(out)


# --- what it reads ------------------------------------------------------------------------------


def questions_used(spec: Any) -> set[str]:
    """The ids of the questions one target field's source reads: its answer, its file questions,
    or the answers in its template (never raises; a malformed spec reads nothing).
    `{"files": "all"}` names no question: it follows the form's file questions."""
    if not isinstance(spec, Mapping):
        return set()
    if isinstance(spec.get("answer"), str):
        return {spec["answer"]}
    files = spec.get("files")
    if isinstance(files, list):
        return {f for f in files if isinstance(f, str)}
    if "template" in spec:
        try:
            pieces = parse_template(spec["template"])
        except _Unproducible:
            return set()
        return {p[1] for p in pieces if isinstance(p, tuple) and p[0] == "answer"}
    return set()


# --- validating ---------------------------------------------------------------------------------


def validate_mapping(
    mapping: Any, *, adapter_class: type[Adapter] | None, schema: FormSchema | None
) -> list[str]:
    """Every problem with `mapping` for a form with `schema` sent through `adapter_class`.

    `schema` is the form's live version (None if it has none: answers cannot be checked, and are
    refused); `adapter_class` None means the connection's adapter is not installed.
    """
    if not isinstance(mapping, Mapping):
        return ["The mapping must be an object of target field -> source"]
    problems: list[str] = []
    if adapter_class is None:
        problems.append("The connection's adapter is not installed, so no field can be checked")
    for target, spec in mapping.items():
        if not isinstance(target, str) or not target.strip():
            problems.append("A target field needs a name")
            continue
        problems.extend(
            f"Field {q(target)}: {p}"
            for p in field_problems(target, spec, adapter_class=adapter_class, schema=schema)
        )
    if adapter_class is not None:
        for target_field in adapter_class.target_fields:
            if target_field.required and target_field.name not in mapping:
                problems.append(
                    f"Field {q(target_field.name)} is required by {adapter_class.name}: map it"
                )
    return problems


def field_problems(
    target: str, spec: Any, *, adapter_class: type[Adapter] | None, schema: FormSchema | None
) -> list[str]:
    """The problems of one target field's source (validate_mapping's, without the field's name
    in front): a field the adapter does not take, a source or transform that does not fit, and
    a value of another type than the adapter declares for the field."""
    problems: list[str] = []
    if adapter_class is not None and not adapter_class.accepts_target_field(target):
        known = ", ".join(f.name for f in adapter_class.target_fields) or "none"
        problems.append(f"{adapter_class.name} has no field {q(target)} (its fields: {known})")
    spec_problems, kind = _check_spec(spec, schema)
    problems.extend(spec_problems)
    declared = declared_field(adapter_class, target)
    if not spec_problems and declared is not None and adapter_class is not None:
        wanted = TARGET_TYPE_NAMES.get(declared.type)
        if wanted is not None and kind not in TARGET_TYPE_FITS.get(declared.type, {kind}):
            problems.append(
                f"{adapter_class.name} takes {wanted} in {q(target)}, but this gives "
                f"{_KIND_NAMES[kind]}"
            )
    return problems


def declared_field(adapter_class: type[Adapter] | None, target: str) -> TargetField | None:
    """The adapter's declaration of `target` (its type, whether required), if it declares it."""
    if adapter_class is None:
        return None
    return next((f for f in adapter_class.target_fields if f.name == target), None)


# Which kinds of value (see _KIND_NAMES) fit each type an adapter declares for a field; "any" (a
# value whose kind cannot be known before a submission) always fits. A single file fits a list
# of files (an adapter finds files wherever they are: integrations/base.py files_in), and text
# fits a date when a date_format made it.
TARGET_TYPE_FITS: dict[str, frozenset[str]] = {
    "string": frozenset({"text", "number", "bool", "date", "datetime", "file", "any"}),
    "integer": frozenset({"number", "any"}),
    "number": frozenset({"number", "any"}),
    "boolean": frozenset({"bool", "any"}),
    "date": frozenset({"date", "datetime", "text", "any"}),
    "datetime": frozenset({"datetime", "text", "any"}),
    "array": frozenset({"list", "items", "files", "file", "any"}),
}
TARGET_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "date": "a date",
    "datetime": "a date and time",
    "array": "a list",
}


def _check_spec(spec: Any, schema: FormSchema | None) -> tuple[list[str], str]:
    """The problems of one source, and the kind of value it gives once transformed."""
    if not isinstance(spec, Mapping):
        return [
            f'the source must be an object like {{"answer": "question_id"}}, not {spec!r}'
        ], "any"
    kinds = [k for k in SOURCES if k in spec]
    if len(kinds) != 1:
        return [f"give exactly one source: {', '.join(SOURCES)}"], "any"
    source = kinds[0]
    allowed = {source, "transforms", "default"} | ({"part"} if source == "answer" else set())
    if source == "files":
        allowed = {source}  # a list of files: nothing to transform, nothing to default to
    unknown = set(spec) - allowed
    if unknown:
        names = ", ".join(sorted(map(str, unknown)))
        return [f"unknown keys {names} (allowed: {', '.join(sorted(allowed))})"], "any"
    problems: list[str] = []
    kind, question = _source_kind(spec, source, schema, problems)
    if problems:
        return problems, "any"
    transforms = spec.get("transforms", [])
    if not isinstance(transforms, list):
        return ['"transforms" must be a list, like [{"upper": true}]'], "any"
    for number, transform in enumerate(transforms, start=1):
        kind = _check_transform(transform, number, kind, question, spec, problems)
    return problems, kind


def _source_kind(
    spec: Mapping[str, Any], source: str, schema: FormSchema | None, problems: list[str]
) -> tuple[str, Question | None]:
    value = spec[source]
    if source == "answer":
        if not isinstance(value, str):
            problems.append("answer needs a question id")
            return "any", None
        if schema is None:
            problems.append(
                f"the form has no live version, so question {q(value)} cannot be checked"
            )
            return "any", None
        try:
            question = schema.question(value)
        except KeyError:
            problems.append(f"question {q(value)} is not in the form")
            return "any", None
        part = spec.get("part")
        kind = ANSWER_KINDS.get(question.type, "text")
        if part is None:
            return kind, question
        if question.type == "repeat":
            if _item_question(question, part) is None:
                subs = ", ".join(sub.id for sub in question.questions)
                problems.append(f"{q(part)} is not a question about each item (they are: {subs})")
                return "any", question
            return "list", question
        parts = PARTS.get(kind)
        retired = RETIRED_PARTS.get(kind, {}).get(part)
        if retired is not None:
            problems.append(retired)
        elif parts is None:
            problems.append(f"{question.type} answers have no parts; leave out {q('part')}")
        elif part not in parts:
            problems.append(
                f"{q(part)} is not a part of a {question.type} answer (parts: {', '.join(parts)})"
            )
        else:
            return parts[part], question
        return "any", question
    if source == "files":
        _check_files(value, schema, problems)
        return "files", None
    if source == "profile":
        if value not in PROFILE_FIELDS:
            problems.append(
                f"{q(value)} is not a profile field (one of {', '.join(PROFILE_FIELDS)})"
            )
        return "text", None
    if source == "meta":
        if value not in META_FIELDS:
            problems.append(f"{q(value)} is not a meta field (one of {', '.join(META_FIELDS)})")
        return META_KINDS.get(str(value), "text"), None
    if source == "template":
        try:
            pieces = parse_template(value)
        except _Unproducible as problem:
            problems.append(f"template: {problem}")
            return "text", None
        for piece in pieces:
            if isinstance(piece, tuple) and piece[0] == "answer":
                _source_kind({"answer": piece[1], "part": piece[2]}, "answer", schema, problems)
        return "text", None
    # const
    if isinstance(value, bool):
        return "bool", None
    if isinstance(value, int | float):
        return "number", None
    if isinstance(value, list):
        return "list", None
    return ("text" if isinstance(value, str) else "any"), None


def _item_question(question: Question, part: Any) -> Question | None:
    """A list question's question about each item called `part`, if there is one."""
    return next((sub for sub in question.questions if sub.id == part), None)


def _check_files(value: Any, schema: FormSchema | None, problems: list[str]) -> None:
    if value == ALL_FILES:
        return
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        problems.append(f'files needs a list of file question ids, or "{ALL_FILES}"')
        return
    if schema is None:
        problems.append("the form has no live version, so its file questions cannot be checked")
        return
    for question_id in value:
        try:
            question = schema.question(question_id)
        except KeyError:
            problems.append(f"question {q(question_id)} is not in the form")
            continue
        if question.type != "file":
            problems.append(
                f"question {q(question_id)} is a {question.type} question, not a file question"
            )


def _check_transform(
    transform: Any,
    number: int,
    kind: str,
    question: Question | None,
    spec: Mapping[str, Any],
    problems: list[str],
) -> str:
    where = f"transform {number}"
    if not isinstance(transform, Mapping) or not transform:
        problems.append(f'{where} must be an object like {{"upper": true}}')
        return "any"
    name = transform_name(transform)
    extra = set(transform) - {name} - ({"default"} if name == "lookup" else set())
    if name not in TRANSFORMS:
        problems.append(f"{where}: unknown transform {q(name)} (known: {', '.join(TRANSFORMS)})")
        return "any"
    if extra:
        problems.append(f"{where}: unknown keys {', '.join(sorted(map(str, extra)))} in {name}")
        return "any"
    argument = transform[name]

    def unfit(needs: str) -> str:
        problems.append(f"{where}: {name} needs {needs}, but the value here is {_KIND_NAMES[kind]}")
        return "any"

    if name == "display":
        if argument is not True:
            problems.append(f'{where}: write display as {{"display": true}}')
        if question is None or "part" in spec or number != 1:
            problems.append(
                f"{where}: display only applies first, to a whole answer (as the resident saw it)"
            )
            return "any"
        return "text"
    if name == "lookup":
        if not isinstance(argument, Mapping) or not argument:
            problems.append(f"{where}: lookup needs a table of answer value -> code")
            return "any"
        if kind in ("address", "location", "file", "items"):
            return unfit("a single value or a list")
        allowed = (
            question.kind.condition_values(question) if question and "part" not in spec else None
        )
        about = _item_question(question, spec.get("part")) if question is not None else None
        if about is not None:
            allowed = about.kind.condition_values(about)
        if allowed is not None:
            for key in argument:
                if key not in allowed:
                    problems.append(
                        f"{where}: {q(key)} is not an option of the question "
                        f"(options: {', '.join(sorted(allowed))})"
                    )
        if kind == "list":
            return "list"
        outputs = [*argument.values(), *([transform["default"]] if "default" in transform else [])]
        return "text" if all(isinstance(v, str) for v in outputs) else "any"
    if name == "date_format":
        if not isinstance(argument, str) or "%" not in argument:
            problems.append(f'{where}: date_format needs a format like "%d/%m/%Y"')
            return "any"
        try:
            datetime.datetime(2000, 1, 2, 3, 4, 5, tzinfo=datetime.UTC).strftime(argument)
        except ValueError:
            problems.append(f"{where}: {q(argument)} is not a date format")
            return "any"
        if kind not in ("date", "datetime", "any"):
            return unfit("a date (a date answer or meta submitted_at)")
        return "text"
    if name == "join":
        if not isinstance(argument, str):
            problems.append(f'{where}: join needs the text to put between parts, like ", "')
            return "any"
        if kind not in ("list", "items", "address", "any"):
            return unfit("a list (checkboxes, a list of items) or an address")
        return "text"
    if name == "count":
        if argument is not True:
            problems.append(f'{where}: write count as {{"count": true}}')
        if kind not in ("list", "items", "files", "any"):
            return unfit("a list (a list of items, or checkboxes)")
        return "number"
    if name in ("upper", "lower"):
        if argument is not True:
            problems.append(f'{where}: write {name} as {{"{name}": true}}')
        if kind not in ("text", "any"):
            return unfit("text")
        return kind
    # truncate
    if isinstance(argument, bool) or not isinstance(argument, int) or argument < 1:
        problems.append(f"{where}: truncate needs a whole number of 1 or more")
        return "any"
    if kind not in ("text", "any"):
        return unfit("text")
    return kind


_KIND_NAMES = {
    "text": "text",
    "number": "a number",
    "bool": "true or false",
    "date": "a date",
    "datetime": "a date and time",
    "list": "a list",
    "items": "a list of items (use a part, join, count or display)",
    "address": "an address (use a part, or join)",
    "location": "a location (use a part)",
    "file": "a file (use a part)",
    "files": "a list of files",
    "any": "of unknown type",
}


# --- from a submission --------------------------------------------------------------------------


def mapping_context_for(submission: Submission, connection_id: int | None = None) -> MappingContext:
    """What a mapping reads from `submission` (its form version, service and resident), and,
    given the connection it goes through, its files as that connection's adapter gets them."""
    version = submission.form_version
    try:
        schema: FormSchema | None = version.parsed
    except SchemaError:
        schema = None
    answers = dict(submission.answers or {})
    created = submission.created_at
    meta = {
        "reference": submission.reference,
        "submitted_at": created.astimezone(LONDON).isoformat() if created else None,
        "service": submission.service.slug,
        "service_name": submission.service.name,
        "channel": submission.channel,
        "uprn": submission.uprn or None,
        "latitude": submission.latitude,
        "longitude": submission.longitude,
        "language": submission.language,
        "form_version": version.number,
    }
    return MappingContext(
        answers=answers,
        schema=schema,
        profile=_profile(submission, schema, answers),
        meta=meta,
        language=submission.language,
        files=_files_of(submission, schema, connection_id),
    )


def _files_of(
    submission: Submission, schema: FormSchema | None, connection_id: int | None
) -> dict[str, DeliveryFile]:
    # Most forms ask for no file: their deliveries need no query for files.
    if connection_id is None or (
        schema is not None and not any(q.type == "file" for q in schema.questions)
    ):
        return {}
    return delivery_files(submission.pk, connection_id)


def _profile(
    submission: Submission, schema: FormSchema | None, answers: Mapping[str, Any]
) -> dict[str, Any]:
    """The resident's name, e-mail and phone: their account's (or, for a caller an agent
    submitted for, what the agent typed), else what the form asked."""
    user = submission.user
    profile: dict[str, Any] = {
        "full_name": getattr(user, "full_name", "") or submission.contact_name,
        "email": submission.contact_email or getattr(user, "email", "") or "",
        "phone": getattr(user, "phone", "") or submission.contact_phone,
    }
    for question in schema.questions if schema is not None else ():
        if question.prefill in profile and not profile[question.prefill]:
            value = answers.get(question.id)
            if isinstance(value, str):
                profile[question.prefill] = value
    return profile
