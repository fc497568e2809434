"""The question editor: one question of a draft as a form, in English and Welsh side by side.

The form asks what the question's type understands (services/forms/questions.py and types_*.py):
options for the types that have them (rows of value and label, added and removed by buttons, so
it works without JavaScript), the validation rules in the type's `validation_keys`, a custom
message for each code in the type's `messages`, and a prefill source from its
`prefill_sources`. It only turns what was typed into the question's JSON (`question_json`,
`changes`); whether the question is sound is the schema's to say, through services/forms/edits.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from services.forms.base import QuestionType
from services.forms.questions import QUESTION_TYPES
from services.forms.schema import DATE_RULES
from services.forms.types_repeat import REPEATABLE_TYPES

# What each type is called in the builder; a type added to the engine without a name here is
# offered under its own name, so the builder never hides a type the engine has.
TYPE_NAMES: dict[str, Promise] = {
    "short_text": _("Short answer (one line of text)"),
    "long_text": _("Long answer (a paragraph or more)"),
    "number": _("Number"),
    "email": _("Email address"),
    "phone": _("Phone number"),
    "postcode": _("Postcode"),
    "vehicle_registration": _("Vehicle registration"),
    "radios": _("One answer from a list (radios)"),
    "select": _("One answer from a drop-down list"),
    "checkboxes": _("Any answers from a list (checkboxes)"),
    "yes_no": _("Yes or no"),
    "declaration": _("Declaration (one box to tick)"),
    "date": _("Date"),
    "address": _("Address"),
    "location": _("Location on a map"),
    "file": _("File upload"),
    "repeat": _("List of items (“add another”)"),
}
PREFILL_NAMES: dict[str, Promise] = {
    "full_name": _("Their name"),
    "email": _("Their email address"),
    "phone": _("Their phone number"),
    "address": _("Their address"),
}
DATE_RULE_NAMES: dict[str, Promise] = {
    "past": _("In the past"),
    "future": _("In the future"),
    "today_or_past": _("Today or in the past"),
    "today_or_future": _("Today or in the future"),
}
MESSAGE_NAMES: dict[str, Promise] = {
    "required": _("When it is left unanswered"),
    "invalid": _("When the answer is not in the right format"),
}
TEXT_LENGTH = 500  # a label, hint or message longer than this is not one a resident reads


def type_name(type_: str) -> str:
    return str(TYPE_NAMES.get(type_, type_))


def type_choices() -> list[tuple[str, str]]:
    return [(name, type_name(name)) for name in QUESTION_TYPES]


def item_type_choices() -> list[tuple[str, str]]:
    return [(name, type_name(name)) for name in REPEATABLE_TYPES]


class ChooseTypeForm(forms.Form):
    type = forms.ChoiceField(
        label=_("What kind of answer does the question need?"),
        widget=forms.RadioSelect,
        choices=type_choices,
        error_messages={
            "required": _("Choose the kind of answer"),
            "invalid_choice": _("Choose a kind of answer from the list"),
        },
    )


class ChooseItemTypeForm(ChooseTypeForm):
    """The type of a question asked about each item of a list: only the simple ones."""

    type = forms.ChoiceField(
        label=_("What kind of answer does the question need?"),
        widget=forms.RadioSelect,
        choices=item_type_choices,
        error_messages={
            "required": _("Choose the kind of answer"),
            "invalid_choice": _("Choose a kind of answer from the list"),
        },
    )


@dataclass(frozen=True)
class TranslatedPair:
    """One text asked in English and in Welsh (the template shows them side by side)."""

    key: str
    label: str
    hint: str
    english: BoundField
    welsh: BoundField

    @property
    def welsh_missing(self) -> bool:
        return (
            bool(str(self.english.value() or "").strip())
            and not str(self.welsh.value() or "").strip()
        )


@dataclass(frozen=True)
class OptionRow:
    number: int
    value: BoundField
    english: BoundField
    welsh: BoundField

    @property
    def welsh_missing(self) -> bool:
        return (
            bool(str(self.english.value() or "").strip())
            and not str(self.welsh.value() or "").strip()
        )


def _text_field(required: bool = False, *, multiline: bool = False) -> forms.CharField:
    return forms.CharField(
        required=required,
        max_length=TEXT_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}) if multiline else forms.TextInput,
    )


class QuestionForm(forms.Form):
    """A question of type `type_`, new (`existing` None) or as it is in the draft."""

    page_title_en = _text_field()
    page_title_cy = _text_field()
    required = forms.BooleanField(
        label=_("Residents must answer it"),
        required=False,
        help_text=_("Untick to make the question optional: “(optional)” is added to its label."),
    )

    def __init__(
        self,
        type_: str,
        data: Mapping[str, Any] | None = None,
        *,
        existing: Mapping[str, Any] | None = None,
        new_page: bool = False,
        option_rows: int | None = None,
        initial: Mapping[str, Any] | None = None,
        item_question: bool = False,
    ) -> None:
        self.type = type_
        self.kind: QuestionType = QUESTION_TYPES[type_]
        self.new_page = new_page
        # A question about each item of a list: no custom messages, no prefill (parse_schema's).
        self.item_question = item_question
        # A new list starts with its first question about each item (a list asks at least one).
        self.new_list = type_ == "repeat" and existing is None
        if initial is None:
            initial = initial_from(existing) if existing is not None else {"required": True}
        if option_rows is None:
            option_rows = _rows_in(data) if data is not None else _rows_in(initial)
        self.option_count = max(option_rows, 2) if self.kind.has_options else 0
        super().__init__(data, initial=dict(initial))
        if not new_page:
            del self.fields["page_title_en"], self.fields["page_title_cy"]
        if type_ == "repeat":
            del self.fields[
                "required"
            ]  # a list always asks for items: "Fewest items" says how many
        for key, _label, _hint, multiline in self._texts():
            self.fields[f"{key}_en"] = _text_field(key == "label", multiline=multiline)
            self.fields[f"{key}_cy"] = _text_field(multiline=multiline)
        self.fields["label_en"].error_messages["required"] = _("Enter the question in English")
        for number in range(self.option_count):
            self.fields[f"option-{number}-value"] = forms.CharField(
                required=False, max_length=50, label=_("Value")
            )
            self.fields[f"option-{number}-label_en"] = _text_field()
            self.fields[f"option-{number}-label_cy"] = _text_field()
        self._add_rule_fields()
        if self.new_list:
            self.fields["first_item_question_en"] = _text_field(True)
            self.fields["first_item_question_cy"] = _text_field()
            self.fields["first_item_question_en"].error_messages["required"] = _(
                "Enter the first question about each item in English"
            )
        if self.kind.prefill_sources and not item_question:
            self.fields["prefill"] = forms.ChoiceField(
                label=_("Fill in the answer from the resident’s account"),
                required=False,
                widget=forms.RadioSelect,
                choices=[
                    ("", _("No, leave it blank")),
                    *((s, PREFILL_NAMES.get(s, s)) for s in sorted(self.kind.prefill_sources)),
                ],
            )
        for key in (
            *("title", "label", "hint", "name", "pattern_message"),
            *("first_item_question", "item_name", "item_name_plural"),
        ):
            for language, name in (("en", _("English")), ("cy", _("Welsh"))):
                if f"{key}_{language}" in self.fields:
                    self.fields[f"{key}_{language}"].label = name
        for key in ("page_title", *(f"message_{code}" for code in self.kind.messages)):
            for language, name in (("en", _("English")), ("cy", _("Welsh"))):
                if f"{key}_{language}" in self.fields:
                    self.fields[f"{key}_{language}"].label = name
        for number in range(self.option_count):
            self.fields[f"option-{number}-label_en"].label = _("Label in English")
            self.fields[f"option-{number}-label_cy"].label = _("Label in Welsh")

    # --- what the template shows ----------------------------------------------------------------

    def _texts(self) -> Iterator[tuple[str, str, str, bool]]:
        yield "label", str(_("Question")), str(_("What the resident is asked.")), False
        yield (
            "hint",
            str(_("Hint (optional)")),
            str(_("Help shown under the question, like “For example, 27 3 2007”.")),
            True,
        )
        yield (
            "name",
            str(_("Short name for error messages (optional)")),
            str(_("A few words for “Enter …” messages, like “your date of birth”.")),
            False,
        )
        if self.type == "repeat":
            yield (
                "item_name",
                str(_("What one item is called (optional)")),
                str(_("Like “item” or “bag”: residents read “Do you need to add another item?”")),
                False,
            )
            yield (
                "item_name_plural",
                str(_("What several are called (optional)")),
                str(_("Like “items” or “bags”: residents read “You have added 2 items”.")),
                False,
            )
        if self.item_question:
            return
        for code in self.kind.messages:
            _with_name, without = self.kind.messages[code]
            yield (
                f"message_{code}",
                str(MESSAGE_NAMES.get(code, code.replace("_", " ").capitalize())),
                str(_("Leave blank for the standard message: “%(message)s”"))
                % {"message": without.en},
                False,
            )

    def page_title(self) -> TranslatedPair | None:
        if not self.new_page:
            return None
        return TranslatedPair(
            "page_title",
            str(_("Page title (optional)")),
            str(_("Only needed when the page will hold more than one question.")),
            self["page_title_en"],
            self["page_title_cy"],
        )

    def text_pairs(self) -> list[TranslatedPair]:
        return [
            TranslatedPair(key, label, hint, self[f"{key}_en"], self[f"{key}_cy"])
            for key, label, hint, _multiline in self._texts()
            if not key.startswith("message_")
        ]

    def message_pairs(self) -> list[TranslatedPair]:
        return [
            TranslatedPair(key, label, hint, self[f"{key}_en"], self[f"{key}_cy"])
            for key, label, hint, _multiline in self._texts()
            if key.startswith("message_")
        ]

    def option_rows(self) -> list[OptionRow]:
        return [
            OptionRow(
                number + 1,
                self[f"option-{number}-value"],
                self[f"option-{number}-label_en"],
                self[f"option-{number}-label_cy"],
            )
            for number in range(self.option_count)
        ]

    def rule_fields(self) -> list[BoundField]:
        return [self[name] for name in self.fields if name.startswith("rule_")]

    def first_item_question(self) -> TranslatedPair | None:
        if not self.new_list:
            return None
        return TranslatedPair(
            "first_item_question",
            str(_("The first question about each item")),
            str(
                _(
                    "A short answer, like “Describe the item”. Add more questions about each "
                    "item (a size from a list, a date) once the list is saved."
                )
            ),
            self["first_item_question_en"],
            self["first_item_question_cy"],
        )

    def pattern_message(self) -> TranslatedPair | None:
        if "pattern_message_en" not in self.fields:
            return None
        return TranslatedPair(
            "pattern_message",
            str(_("Message for an answer that does not match the pattern")),
            "",
            self["pattern_message_en"],
            self["pattern_message_cy"],
        )

    def has_message_errors(self) -> bool:
        return any(
            self[f"message_{code}_{lang}"].errors
            for code in self.kind.messages
            for lang in ("en", "cy")
        )

    def welsh_missing_count(self) -> int:
        pairs = [*self.text_pairs(), *self.message_pairs()]
        optional = (self.page_title(), self.pattern_message(), self.first_item_question())
        pairs += [p for p in optional if p is not None]
        return sum(p.welsh_missing for p in pairs) + sum(
            r.welsh_missing for r in self.option_rows()
        )

    # --- rules ----------------------------------------------------------------------------------

    def _add_rule_fields(self) -> None:
        keys = self.kind.validation_keys
        counted = self.type == "checkboxes"
        listed = self.type == "repeat"
        number_error = {"invalid": _("Enter a number")}
        whole_error = {
            "invalid": _("Enter a whole number"),
            "min_value": _("Enter a whole number of 1 or more"),
        }
        if "min_length" in keys:
            self.fields["rule_min_length"] = forms.IntegerField(
                label=_("Fewest characters (optional)"),
                required=False,
                min_value=1,
                error_messages=whole_error,
            )
        if "max_length" in keys:
            self.fields["rule_max_length"] = forms.IntegerField(
                label=_("Most characters (optional)"),
                required=False,
                min_value=1,
                error_messages=whole_error,
            )
        if "min" in keys:
            self.fields["rule_min"] = forms.DecimalField(
                label=_("Fewest items (optional, 1 if left blank)")
                if listed
                else _("Fewest boxes ticked (optional)")
                if counted
                else _("Lowest (optional)"),
                required=False,
                error_messages=number_error,
            )
        if "max" in keys:
            self.fields["rule_max"] = forms.DecimalField(
                label=_("Most items (optional, 10 if left blank)")
                if listed
                else _("Most boxes ticked (optional)")
                if counted
                else _("Highest (optional)"),
                required=False,
                error_messages=number_error,
            )
        if "whole_number" in keys:
            self.fields["rule_whole_number"] = forms.BooleanField(
                label=_("Whole numbers only"), required=False
            )
        if "pattern" in keys:
            self.fields["rule_pattern"] = forms.CharField(
                label=_("Pattern the answer must match (optional)"),
                help_text=_("A regular expression, like [A-Z]{2}[0-9]{6}."),
                required=False,
                max_length=200,
            )
        if "pattern_message" in keys:
            self.fields["pattern_message_en"] = _text_field()
            self.fields["pattern_message_cy"] = _text_field()
        if "date" in keys:
            self.fields["rule_date"] = forms.ChoiceField(
                label=_("The date must be"),
                required=False,
                choices=[("", _("Any date")), *((r, DATE_RULE_NAMES[r]) for r in DATE_RULES)],
            )
        if "max_size_mb" in keys:
            self.fields["rule_max_size_mb"] = forms.DecimalField(
                label=_("Largest file, in megabytes (optional)"),
                required=False,
                min_value=Decimal("0.1"),
                max_value=Decimal(50),
                error_messages={
                    **number_error,
                    "min_value": _("Enter a size of at least 0.1 megabytes"),
                    "max_value": _("Enter a size of at most 50 megabytes"),
                },
            )

    # --- checking and turning into JSON ---------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for key, label, _hint, _multiline in self._texts():
            if cleaned.get(f"{key}_cy") and not cleaned.get(f"{key}_en"):
                self.add_error(
                    f"{key}_en", _("Enter the English of “%(text)s” too") % {"text": label}
                )
        if self.kind.has_options:
            self._clean_options(cleaned)
        return cleaned

    def _clean_options(self, cleaned: dict[str, Any]) -> None:
        filled = 0
        for number in range(self.option_count):
            prefix = f"option-{number}-"
            english = cleaned.get(f"{prefix}label_en") or ""
            value = (cleaned.get(f"{prefix}value") or "").strip()
            if not english and not value and not cleaned.get(f"{prefix}label_cy"):
                continue  # a blank row is left out
            filled += 1
            if not english:
                self.add_error(
                    f"{prefix}label_en",
                    _("Enter option %(number)s’s label in English") % {"number": number + 1},
                )
            if not value:
                cleaned[f"{prefix}value"] = (
                    slugify(english)[:50].strip("-") or f"option-{number + 1}"
                )
        if not filled:
            self.add_error("option-0-label_en", _("Enter at least one option"))

    def question_json(self) -> dict[str, Any]:
        """The new question's JSON (without an id: edits.add_question makes it)."""
        question: dict[str, Any] = {"type": self.type}
        question.update({k: v for k, v in self.changes().items() if v is not None})
        if question.get("required") is True:
            del question["required"]  # required is the default
        if self.new_list:
            first = _text(self.cleaned_data, "first_item_question")
            question["questions"] = [{"id": "description", "type": "short_text", "label": first}]
        return question

    def changes(self) -> dict[str, Any]:
        """Every key the editor owns, for edits.edit_question (None removes the key)."""
        data = self.cleaned_data
        messages = {
            code: text
            for code in self.kind.messages
            if (text := _text(data, f"message_{code}")) is not None
        }
        changes = {
            "label": _text(data, "label"),
            "hint": _text(data, "hint"),
            "name": _text(data, "name"),
            "required": None if data.get("required") or self.type == "repeat" else False,
            "options": self._options() if self.kind.has_options else None,
            "validation": self._validation() or None,
        }
        if self.type == "repeat":
            changes["item_name"] = _text(data, "item_name")
            changes["item_name_plural"] = _text(data, "item_name_plural")
        if not self.item_question:
            changes["messages"] = messages or None
            changes["prefill"] = data.get("prefill") or None if "prefill" in self.fields else None
        return changes

    def page_title_json(self) -> dict[str, str] | None:
        return _text(self.cleaned_data, "page_title") if self.new_page else None

    def _options(self) -> list[dict[str, Any]]:
        options = []
        for number in range(self.option_count):
            prefix = f"option-{number}-"
            label = _text(self.cleaned_data, f"{prefix}label")
            if label is not None:
                options.append({"value": self.cleaned_data[f"{prefix}value"], "label": label})
        return options

    def _validation(self) -> dict[str, Any]:
        data = self.cleaned_data
        rules: dict[str, Any] = {}
        for key in ("min_length", "max_length"):
            if data.get(f"rule_{key}") is not None:
                rules[key] = data[f"rule_{key}"]
        for key in ("min", "max", "max_size_mb"):
            value = data.get(f"rule_{key}")
            if value is not None:
                rules[key] = int(value) if value == value.to_integral_value() else float(value)
        if data.get("rule_whole_number"):
            rules["whole_number"] = True
        if data.get("rule_pattern"):
            rules["pattern"] = data["rule_pattern"]
        message = _text(data, "pattern_message") if "pattern_message_en" in self.fields else None
        if message is not None:
            rules["pattern_message"] = message
        if data.get("rule_date"):
            rules["date"] = data["rule_date"]
        return rules


