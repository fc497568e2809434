"""Question types typed into one box: text, number, e-mail, phone, postcode, registration."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from services.forms.base import FieldData, Messages, QuestionType, register
from services.forms.normalise import normalise_postcode, normalise_vehicle_registration
from services.forms.text import Text

if TYPE_CHECKING:
    from services.forms.schema import Question


class _Text(QuestionType):
    """Free text with optional length and pattern rules."""

    multiline: ClassVar[bool] = False
    default_max_length: ClassVar[int] = 500
    validation_keys = frozenset({"min_length", "max_length", "pattern", "pattern_message"})
    messages: ClassVar[Messages] = {
        **QuestionType.messages,
        "too_long": (
            Text(
                "{Name} must be {max} characters or less", "Rhaid i {name} fod yn {max} nod neu lai"
            ),
            Text(
                "Your answer must be {max} characters or less",
                "Rhaid i'ch ateb fod yn {max} nod neu lai",
            ),
        ),
        "too_short": (
            Text(
                "{Name} must be {min} characters or more", "Rhaid i {name} fod yn {min} nod neu fwy"
            ),
            Text(
                "Your answer must be {min} characters or more",
                "Rhaid i'ch ateb fod yn {min} nod neu fwy",
            ),
        ),
        "pattern": QuestionType.messages["invalid"],
    }

    def parse(self, question: Question, data: FieldData, lang: str) -> str | None:
        value = self.read_answer(question, data, lang, multiline=self.multiline)
        if value is None:
            return None
        rules = question.validation
        max_length = rules.max_length or self.default_max_length
        if len(value) > max_length:
            raise self.error(question, "too_long", lang, max=max_length)
        if rules.min_length and len(value) < rules.min_length:
            raise self.error(question, "too_short", lang, min=rules.min_length)
        if rules.pattern and not re.fullmatch(rules.pattern, value):
            raise self.error(question, "pattern", lang)
        return value


@register("short_text")
class ShortText(_Text):
    prefill_sources = frozenset({"full_name"})


@register("long_text")
class LongText(_Text):
    multiline = True
    default_max_length = 5000


_NUMBER = re.compile(r"[+-]?[0-9]{1,15}(\.[0-9]{1,6})?")


@register("number")
class Number(QuestionType):
    """A number; whole numbers come back as int, others as float. Commas are allowed (1,000)."""

    validation_keys = frozenset({"min", "max", "whole_number"})
    messages: ClassVar[Messages] = {
        **QuestionType.messages,
        "invalid": (
            Text("{Name} must be a number", "Rhaid i {name} fod yn rhif"),
            Text("Your answer must be a number", "Rhaid i'ch ateb fod yn rhif"),
        ),
        "whole_number": (
            Text("{Name} must be a whole number", "Rhaid i {name} fod yn rhif cyfan"),
            Text("Your answer must be a whole number", "Rhaid i'ch ateb fod yn rhif cyfan"),
        ),
        "too_small": (
            Text("{Name} must be {min} or more", "Rhaid i {name} fod yn {min} neu fwy"),
            Text("Your answer must be {min} or more", "Rhaid i'ch ateb fod yn {min} neu fwy"),
        ),
        "too_large": (
            Text("{Name} must be {max} or less", "Rhaid i {name} fod yn {max} neu lai"),
            Text("Your answer must be {max} or less", "Rhaid i'ch ateb fod yn {max} neu lai"),
        ),
    }

    def parse(self, question: Question, data: FieldData, lang: str) -> int | float | None:
        raw = re.sub(r"[\s,]", "", self.read(data, question.id))
        if not raw:
            if question.required:
                raise self.error(question, "required", lang)
            return None
        if not _NUMBER.fullmatch(raw):
            raise self.error(question, "invalid", lang)
        try:
            number = Decimal(raw)
        except InvalidOperation:  # unreachable after the regex, kept so parsing never escapes
            raise self.error(question, "invalid", lang) from None
        rules = question.validation
        is_whole = number == number.to_integral_value()
        if rules.whole_number and not is_whole:
            raise self.error(question, "whole_number", lang)
        if rules.min is not None and number < Decimal(str(rules.min)):
            raise self.error(question, "too_small", lang, min=_plain(rules.min))
        if rules.max is not None and number > Decimal(str(rules.max)):
            raise self.error(question, "too_large", lang, max=_plain(rules.max))
        return int(number) if is_whole else float(number)

    def display(self, question: Question, value: Any, lang: str = "en") -> str:
        return "" if value is None else f"{value:,}"


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


_email_validator = EmailValidator()


@register("email")
class Email(QuestionType):
    """An e-mail address; the domain is lower-cased (the local part is the mail server's)."""

    prefill_sources = frozenset({"email"})
    messages: ClassVar[Messages] = {
        "required": (
            Text("Enter {name}", "Rhowch {name}"),
            Text("Enter an email address", "Rhowch gyfeiriad e-bost"),
        ),
        "invalid": (
            Text(
                "Enter an email address in the correct format, like name@example.com",
                "Rhowch gyfeiriad e-bost yn y fformat cywir, fel enw@enghraifft.com",
            ),
        )
        * 2,
    }

    def parse(self, question: Question, data: FieldData, lang: str) -> str | None:
        value = self.read_answer(question, data, lang)
        if value is None:
            return None
        if len(value) > 254 or "@" not in value:
            raise self.error(question, "invalid", lang)
        local, _, domain = value.rpartition("@")
        value = f"{local}@{domain.lower()}"
        try:
            _email_validator(value)
        except ValidationError:
            raise self.error(question, "invalid", lang) from None
        return value


def _acceptable(number: phonenumbers.PhoneNumber) -> bool:
    """A number the library knows is allocated, or a full-length UK number it cannot yet place.

    GOV.UK asks services not to turn people away on a stricter check than needed. The library's
    allocation data lags new ranges, and it refuses Ofcom's drama ranges, which GOV.UK's own
    example numbers use; a UK number of the full ten digits is let through, a short one is not.
    """
    if phonenumbers.is_valid_number(number):
        return True
    full_length = len(str(number.national_number)) == 10
    possible = phonenumbers.is_possible_number_with_reason(number)
    return (
        number.country_code == 44
        and full_length
        and possible == phonenumbers.ValidationResult.IS_POSSIBLE
    )


@register("phone")
class Phone(QuestionType):
    """A telephone number, UK by default; stored as E.164 (+447700900982), shown nationally."""

    prefill_sources = frozenset({"phone"})
    messages: ClassVar[Messages] = {
        "required": (
            Text("Enter {name}", "Rhowch {name}"),
            Text("Enter a telephone number", "Rhowch rif ffôn"),
        ),
        "invalid": (
            Text(
                "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
                "Rhowch rif ffôn, fel 01632 960 001, 07700 900 982 neu +44 808 157 0192",
            ),
        )
        * 2,
    }

    def parse(self, question: Question, data: FieldData, lang: str) -> str | None:
        value = self.read_answer(question, data, lang)
        if value is None:
            return None
        if len(value) > 30:
            raise self.error(question, "invalid", lang)
        try:
            number = phonenumbers.parse(value, "GB")
        except phonenumbers.NumberParseException:
            raise self.error(question, "invalid", lang) from None
        if not _acceptable(number):
            raise self.error(question, "invalid", lang)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def display(self, question: Question, value: Any, lang: str = "en") -> str:
        if not value:
            return ""
        number = phonenumbers.parse(value, "GB")
        uk = phonenumbers.region_code_for_number(number) in ("GB", "GG", "JE", "IM")
        style = phonenumbers.PhoneNumberFormat
        return phonenumbers.format_number(number, style.NATIONAL if uk else style.INTERNATIONAL)

    def to_data(self, question: Question, value: Any) -> dict[str, Any]:
        return {question.id: self.display(question, value)}


@register("postcode")
class Postcode(QuestionType):
    """A UK postcode, normalised to upper case with one space: 'sw1a1aa' -> 'SW1A 1AA'."""

    messages: ClassVar[Messages] = {
        "required": (
            Text("Enter {name}", "Rhowch {name}"),
            Text("Enter a postcode", "Rhowch god post"),
        ),
        "invalid": (
            Text("Enter a real postcode", "Rhowch god post go iawn"),
            Text("Enter a real postcode", "Rhowch god post go iawn"),
        ),
    }

    def parse(self, question: Question, data: FieldData, lang: str) -> str | None:
        value = self.read_answer(question, data, lang)
        if value is None:
            return None
        postcode = normalise_postcode(value)
        if postcode is None:
            raise self.error(question, "invalid", lang)
        return postcode


@register("vehicle_registration")
class VehicleRegistration(QuestionType):
    """A UK registration (current, prefix, suffix, dateless), e.g. 'ab12cde' -> 'AB12 CDE'."""

    messages: ClassVar[Messages] = {
        "required": (
            Text("Enter {name}", "Rhowch {name}"),
            Text("Enter a vehicle registration number", "Rhowch rif cofrestru cerbyd"),
        ),
        "invalid": (
            Text(
                "Enter a real vehicle registration number, like AB12 CDE",
                "Rhowch rif cofrestru cerbyd go iawn, fel AB12 CDE",
            ),
        )
        * 2,
    }

    def parse(self, question: Question, data: FieldData, lang: str) -> str | None:
        value = self.read_answer(question, data, lang)
        if value is None:
            return None
        registration = normalise_vehicle_registration(value)
        if registration is None:
            raise self.error(question, "invalid", lang)
        return registration
