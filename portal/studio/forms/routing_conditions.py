"""One part of a rule's condition, built from lists: an answer to a question of the live form,
postcode districts, an area, how it was sent, or when.

Each form turns what was chosen into the condition language (`part()`), and `clean` asks
validate_condition (the one owner of what a condition may be) about that part, putting each
problem next to the field it concerns. The forms only read what was typed; they refuse nothing
validate_condition would accept.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from services.forms.schema import FormSchema, Question
from services.models.submissions import Channel
from services.routing.condition_parts import (
    ANSWER,
    ANSWERED,
    IS,
    IS_NOT,
    NOT_ANSWERED,
    answer_choices,
    answer_of,
    answer_part,
    condition_targets,
    count_of,
    count_part,
    find_target,
    item_of,
    item_part,
    kind_of,
)
from services.routing.conditions import WEEKDAY_NAMES, validate_condition

KIND_CHOICES = [
    (ANSWER, _("An answer to a question")),
    ("postcode_district", _("The postcode district (NN1, SW1A)")),
    ("area", _("The place it is about (an area on the map)")),
    ("channel", _("How it was sent (online, by phone, …)")),
    ("time", _("When it was sent (days and times)")),
]


class ChooseKindForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What should the rule look at?"),
        choices=KIND_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the rule should look at")},
    )


class ConditionPartForm(forms.Form):
    """A part of a condition; subclasses say which fields make it (`part`)."""

    # Which field a problem from validate_condition belongs to: the first whose key is in it.
    problem_fields: tuple[tuple[str, str], ...] = ()

    def __init__(self, *args: Any, schema: FormSchema | None, rule_name: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.schema = schema
        self.rule_name = rule_name

    def part(self) -> dict[str, Any]:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        for problem in validate_condition(self.part(), self.schema, name=self.rule_name):
            self.add_error(self._field_for(problem), problem)
        return cleaned

    def _field_for(self, problem: str) -> str | None:
        for key, field in self.problem_fields:
            if key in problem:
                return field
        return next(iter(self.fields), None)


class AnswerForm(ConditionPartForm):
    """ "Which bin" is "Garden waste": the question (chosen on the page before), how, and the
    answers from the question's own choices (or typed, for a question without choices)."""

    op = forms.ChoiceField(
        label=_("The rule matches when the answer"),
        widget=forms.RadioSelect,
        choices=[
            (IS, _("is")),
            (IS_NOT, _("is not")),
            (ANSWERED, _("is given (any answer)")),
            (NOT_ANSWERED, _("is not given")),
        ],
        error_messages={"required": _("Choose when the rule matches")},
    )

    def __init__(self, *args: Any, question: Question, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.question = question
        self.choices = answer_choices(question)
        if self.choices is not None:
            self.fields["values"] = forms.MultipleChoiceField(
                label=_("Answers"),
                help_text=_("Choose one or more. With “is not”, the answer is none of them."),
                choices=self.choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        else:
            self.fields["values"] = forms.CharField(
                label=_("Answer"), required=False, max_length=200
            )

    def clean(self) -> dict[str, Any]:
        op = self.cleaned_data.get("op")
        if op in (IS, IS_NOT) and not self._values():
            message = (
                _("Choose at least one answer")
                if self.choices
                else _("Enter the answer to compare with")
            )
            self.add_error("values", message)
        return super().clean()

    def _values(self) -> list[str]:
        raw = self.cleaned_data.get("values")
        if isinstance(raw, list):
            return [str(v) for v in raw]
        return [raw.strip()] if isinstance(raw, str) and raw.strip() else []

    def part(self) -> dict[str, Any]:
        op = self.cleaned_data["op"]
        values = self._values() if op in (IS, IS_NOT) else []
        return answer_part(self.question.id, op, values)


class ListCountForm(ConditionPartForm):
    """A list question has at least so many items ("3 or more bulky items")."""

    count = forms.IntegerField(
        label=_("The rule matches when the number of items is at least"),
        min_value=1,
        max_value=50,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={
            "required": _("Enter the number of items"),
            "invalid": _("Enter a whole number of items"),
            "min_value": _("Enter a number of items of 1 or more"),
            "max_value": _("Enter a number of items of 50 or less"),
        },
    )

    def __init__(self, *args: Any, question: Question, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.question = question

    def part(self) -> dict[str, Any]:
        return count_part(self.question.id, int(self.cleaned_data["count"]))


class ListItemForm(ConditionPartForm):
    """Some item of a list question answers one of its questions with one of these answers
    ("any item's size is Large")."""

    def __init__(self, *args: Any, question: Question, item_question: Question, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.question, self.item_question = question, item_question
        self.choices = answer_choices(item_question)
        if self.choices is not None:
            self.fields["values"] = forms.MultipleChoiceField(
                label=_("The rule matches when any item’s answer is"),
                help_text=_("Choose one or more."),
                choices=self.choices,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"required": _("Choose at least one answer")},
            )
        else:
            self.fields["values"] = forms.CharField(
                label=_("The rule matches when any item’s answer is"),
                max_length=200,
                error_messages={"required": _("Enter the answer to compare with")},
            )

    def part(self) -> dict[str, Any]:
        raw = self.cleaned_data["values"]
        values = [str(v) for v in raw] if isinstance(raw, list) else [str(raw).strip()]
        return item_part(self.question.id, self.item_question.id, values)


def answer_form(
    data: Any,
    *,
    schema: FormSchema | None,
    rule_name: str,
    target: tuple[Question, Any],
    initial: dict[str, Any] | None = None,
) -> ConditionPartForm:
    """The form for a condition on the chosen target: a question, a list, or a list's question
    (`initial`: what an existing part is, from initial_for, when it is changed in place)."""
    question, item_question = target
    form: ConditionPartForm
    if question.type == "repeat" and item_question is not None:
        form = ListItemForm(
            data,
            schema=schema,
            rule_name=rule_name,
            question=question,
            item_question=item_question,
            initial=initial,
        )
    elif question.type == "repeat":
        form = ListCountForm(
            data, schema=schema, rule_name=rule_name, question=question, initial=initial
        )
    else:
        form = AnswerForm(
            data, schema=schema, rule_name=rule_name, question=question, initial=initial
        )
    if initial and getattr(form, "choices", ()) is None:
        # A typed answer (no choices to tick) shows the one value it compares with.
        form.initial["values"] = (initial.get("values") or [""])[0]
    return form


def question_choices(schema: FormSchema | None) -> list[tuple[str, str]]:
    """Every question of the live form, in the order residents meet them, by its label (and for
    a list, its number of items and each question about its items)."""
    return condition_targets(schema, "en")


class ChooseQuestionForm(forms.Form):
    """A GET form: the answer form needs the question first, to offer its choices."""

    question = forms.ChoiceField(
        label=_("Question"), error_messages={"required": _("Choose a question")}
    )

    def __init__(self, *args: Any, schema: FormSchema | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["question"].choices = [("", ""), *question_choices(schema)]  # type: ignore[attr-defined]
        self.schema = schema

    def chosen(self) -> tuple[Question, Question | None] | None:
        """(question, the list's question about each item or None), once one is chosen."""
        if self.schema is None or not self.is_valid():
            return None
        return find_target(self.schema, self.cleaned_data["question"])


SEPARATORS = re.compile(r"[\s,;]+")


class PostcodeDistrictForm(ConditionPartForm):
    districts = forms.CharField(
        label=_("Postcode districts"),
        help_text=_("The first half of the postcode, separated by commas: NN1, NN2, NN3."),
        max_length=500,
        error_messages={"required": _("Enter at least one postcode district")},
    )

    def part(self) -> dict[str, Any]:
        raw = str(self.cleaned_data["districts"])
        districts = [d.upper() for d in SEPARATORS.split(raw) if d]
        return {"postcode_district": list(dict.fromkeys(districts))}


class AreaForm(ConditionPartForm):
    problem_fields = (("needs a name", "name"), ("polygon", "points"))

    name = forms.CharField(
        label=_("Name of the area"),
        help_text=_("People see it in routing decisions, e.g. “North ward”."),
        max_length=100,
        error_messages={"required": _("Enter the name of the area")},
    )
    points = forms.CharField(
        label=_("The area’s boundary"),
        help_text=_(
            "One corner per line, as longitude, latitude (from your mapping system): "
            "-0.8931, 52.2405"
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
        error_messages={"required": _("Enter the corners of the area")},
    )

    def clean_points(self) -> list[list[float]]:
        corners = []
        for number, line in enumerate(str(self.cleaned_data["points"]).splitlines(), start=1):
            if not line.strip():
                continue
            try:
                longitude, latitude = (float(n) for n in line.replace(",", " ").split())
            except ValueError:
                raise forms.ValidationError(
                    _("Line %(number)s is not a longitude and a latitude: %(line)s")
                    % {"number": number, "line": line.strip()[:60]}
                ) from None
            corners.append([longitude, latitude])
        return corners

    def part(self) -> dict[str, Any]:
        return {"area": {"name": self.cleaned_data["name"], "polygon": self.cleaned_data["points"]}}


class ChannelForm(ConditionPartForm):
    channels = forms.MultipleChoiceField(
        label=_("Sent"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one way it was sent")},
    )

    def part(self) -> dict[str, Any]:
        return {"channel": list(self.cleaned_data["channels"])}


class TimeForm(ConditionPartForm):
    problem_fields = (("weekdays", "weekdays"), ('"from"', "start"), ('"to"', "end"))

    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days"),
        choices=[(str(number), _(name)) for number, name in enumerate(WEEKDAY_NAMES)],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one day")},
    )
    start = forms.CharField(
        label=_("From (24-hour time, like 08:00)"),
        help_text=_("Leave both times empty for the whole day."),
        required=False,
        max_length=5,
    )
    end = forms.CharField(label=_("Until (24-hour time, like 18:00)"), required=False, max_length=5)

    def part(self) -> dict[str, Any]:
        window: dict[str, Any] = {"weekdays": sorted(self.cleaned_data["weekdays"])}
        start, end = self.cleaned_data["start"].strip(), self.cleaned_data["end"].strip()
        if start:
            window["from"] = start
        if end:
            window["to"] = end
        return {"time": window}


PART_FORMS: dict[str, type[ConditionPartForm]] = {
    ANSWER: AnswerForm,
    "postcode_district": PostcodeDistrictForm,
    "area": AreaForm,
    "channel": ChannelForm,
    "time": TimeForm,
}


def initial_for(kind: str, part: Any) -> dict[str, Any] | None:
    """What the form of `kind` shows for an existing part, so it can be changed in place; None
    when the part is not one the form makes (the inverse of each form's `part`)."""
    if not isinstance(part, dict):
        return None
    if kind == ANSWER:
        counted, item = count_of(part), item_of(part)
        if counted is not None:
            return {"count": counted[1]}  # "at least N items" (ListCountForm)
        if item is not None:
            return {"values": item[2]}  # "any item whose … is one of" (ListItemForm)
        answer = answer_of(part)
        if answer is None:
            return None
        _question, op, values = answer
        return {"op": op, "values": values}
    value = part.get(kind)
    if kind == "postcode_district" and isinstance(value, list):
        return {"districts": ", ".join(str(v) for v in value)}
    if kind == "area" and isinstance(value, dict):
        corners = value.get("polygon") or []
        points = "\n".join(f"{c[0]}, {c[1]}" for c in corners if isinstance(c, list | tuple))
        return {"name": value.get("name", ""), "points": points}
    if kind == "channel" and isinstance(value, list):
        return {"channels": value}
    if kind == "time" and isinstance(value, dict):
        return {
            "weekdays": [str(day) for day in value.get("weekdays", [])],
            "start": value.get("from", ""),
            "end": value.get("to", ""),
        }
    return None


def is_editable(part: Any) -> bool:
    """Whether a part can be changed in place with the form that makes it (one written in a
    routing file in a way the studio does not build can only be removed)."""
    kind = kind_of(part)
    return kind in PART_FORMS and initial_for(kind, part) is not None
