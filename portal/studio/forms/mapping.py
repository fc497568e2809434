"""One target field of a destination's mapping, picked from lists: where its value comes from
(an answer of the live form or a part of one, the resident's files, a profile field, a fact of
the submission, a fixed value or a text with answers in it) and how it is changed before it is
sent (the transforms of services/routing/mapping.py, offered in the one order that makes
sense: as the resident saw it, codes from a lookup table, date format, join, case, cut).

The form turns what was picked into the mapping's JSON (`spec`) and asks `field_problems`
(the one owner, as the admin and `routing import` do) what is wrong with it, showing each
problem beside the input it concerns: a transform's beside that transform (each is checked as
it is added, so the first that does not fit is found), the rest beside the source.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.forms.boundfield import BoundField
from django.forms.utils import ErrorDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from services.forms.schema import FormSchema, Question
from services.routing.mapping import (
    ALL_FILES,
    META_FIELDS,
    PROFILE_FIELDS,
    declared_field,
    field_problems,
    transform_name,
)
from services.routing.mapping_editor import (
    META_LABELS,
    PROFILE_LABELS,
    answer_choices,
    date_example,
    file_questions,
    lookup_choices,
    lookup_question,
)

SOURCES = (
    ("answer", gettext_lazy("An answer to a question")),
    ("files", gettext_lazy("Files the resident sent")),
    ("profile", gettext_lazy("The resident's details")),
    ("meta", gettext_lazy("A fact about the submission")),
    ("const", gettext_lazy("A fixed value")),
    ("template", gettext_lazy("Text with answers in it")),
)
CUSTOM = "custom"
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M:%S", "%d %B %Y")
CASES = (
    ("", gettext_lazy("Leave it as it is")),
    ("upper", gettext_lazy("IN CAPITALS")),
    ("lower", gettext_lazy("in small letters")),
)
# The order the form applies transforms in (display can only come first).
TRANSFORM_ORDER = ("display", "lookup", "date_format", "count", "join", "case", "truncate")
# The input each source reveals ("files" would hide the form's own uploaded files).
SOURCE_INPUTS = {"files": "file_questions"}
LOOKUP_PREFIX = "lookup_"
MAX_NAME = 100


class FieldMappingForm(forms.Form):
    """`target` None: a new field, named in the form (for back offices that take any field)."""

    name = forms.CharField(
        label=gettext_lazy("Field name"),
        max_length=MAX_NAME,
        required=False,
        help_text=gettext_lazy("The name the back office knows the field by, exactly."),
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Where the value comes from"),
        choices=SOURCES,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Select where the value comes from")},
    )
    answer = forms.ChoiceField(label=gettext_lazy("Answer"), required=False)
    file_questions = forms.MultipleChoiceField(
        label=gettext_lazy("Files"), required=False, widget=forms.CheckboxSelectMultiple
    )
    profile = forms.ChoiceField(label=gettext_lazy("Resident's detail"), required=False)
    meta = forms.ChoiceField(label=gettext_lazy("Fact about the submission"), required=False)
    const = forms.CharField(label=gettext_lazy("Fixed value"), required=False, max_length=500)
    template = forms.CharField(
        label=gettext_lazy("Text"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Put an answer in with {answer.question_id} (a part with "
            "{answer.question_id.postcode}), the resident's details with {profile.full_name}, "
            "facts with {meta.reference}."
        ),
    )
    default = forms.CharField(
        label=gettext_lazy("When there is no value, send (optional)"),
        required=False,
        max_length=500,
    )
    display = forms.BooleanField(
        label=gettext_lazy("Send the answer as the resident saw it (its words, not its code)"),
        required=False,
    )
    lookup_default = forms.CharField(
        label=gettext_lazy("Code for any other answer (optional)"), required=False, max_length=200
    )
    date_format = forms.ChoiceField(
        label=gettext_lazy("Date format"), required=False, widget=forms.RadioSelect
    )
    date_format_custom = forms.CharField(
        label=gettext_lazy("Another format"),
        required=False,
        max_length=50,
        help_text=gettext_lazy("Python’s strftime codes, like %d/%m/%Y."),
    )
    count = forms.BooleanField(
        label=gettext_lazy("Send how many there are (a list of items, or the boxes ticked)"),
        required=False,
    )
    join = forms.CharField(
        label=gettext_lazy("Join a list or an address with (optional)"),
        required=False,
        max_length=20,
        strip=False,
        help_text=gettext_lazy("For example a comma and a space."),
    )
    case = forms.ChoiceField(
        label=gettext_lazy("Capital letters"),
        choices=CASES,
        required=False,
        widget=forms.RadioSelect,
    )
    truncate = forms.IntegerField(
        label=gettext_lazy("Cut to this many characters at most (optional)"),
        required=False,
        min_value=1,
        max_value=100_000,
        error_messages={
            "invalid": gettext_lazy("Enter the number of characters as a whole number"),
            "min_value": gettext_lazy("Enter a number of characters of 1 or more"),
        },
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        target: str | None,
        spec: Any,
        schema: FormSchema | None,
        adapter_class: Any,  # the connection's (Connection.adapter_class): portal names no adapter
        taken: set[str],
        language: str,
    ) -> None:
        self.target = target
        self.schema = schema
        self.adapter_class = adapter_class
        self.taken = taken
        self.language = language
        self.declared = declared_field(adapter_class, target) if target else None
        self.stored_spec = spec if isinstance(spec, Mapping) else None
        initial, self.unshown = initial_from(self.stored_spec)
        super().__init__(data, initial=initial)
        if target is not None:
            del self.fields["name"]
        self._set_choices()
        # The lookup table offers the choices of the question picked: the one sent with the
        # form ("Show its choices" without JavaScript), else the one stored.
        picked = (data or {}).get("answer") if data is not None else initial.get("answer")
        self.lookup_question: Question | None = lookup_question(schema, picked)
        self.lookup_rows = lookup_choices(self.lookup_question, language)
        table = initial.get("lookup_table", {})
        self.stored_table: Mapping[str, Any] = _stored_table(self.stored_spec)
        if set(table) - {value for value, _label in self.lookup_rows}:
            self.unshown.append("lookup")  # a table of values the question does not offer
        for value, label in self.lookup_rows:
            self.fields[LOOKUP_PREFIX + value] = forms.CharField(
                label=_("Code for “%(answer)s”") % {"answer": label},
                required=False,
                max_length=200,
                initial=table.get(value, ""),
            )

    def _set_choices(self) -> None:
        choose = [("", _("Choose"))]
        answer = cast(forms.ChoiceField, self.fields["answer"])
        files = cast(forms.MultipleChoiceField, self.fields["file_questions"])
        profile = cast(forms.ChoiceField, self.fields["profile"])
        meta = cast(forms.ChoiceField, self.fields["meta"])
        date_format = cast(forms.ChoiceField, self.fields["date_format"])
        source = cast(forms.ChoiceField, self.fields["source"])
        answer.choices = choose + answer_choices(self.schema, self.language)
        file_choices = [(q.id, q.label.get(self.language)) for q in file_questions(self.schema)]
        files.choices = [(ALL_FILES, _("Every file the resident sends")), *file_choices]
        # Files are offered when the form asks for one (or the field sends files already).
        self.sources = [
            (value, str(label))
            for value, label in SOURCES
            if value != "files"
            or file_choices
            or (self.stored_spec and "files" in self.stored_spec)
        ]
        source.choices = self.sources
        profile.choices = choose + [
            (f, str(PROFILE_LABELS[f]).capitalize()) for f in PROFILE_FIELDS
        ]
        meta.choices = choose + [(f, str(META_LABELS[f]).capitalize()) for f in META_FIELDS]
        date_format.choices = [
            ("", _("Leave it as it is")),
            *[(f, _("Like %(example)s") % {"example": date_example(f)}) for f in DATE_FORMATS],
            (CUSTOM, _("Another format")),
        ]

    # --- what the template shows ----------------------------------------------------------------

    def lookup_fields(self) -> list[tuple[str, str, BoundField]]:
        return [(value, label, self[LOOKUP_PREFIX + value]) for value, label in self.lookup_rows]

    def source_fields(self) -> list[tuple[str, str, BoundField | None]]:
        """Each source (value, label) with the input it reveals."""
        return [(value, label, self[_input_of(value)]) for value, label in self.sources]

    def without_checking(self) -> FieldMappingForm:
        """The form as sent, showing no errors: for "Show its choices", which saves nothing."""
        self._errors = ErrorDict()
        return self

    # --- checking -------------------------------------------------------------------------------

    def clean_name(self) -> str:
        name = str(self.cleaned_data.get("name") or "").strip()
        if self.target is not None:
            return name
        if not name:
            raise forms.ValidationError(_("Enter the field's name"))
        if name in self.taken:
            raise forms.ValidationError(
                _("“%(name)s” is mapped already: change it from the list of fields")
                % {"name": name}
            )
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        source = cleaned.get("source")
        base = self._source_spec(source, cleaned)
        if self.errors or base is None:
            return cleaned
        steps = self._transforms(cleaned)
        if self.errors:
            return cleaned
        target = self.target or cleaned["name"]
        # A part's problems or a transform's, checked as each is added (the adapter's field and
        # type only once the whole source is known: a later join may make an address text).
        shown: set[str] = set()
        for upto in range(len(steps) + 1):
            partial = {**base, **({"transforms": [t for _, t in steps[:upto]]} if upto else {})}
            where = steps[upto - 1][0] if upto else _input_of(source)
            for problem in field_problems(target, partial, adapter_class=None, schema=self.schema):
                if problem not in shown:
                    shown.add(problem)
                    self.add_error(where, problem)
            if shown:
                return cleaned
        spec = {**base, **({"transforms": [t for _, t in steps]} if steps else {})}
        # What is left is the adapter's: a field it does not take (said beside a new field's
        # name), or a value of another type than it declares for the field.
        unknown_name = (
            "name" in self.fields
            and self.adapter_class is not None
            and not self.adapter_class.accepts_target_field(target)
        )
        for problem in field_problems(
            target, spec, adapter_class=self.adapter_class, schema=self.schema
        ):
            self.add_error("name" if unknown_name else _input_of(source), problem)
        if not self.errors:
            cleaned["spec"] = spec
            cleaned["target"] = target
        return cleaned

    def _source_spec(self, source: Any, cleaned: dict[str, Any]) -> dict[str, Any] | None:
        spec: dict[str, Any]
        if source == "answer":
            picked = cleaned.get("answer")
            if not picked:
                self.add_error("answer", _("Choose the answer to send"))
                return None
            question_id, _dot, part = str(picked).partition(".")
            spec = {"answer": question_id, **({"part": part} if part else {})}
        elif source == "files":
            picked_files = list(cleaned.get("file_questions") or [])
            if not picked_files:
                self.add_error("file_questions", _("Select the files to send"))
                return None
            spec = {"files": ALL_FILES if ALL_FILES in picked_files else picked_files}
            return spec  # a list of files takes no transform and no default
        elif source in ("profile", "meta"):
            if not cleaned.get(source):
                self.add_error(source, _("Choose which one to send"))
                return None
            spec = {source: cleaned[source]}
        elif source == "const":
            if not cleaned.get("const"):
                self.add_error("const", _("Enter the value to send"))
                return None
            spec = {"const": self._typed_constant(cleaned["const"])}
        else:
            if not cleaned.get("template"):
                self.add_error("template", _("Enter the text to send"))
                return None
            spec = {"template": cleaned["template"]}
        if cleaned.get("default"):
            spec["default"] = cleaned["default"]
        return spec

    def _typed_constant(self, typed: str) -> Any:
        """The fixed value as the field's declared type takes it (2, not "2", for a number). For
        a field of no declared type, text, unless it reads as the value already stored."""
        stored = self.stored_spec.get("const") if self.stored_spec else None
        if stored is not None and _shown(stored) == typed:
            return stored
        wanted = self.declared.type if self.declared else "string"
        if wanted in ("integer", "number", "boolean"):
            try:
                value = json.loads(typed)
            except ValueError:
                return typed  # field_problems says it is text where a number is wanted
            if isinstance(value, bool | int | float):
                return value
        return typed

    def _code(self, value: str, typed: str) -> Any:
        """A lookup table's code as typed, or as stored when it reads the same (3, not "3")."""
        stored = self.stored_table.get(value)
        return stored if stored is not None and _shown(stored) == typed else typed

    def _transforms(self, cleaned: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """(the input it was set in, transform), in the order they apply."""
        steps: list[tuple[str, dict[str, Any]]] = []
        if cleaned.get("display"):
            steps.append(("display", {"display": True}))
        table = {
            value: self._code(value, code)
            for value, _label, bound_field in self.lookup_fields()
            if (code := str(self.cleaned_data.get(bound_field.name) or "").strip())
        }
        if table:
            lookup: dict[str, Any] = {"lookup": table}
            if cleaned.get("lookup_default"):
                lookup["default"] = cleaned["lookup_default"]
            first = self.lookup_fields()[0][2].name
            steps.append((first, lookup))
        elif cleaned.get("lookup_default"):
            self.add_error("lookup_default", _("Enter a code for at least one answer"))
        date_format = cleaned.get("date_format")
        if date_format == CUSTOM:
            custom = cleaned.get("date_format_custom")
            if not custom:
                self.add_error("date_format_custom", _("Enter the date format"))
            else:
                steps.append(("date_format_custom", {"date_format": custom}))
        elif date_format:
            steps.append(("date_format", {"date_format": date_format}))
        if cleaned.get("count"):
            steps.append(("count", {"count": True}))
        if cleaned.get("join"):
            steps.append(("join", {"join": cleaned["join"]}))
        if cleaned.get("case"):
            steps.append(("case", {cleaned["case"]: True}))
        if cleaned.get("truncate"):
            steps.append(("truncate", {"truncate": cleaned["truncate"]}))
        return steps


def _input_of(source: Any) -> str:
    return SOURCE_INPUTS.get(str(source), str(source))


def _stored_table(spec: Mapping[str, Any] | None) -> Mapping[str, Any]:
    for transform in (spec or {}).get("transforms") or []:
        if isinstance(transform, Mapping) and isinstance(transform.get("lookup"), Mapping):
            return dict(transform["lookup"])
    return {}


def _shown(value: Any) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)


