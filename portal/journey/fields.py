"""What a question page's templates need for each question: GOV.UK attributes, values, errors.

The form engine knows answers and field names; this module adds how a question looks: its
heading, input type, autocomplete token, width class, which inputs carry an error, and the
options with their checked state. Templates in templates/journey/questions/ read these objects
and nothing else, so every piece of logic about markup is here and testable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from services.addresses import Address
from services.forms.questions import AnswerError
from services.forms.schema import Question
from services.forms.text import Text, text

_YES_NO = (("yes", Text("Yes", "Ie")), ("no", Text("No", "Na")))


@dataclass
class Choice:
    value: str
    label: str
    id: str
    checked: bool


@dataclass
class Part:
    """One input of a question made of several (a date's day, an address line)."""

    name: str
    label: str
    value: str
    classes: str = ""
    autocomplete: str = ""
    error: bool = False


@dataclass
class AddressState:
    """Where a resident is in an address question: finding, choosing, or typing it in."""

    mode: str = "lookup"  # lookup | choose | manual
    postcode: str = ""
    addresses: list[Address] = field(default_factory=list)
    chosen: str = ""  # the selected UPRN
    error: AnswerError | None = None  # a lookup problem, shown like an answer error


@dataclass(frozen=True)
class MapView:
    """What a location question's map is given (settings MAP_*), as its data- attributes hold it:
    text, so that no locale's number format reaches the script."""

    tile_url: str
    attribution: str
    centre: str  # "latitude,longitude"
    zoom: str

    @classmethod
    def from_settings(cls) -> MapView:
        lat, lng = settings.MAP_CENTRE
        return cls(
            tile_url=settings.MAP_TILE_URL,
            attribution=settings.MAP_TILE_ATTRIBUTION,
            centre=f"{lat!r},{lng!r}",
            zoom=str(settings.MAP_ZOOM),
        )


@dataclass
class Field:
    question: Question
    label: str
    hint: str
    heading: bool
    error: AnswerError | None
    data: Mapping[str, Any]
    value: str = ""
    input_type: str = "text"
    autocomplete: str = ""
    inputmode: str = ""
    classes: str = ""
    spellcheck: bool | None = None
    choices: list[Choice] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    address: AddressState | None = None
    uploaded_name: str = ""
    map: MapView | None = None
    # A list question's questions about one item (only previews show a list as one field).
    sub_fields: list[Field] = field(default_factory=list)
    # Ids of the inputs on the page, in order: the error summary links to one of them.
    input_ids: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.question.id

    @property
    def template(self) -> str:
        return f"journey/questions/{self.question.type}.html"

    @property
    def error_target(self) -> str:
        """The id of the input the error summary should focus."""
        if self.error is not None and self.error.field in self.input_ids:
            return self.error.field
        return self.input_ids[0] if self.input_ids else self.id

    @property
    def described_by(self) -> str:
        ids = [f"{self.id}-hint"] if self.hint else []
        if self.error is not None:
            ids.append(f"{self.id}-error")
        return " ".join(ids)


def _one(data: Mapping[str, Any], name: str) -> str:
    """A field's value for re-display: a string, whatever shape was posted."""
    value = data.get(name, "")
    if isinstance(value, list | tuple):
        value = value[0] if len(value) == 1 else ""
    return value if isinstance(value, str) else ""


def _many(data: Mapping[str, Any], name: str) -> set[str]:
    value = data.get(name, [])
    if isinstance(value, str):
        return {value}
    if isinstance(value, list | tuple):
        return {v for v in value if isinstance(v, str)}
    return set()


def build_field(
    question: Question,
    data: Mapping[str, Any],
    error: AnswerError | None,
    lang: str,
    *,
    heading: bool,
    address: AddressState | None = None,
    uploaded_name: str = "",
) -> Field:
    f = Field(
        question=question,
        label=text(question.label, lang),
        hint=text(question.hint, lang),
        heading=heading,
        error=error,
        data=data,
    )
    builder = _BUILDERS.get(question.type, _text_input)
    builder(f, lang)
    if question.type == "address":
        _address(f, address or AddressState(), lang)
    if question.type == "file":
        f.uploaded_name = uploaded_name
    return f


def build_fields_for(
    questions: Sequence[Question],
    data: Mapping[str, Any],
    errors: Mapping[str, AnswerError],
    states: Mapping[str, AddressState],
    lang: str,
    uploaded: Mapping[str, str] | None = None,
) -> list[Field]:
    """The fields of one page showing `questions`: a lone question's label is the page heading.

    `uploaded` maps a file question's id to the name of the file already uploaded, if any.
    """
    heading = len(questions) == 1
    return [
        build_field(
            question,
            data,
            errors.get(question.id),
            lang,
            heading=heading,
            address=states.get(question.id),
            uploaded_name=(uploaded or {}).get(question.id, ""),
        )
        for question in questions
    ]


def _text_input(f: Field, lang: str) -> None:
    q = f.question
    f.value = _one(f.data, q.id)
    f.input_ids = [q.id]
    widths = {
        "postcode": "govuk-input--width-10",
        "vehicle_registration": "govuk-input--width-10",
        "number": "govuk-input--width-10",
        "phone": "govuk-input--width-20",
    }
    width = widths.get(q.type, "")
    if q.type == "short_text" and (q.validation.max_length or 500) <= 30:
        width = "govuk-input--width-20"
    if q.type == "email":
        f.input_type, f.autocomplete, f.spellcheck = "email", "email", False
    elif q.type == "phone":
        f.input_type, f.autocomplete = "tel", "tel"
    elif q.type == "postcode":
        f.autocomplete, f.spellcheck = "postal-code", False
    elif q.type == "vehicle_registration":
        f.spellcheck = False
    elif q.type == "number":
        f.inputmode = "numeric" if q.validation.whole_number else "decimal"
        f.spellcheck = False
    elif q.type == "short_text" and q.prefill == "full_name":
        f.autocomplete, f.spellcheck = "name", False
    base = "govuk-textarea" if q.type == "long_text" else "govuk-input"
    f.classes = " ".join(c for c in (base, width, f"{base}--error" if f.error else "") if c).strip()


def _long_text(f: Field, lang: str) -> None:
    _text_input(f, lang)


def _choices(f: Field, lang: str) -> None:
    q = f.question
    options = _YES_NO if q.type == "yes_no" else tuple((o.value, o.label) for o in q.options)
    chosen = _many(f.data, q.id) if q.type == "checkboxes" else {_one(f.data, q.id)}
    for number, (value, label) in enumerate(options, start=1):
        choice_id = q.id if number == 1 else f"{q.id}-{number}"
        f.choices.append(Choice(value, text(label, lang), choice_id, value in chosen))
    f.input_ids = [c.id for c in f.choices]
    if q.type == "select":
        f.classes = "govuk-select" + (" govuk-select--error" if f.error else "")


def _declaration(f: Field, lang: str) -> None:
    q = f.question
    f.choices = [Choice("yes", f.label, q.id, _one(f.data, q.id) in ("yes", "on", "true"))]
    f.input_ids = [q.id]


def date_example(rule: str | None, today: date) -> date:
    """A date to give as an example: one the question accepts, near enough to today to look real.

    A fixed example ("27 3 2007") reads as stale, and as wrong when it breaks the question's own
    rule. Past dates: about a year ago; future ones: three weeks ahead. Either way a weekday, as
    collections and appointments are.
    """
    if rule in ("future", "today_or_future"):
        example, step = today + timedelta(weeks=3), timedelta(days=1)
    else:
        example, step = today - timedelta(days=365), timedelta(days=-1)
    while example.weekday() >= 5:
        example += step
    return example


def _date(f: Field, lang: str) -> None:
    q = f.question
    example = date_example(q.validation.date, timezone.localdate())
    # GOV.UK's date pattern writes the example as it is typed: day, month and year, no zeros.
    shown = _("For example, %(date)s") % {"date": f"{example.day} {example.month} {example.year}"}
    f.hint = f"{f.hint} {shown}" if f.hint else shown
    names = q.kind.field_names(q)
    labels = [_("Day"), _("Month"), _("Year")]
    whole = f.error is not None and (f.error.field == names[0] and f.error.code != "incomplete")
    for name, label in zip(names, labels, strict=True):
        error = f.error is not None and (whole or f.error.field == name)
        width = "govuk-input--width-4" if name.endswith("-year") else "govuk-input--width-2"
        classes = f"govuk-input govuk-date-input__input {width}"
        f.parts.append(Part(name, label, _one(f.data, name), classes, error=error))
    f.input_ids = names


def _address(f: Field, state: AddressState, lang: str) -> None:
    q = f.question
    f.address = state
    if state.error is not None and f.error is None:
        f.error = state.error
    if state.mode == "manual":
        rows = [
            ("line1", _("Address line 1"), "address-line1", ""),
            ("line2", _("Address line 2 (optional)"), "address-line2", ""),
            ("town", _("Town or city"), "address-level2", "govuk-!-width-two-thirds"),
            ("postcode", _("Postcode"), "postal-code", "govuk-input--width-10"),
        ]
        for part, label, autocomplete, width in rows:
            name = f"{q.id}-{part}"
            error = f.error is not None and f.error.field == name
            classes = " ".join(c for c in ("govuk-input", width, "govuk-input--error" * error) if c)
            f.parts.append(Part(name, label, _one(f.data, name), classes, autocomplete, error))
        f.input_ids = [p.name for p in f.parts]
    elif state.mode == "choose":
        for number, found in enumerate(state.addresses, start=1):
            choice_id = f"{q.id}-uprn" if number == 1 else f"{q.id}-uprn-{number}"
            f.choices.append(
                Choice(found.uprn, found.single_line, choice_id, found.uprn == state.chosen)
            )
        f.input_ids = [c.id for c in f.choices] or [f"{q.id}-lookup"]
    else:
        f.input_ids = [f"{q.id}-lookup"]
        f.value = state.postcode


def _location(f: Field, lang: str) -> None:
    q = f.question
    description, lat, lng = q.kind.field_names(q)
    f.value = _one(f.data, description)
    f.parts = [Part(lat, "", _one(f.data, lat)), Part(lng, "", _one(f.data, lng))]
    f.classes = "govuk-textarea" + (" govuk-textarea--error" if f.error else "")
    f.input_ids = [description]
    f.map = MapView.from_settings()


def _file(f: Field, lang: str) -> None:
    q = f.question
    f.classes = "govuk-file-upload" + (" govuk-file-upload--error" if f.error else "")
    f.input_ids = [q.id]


def _repeat(f: Field, lang: str) -> None:
    q = f.question
    f.sub_fields = build_fields_for(q.questions, f.data, {}, {}, lang)
    for sub in f.sub_fields:
        sub.heading = False
    f.input_ids = f.sub_fields[0].input_ids if f.sub_fields else []


_BUILDERS = {
    "long_text": _long_text,
    "radios": _choices,
    "yes_no": _choices,
    "checkboxes": _choices,
    "select": _choices,
    "declaration": _declaration,
    "date": _date,
    "address": lambda f, lang: None,
    "location": _location,
    "file": _file,
    "repeat": _repeat,
}
