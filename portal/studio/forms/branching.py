"""Branching as lists: "Show this page only when…" and exit pages, never a typed id.

The question comes from `edits.branching_choices` (the questions on earlier pages, with the
answers each can give), and the answers from that question's own choices. It is asked in two
steps, so it works without JavaScript: first the question (`QuestionChoiceForm`, sent by GET),
then how its answer is compared and with which answers (`AnswersForm`). The comparisons are
those the form engine has (services/forms/conditions.py): the answer is one of those ticked
(equals, one_of), is not the one ticked (not), or is any answer at all (answered). A question
whose answers are free text can only be "answered".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.studio.forms.question import TranslatedPair
from services.forms.edits import BranchChoice

ALWAYS = "always"


def choice_for(choices: Sequence[BranchChoice], question_id: str | None) -> BranchChoice | None:
    return next((c for c in choices if c.question_id == question_id), None)


class QuestionChoiceForm(forms.Form):
    question = forms.ChoiceField(
        label=_("Which question’s answer decides it?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the question whose answer decides it"),
            "invalid_choice": _("Choose a question from the list"),
        },
    )

    def __init__(
        self, choices: Sequence[BranchChoice], *args: Any, always: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        options: list[tuple[str, str]] = [(c.question_id, c.label.en) for c in choices]
        if always:
            options.append((ALWAYS, str(_("None: always show this page"))))
        self.fields["question"].choices = options  # type: ignore[attr-defined]


IS = "is"
IS_NOT = "is_not"
ANSWERED = "answered"


class AnswersForm(forms.Form):
    """How the chosen question's answer is compared, and the answers it is compared with."""

    match = forms.ChoiceField(
        label=_("When the answer"),
        widget=forms.RadioSelect,
        required=False,  # left out (an older page, a hand-made request): "is one of"
        choices=[
            (IS, _("is one of the answers ticked below")),
            (IS_NOT, _("is not the answer ticked below (or the question is not answered)")),
            (ANSWERED, _("is any answer (the question is answered)")),
        ],
        error_messages={"invalid_choice": _("Choose how the answer is compared")},
    )
    answers = forms.MultipleChoiceField(
        label=_("Which answers?"),
        help_text=_("Select all that apply."),
        widget=forms.CheckboxSelectMultiple,
        required=False,  # not for "is any answer": clean() asks for them otherwise
        error_messages={"invalid_choice": _("Select answers from the list")},
    )

    def __init__(self, choice: BranchChoice, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("match", IS)
        super().__init__(*args, **kwargs)
        self.choice = choice
        if choice.answers is None:
            del self.fields["answers"]
            del self.fields["match"]
        else:
            self.fields["answers"].choices = [(v, label.en) for v, label in choice.answers]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "answers" not in self.fields or "answers" in self.errors:
            return cleaned
        match, answers = cleaned.get("match") or IS, cleaned.get("answers") or []
        if match != ANSWERED and not answers:
            self.add_error("answers", _("Select at least one answer"))
        elif match == IS_NOT and len(answers) > 1:
            self.add_error(
                "answers",
                _("Select one answer: the page is shown when the answer is anything else"),
            )
        return cleaned

    def condition(self) -> dict[str, Any]:
        question = self.choice.question_id
        match = self.cleaned_data.get("match") or IS
        if self.choice.answers is None or match == ANSWERED:
            return {"question": question, "op": "answered"}
        answers = self.cleaned_data["answers"]
        if match == IS_NOT:
            return {"question": question, "op": "not", "value": answers[0]}
        if len(answers) == 1:
            return {"question": question, "op": "equals", "value": answers[0]}
        return {"question": question, "op": "one_of", "value": list(answers)}


def condition_initial(condition: Any, question_id: str) -> dict[str, Any]:
    """How the page's condition compares and with which answers, when it is one clause on
    `question_id` (so changing it starts from what it is)."""
    if not isinstance(condition, Mapping) or condition.get("question") != question_id:
        return {}
    value, op = condition.get("value"), condition.get("op")
    if op == "equals":
        return {"match": IS, "answers": [value]}
    if op == "one_of" and isinstance(value, list):
        return {"match": IS, "answers": value}
    if op == "not":
        return {"match": IS_NOT, "answers": [value]}
    if op == "answered":
        return {"match": ANSWERED}
    return {}


class ExitPageForm(forms.Form):
    """An exit page's title and text, English and Welsh."""

    title_en = forms.CharField(
        label=_("English"),
        max_length=200,
        error_messages={"required": _("Enter the exit page’s title in English")},
    )
    title_cy = forms.CharField(label=_("Welsh"), max_length=200, required=False)
    body_en = forms.CharField(
        label=_("English"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Enter what the exit page says in English")},
    )
    body_cy = forms.CharField(
        label=_("Welsh"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def pairs(self) -> list[TranslatedPair]:
        return [
            TranslatedPair("title", str(_("Title")), "", self["title_en"], self["title_cy"]),
            TranslatedPair(
                "body", str(_("What the page says")), "", self["body_en"], self["body_cy"]
            ),
        ]

    def texts(self) -> tuple[dict[str, str], dict[str, str]]:
        return _pair(self.cleaned_data, "title"), _pair(self.cleaned_data, "body")


class PageTitleForm(forms.Form):
    """A question page's title (optional); an exit page's title and text use ExitPageForm."""

    title_en = forms.CharField(label=_("English"), max_length=200, required=False)
    title_cy = forms.CharField(label=_("Welsh"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("title_cy") and not cleaned.get("title_en"):
            self.add_error("title_en", _("Enter the title in English too"))
        return cleaned

    def pairs(self) -> list[TranslatedPair]:
        hint = str(_("Optional: a page with one question shows the question as its heading."))
        return [TranslatedPair("title", str(_("Title")), hint, self["title_en"], self["title_cy"])]

    def title(self) -> dict[str, str] | None:
        return _pair(self.cleaned_data, "title") if self.cleaned_data.get("title_en") else None


def _pair(data: Mapping[str, Any], key: str) -> dict[str, str]:
    english, welsh = data.get(f"{key}_en", ""), data.get(f"{key}_cy", "")
    return {"en": english, "cy": welsh} if welsh else {"en": english}


def text_initial(text: Any, key: str) -> dict[str, str]:
    if not isinstance(text, Mapping):
        return {}
    return {f"{key}_en": text.get("en", ""), f"{key}_cy": text.get("cy", "")}