def _text(data: Mapping[str, Any], key: str) -> dict[str, str] | None:
    english = (data.get(f"{key}_en") or "").strip()
    welsh = (data.get(f"{key}_cy") or "").strip()
    if not english:
        return None
    return {"en": english, "cy": welsh} if welsh else {"en": english}


def _rows_in(values: Mapping[str, Any]) -> int:
    """How many option rows a form's data or initial values hold."""
    try:
        return max(0, min(int(str(values.get("option_rows") or "")), 100))
    except (TypeError, ValueError):
        return 0


def initial_from(question: Mapping[str, Any]) -> dict[str, Any]:
    """The editor's fields for a question's JSON."""
    initial: dict[str, Any] = {"required": question.get("required", True) is not False}
    for key in ("label", "hint", "name", "item_name", "item_name_plural"):
        initial.update(_text_initial(question.get(key), key))
    options = question.get("options") or []
    initial["option_rows"] = len(options)
    for number, option in enumerate(options):
        initial[f"option-{number}-value"] = option.get("value", "")
        initial.update(_text_initial(option.get("label"), f"option-{number}-label"))
    for code, message in (question.get("messages") or {}).items():
        initial.update(_text_initial(message, f"message_{code}"))
    rules = question.get("validation") or {}
    for key in ("min_length", "max_length", "min", "max", "whole_number", "pattern", "date"):
        if key in rules:
            initial[f"rule_{key}"] = rules[key]
    if "max_size_mb" in rules:
        initial["rule_max_size_mb"] = rules["max_size_mb"]
    initial.update(_text_initial(rules.get("pattern_message"), "pattern_message"))
    if question.get("prefill"):
        initial["prefill"] = question["prefill"]
    return initial