def initial_from(spec: Mapping[str, Any] | None) -> tuple[dict[str, Any], list[str]]:
    """The inputs' values for a stored source, and the names of the transforms the form cannot
    show as they are (a repeat, or an order other than the form's): saving replaces those."""
    if spec is None:
        return {}, []
    initial: dict[str, Any] = {}
    for source in ("answer", "files", "profile", "meta", "const", "template"):
        if source in spec:
            initial["source"] = source
            value = spec[source]
            if source == "answer" and "part" in spec:
                value = f"{value}.{spec['part']}"
            elif source == "files":
                value = [ALL_FILES] if value == ALL_FILES else list(value or [])
            elif source == "const":
                value = _shown(value)
            initial[_input_of(source)] = value
    if "default" in spec:
        initial["default"] = _shown(spec["default"])
    unshown: list[str] = []
    position = -1
    transforms = spec.get("transforms")
    for transform in transforms if isinstance(transforms, list) else []:
        if not isinstance(transform, Mapping) or not transform:
            unshown.append(str(transform))
            continue
        name = transform_name(transform)
        slot = "case" if name in ("upper", "lower") else name
        if slot not in TRANSFORM_ORDER or TRANSFORM_ORDER.index(slot) <= position:
            unshown.append(name)
            continue
        position = TRANSFORM_ORDER.index(slot)
        argument = transform[name]
        if name == "display":
            initial["display"] = True
        elif name == "lookup" and isinstance(argument, Mapping):
            initial["lookup_table"] = {str(k): _shown(v) for k, v in argument.items()}
            if "default" in transform:
                initial["lookup_default"] = _shown(transform["default"])
        elif name == "date_format":
            if argument in DATE_FORMATS:
                initial["date_format"] = argument
            else:
                initial["date_format"], initial["date_format_custom"] = CUSTOM, argument
        elif name == "count":
            initial["count"] = True
        elif name == "join":
            initial["join"] = argument
        elif slot == "case":
            initial["case"] = name
        elif name == "truncate":
            initial["truncate"] = argument
    return initial, unshown
