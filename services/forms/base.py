"""The contract every question type follows, the error it raises, and the registry of types.

A question type turns the POSTed fields of one question into a clean, JSON-serialisable value
(`clean`), shows that value on check-your-answers (`display`), and turns it back into fields for
re-displaying a page (`to_data`). It never trusts the browser: any shape of input gives either a
value or an `AnswerError`, never another exception.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from services.forms.normalise import UnsafeTextError, clean_text
from services.forms.text import Text, text

if TYPE_CHECKING:
    from services.forms.schema import Question

FieldData = Mapping[str, Any]
"""The POSTed fields of one question: name -> str or list[str] (other shapes are tampering)."""

# Nobody types more than this into one box; refusing early keeps regexes and parsers cheap.
MAX_INPUT_CHARS = 20_000


class AnswerError(Exception):
    """An answer the resident must correct.

    `message` is the GOV.UK-style text in the requested language, `field` the input to link to
    from the error summary (e.g. "dob-month"), `code` what went wrong ("required", "invalid", ...,
    the same keys a schema's "messages" may override).
    """

    def __init__(self, message: str, *, field: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class TamperedInput(Exception):
    """Input no honest browser sends (a list for a text box, a dict, an overlong string)."""


# Default messages: (with the question's "name", without). "{Name}" is the name capitalised.
Messages = dict[str, tuple[Text, Text]]


class QuestionType:
    """Base class: a type overrides `parse` (and usually `display`), the rest is shared."""

    name: ClassVar[str]
    # Keys of "validation" this type understands; others are refused by the schema check.
    validation_keys: ClassVar[frozenset[str]] = frozenset()
    has_options: ClassVar[bool] = False
    # A prefill source ("full_name", "email", ...) that makes sense for this type, if any.
    prefill_sources: ClassVar[frozenset[str]] = frozenset()
    messages: ClassVar[Messages] = {
        "required": (Text("Enter {name}", "Rhowch {name}"), Text("Enter an answer", "Rhowch ateb")),
        "invalid": (
            Text("Enter {name} in the correct format", "Rhowch {name} yn y fformat cywir"),
            Text("Enter your answer in the correct format", "Rhowch eich ateb yn y fformat cywir"),
        ),
    }

    # --- what a journey calls -------------------------------------------------------------------

    def field_names(self, question: Question) -> list[str]:
        """Names of the form inputs this question reads; the first one is linked from errors."""
        return [question.id]

    def clean(self, question: Question, data: FieldData, lang: str = "en") -> Any:
        """The clean value, or None for an optional question left blank; raises AnswerError."""
        try:
            return self.parse(question, data, lang)
        except TamperedInput:
            raise self.error(question, "invalid", lang) from None

    def display(self, question: Question, value: Any, lang: str = "en") -> str:
        """The value as plain text (not HTML), complete: for staff and back-office text."""
        return "" if value is None else str(value)

    def display_for_resident(self, question: Question, value: Any, lang: str = "en") -> str:
        """The value as the resident reads it back (check your answers, their account).

        The same as `display` unless the complete text means nothing to a resident.
        """
        return self.display(question, value, lang)

    def to_data(self, question: Question, value: Any) -> dict[str, Any]:
        """Field values that `clean` turns back into `value` (to show a page again)."""
        return {question.id: "" if value is None else str(value)}

    def check_schema(self, question: Question) -> list[str]:
        """Type-specific problems in a question's definition (options, numbers, patterns)."""
        return []

    def condition_values(self, question: Question) -> frozenset[str] | None:
        """Values a condition on this question may compare with; None means any value."""
        return None

    # --- for subclasses -------------------------------------------------------------------------

    def parse(self, question: Question, data: FieldData, lang: str) -> Any:
        raise NotImplementedError

    def error(
        self, question: Question, code: str, lang: str, *, field: str | None = None, **values: Any
    ) -> AnswerError:
        """An AnswerError with the schema's custom message for `code`, else the default."""
        custom = question.messages.get(code)
        if custom is None and code == "pattern" and question.validation.pattern_message:
            custom = question.validation.pattern_message
        if custom is not None:
            message = text(custom, lang)
        else:
            with_name, without = self.messages.get(code) or QuestionType.messages["invalid"]
            name = text(question.name, lang) if question.name else ""
            template = text(with_name if name else without, lang)
            message = template.format(name=name, Name=name[:1].upper() + name[1:], **values)
        return AnswerError(message, field=field or self.field_names(question)[0], code=code)

    def read_answer(
        self, question: Question, data: FieldData, lang: str, *, multiline: bool = False
    ) -> str | None:
        """The question's one field as clean text, or None when an optional one is left blank;
        AnswerError ("required") when a required one is."""
        value = self.read(data, question.id, multiline=multiline)
        if not value and question.required:
            raise self.error(question, "required", lang)
        return value or None

    def read(self, data: FieldData, field: str, *, multiline: bool = False) -> str:
        """One field as clean text ("" when absent); TamperedInput for anything but a string."""
        value = data.get(field)
        if isinstance(value, list | tuple):
            # A QueryDict turned into lists gives one-item lists for ordinary inputs.
            if len(value) > 1:
                raise TamperedInput(field)
            value = value[0] if value else None
        if value is None:
            return ""
        if not isinstance(value, str) or len(value) > MAX_INPUT_CHARS:
            raise TamperedInput(field)
        try:
            return clean_text(value, multiline=multiline)
        except UnsafeTextError:
            raise TamperedInput(field) from None


QUESTION_TYPES: dict[str, QuestionType] = {}

T = TypeVar("T", bound=type[QuestionType])


def register(name: str) -> Callable[[T], T]:
    """Class decorator adding a question type to the registry under `name` (once only)."""

    def decorator(cls: T) -> T:
        if name in QUESTION_TYPES:
            raise ValueError(f"A question type named {name!r} is already registered")
        cls.name = name
        QUESTION_TYPES[name] = cls()
        return cls

    return decorator