def _text_initial(text: Any, key: str) -> dict[str, str]:
    if not isinstance(text, Mapping):
        return {}
    return {f"{key}_en": text.get("en", ""), f"{key}_cy": text.get("cy", "")}


def question_editor(
    type_: str,
    data: QueryDict | None,
    *,
    existing: Mapping[str, Any] | None,
    new_page: bool,
    item_question: bool = False,
) -> tuple[QuestionForm, bool]:
    """The editor for a GET (`data` None) or a POST; True when the POST asks to save, not to add
    or remove an option row, which only shows the form again with its rows changed."""
    if data is None:
        editor = QuestionForm(
            type_, existing=existing, new_page=new_page, item_question=item_question
        )
        return editor, False
    form = QuestionForm(
        type_, data, existing=existing, new_page=new_page, item_question=item_question
    )
    if "add_option" in data:
        rows, values = form.option_count + 1, typed_values(form, data)
    elif "remove_option" in data:
        values = typed_values(form, data)
        removed = str(data.get("remove_option"))
        number = int(removed) if removed.isdigit() else -1
        rows = form.option_count
        if 0 <= number < form.option_count:
            values, rows = without_row(values, form.option_count, number), rows - 1
    else:
        return form, True
    again = QuestionForm(
        type_, new_page=new_page, option_rows=rows, initial=values, item_question=item_question
    )
    return again, False


def typed_values(form: QuestionForm, data: Mapping[str, Any]) -> dict[str, Any]:
    """What was typed into `form` (a QueryDict's last values), to show it again unchecked after
    an option row is added or removed."""
    values: dict[str, Any] = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.BooleanField):
            values[name] = name in data
        else:
            values[name] = data.get(name, "")
    return values


def without_row(values: dict[str, Any], count: int, removed: int) -> dict[str, Any]:
    """`values` with option row `removed` taken out and the rows after it moved up."""
    kept = dict(values)
    for number in range(removed, count):
        for part in ("value", "label_en", "label_cy"):
            following = values.get(f"option-{number + 1}-{part}", "")
            kept[f"option-{number}-{part}"] = following if number + 1 < count else ""
    return kept
