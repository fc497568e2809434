"""Question types made of several inputs: date, address and location."""

from __future__ import annotations

import datetime
import math
import re
from typing import TYPE_CHECKING, Any, ClassVar

from django.utils import timezone

from services.forms.base import FieldData, Messages, QuestionType, register
from services.forms.normalise import normalise_postcode
from services.forms.text import Text, text

if TYPE_CHECKING:
    from services.forms.schema import Question

# Welsh needs review by a Welsh speaker; parts are named in the order GOV.UK lists them.
_PARTS = {
    "day": Text("day", "diwrnod"),
    "month": Text("month", "mis"),
    "year": Text("year", "blwyddyn"),
}
_MONTHS_EN = "January February March April May June July August September October November December"
_MONTHS_CY = (
    "Ionawr Chwefror Mawrth Ebrill Mai Mehefin Gorffennaf Awst Medi Hydref Tachwedd Rhagfyr"
)
_MONTH_NAMES = {
    name.lower()[:length]: number
    for names in (_MONTHS_EN.split(), _MONTHS_CY.split())
    for number, name in enumerate(names, start=1)
    for length in (3, len(name))
}


def today() -> datetime.date:
    """Today in the council's time zone (settings.TIME_ZONE), not the server's."""
    return timezone.localdate()


def _date_messages(rule: str, en: str, cy: str) -> tuple[Text, Text]:
    return (
        Text("{Name} " + en, "Rhaid i {name} " + cy),
        Text("The date " + en, "Rhaid i'r dyddiad " + cy),
    )


@register("date")
class Date(QuestionType):
    """Day, month and year boxes; the value is an ISO date string "2024-03-05"."""

    validation_keys = frozenset({"date"})
    messages: ClassVar[Messages] = {
        "required": (
            Text("Enter {name}", "Rhowch {name}"),
            Text("Enter a date", "Rhowch ddyddiad"),
        ),
        "incomplete": _date_messages("incomplete", "must include a {parts}", "gynnwys {parts}"),
        "invalid": _date_messages("invalid", "must be a real date", "fod yn ddyddiad go iawn"),
        "year": (Text("Year must include 4 numbers", "Rhaid i'r flwyddyn gynnwys 4 rhif"),) * 2,
        "past": _date_messages("past", "must be in the past", "fod yn y gorffennol"),
        "future": _date_messages("future", "must be in the future", "fod yn y dyfodol"),
        "today_or_past": _date_messages(
            "today_or_past", "must be today or in the past", "fod heddiw neu yn y gorffennol"
        ),
        "today_or_future": _date_messages(
            "today_or_future", "must be today or in the future", "fod heddiw neu yn y dyfodol"
        ),
    }

    def field_names(self, question: Question) -> list[str]:
        return [f"{question.id}-{part}" for part in _PARTS]

    def parse(self, question: Question, data: FieldData, lang: str) -> str | None:
        fields = dict(zip(_PARTS, self.field_names(question), strict=True))
        raw = {part: self.read(data, name) for part, name in fields.items()}
        missing = [part for part, value in raw.items() if not value]
        if len(missing) == 3:
            if question.required:
                raise self.error(question, "required", lang)
            return None
        if missing:
            joiner = " a " if lang.startswith("cy") else " and "
            parts = joiner.join(text(_PARTS[part], lang) for part in missing)
            raise self.error(question, "incomplete", lang, field=fields[missing[0]], parts=parts)
        if not re.fullmatch(r"[0-9]{1,2}", raw["day"]):
            raise self.error(question, "invalid", lang, field=fields["day"])
        month = _parse_month(raw["month"])
        if month is None:
            raise self.error(question, "invalid", lang, field=fields["month"])
        if not re.fullmatch(r"[0-9]{4}", raw["year"]):
            raise self.error(question, "year", lang, field=fields["year"])
        try:
            value = datetime.date(int(raw["year"]), month, int(raw["day"]))
        except ValueError:
            raise self.error(question, "invalid", lang) from None
        rule = question.validation.date
        now = today()
        broken = {
            "past": value >= now,
            "future": value <= now,
            "today_or_past": value > now,
            "today_or_future": value < now,
        }
        if rule and broken[rule]:
            raise self.error(question, rule, lang)
        return value.isoformat()

    def display(self, question: Question, value: Any, lang: str = "en") -> str:
        if not value:
            return ""
        day = datetime.date.fromisoformat(value)
        months = _MONTHS_CY if lang.startswith("cy") else _MONTHS_EN
        return f"{day.day} {months.split()[day.month - 1]} {day.year}"

    def to_data(self, question: Question, value: Any) -> dict[str, Any]:
        names = self.field_names(question)
        if not value:
            return dict.fromkeys(names, "")
        day = datetime.date.fromisoformat(value)
        return dict(zip(names, (str(day.day), str(day.month), str(day.year)), strict=True))


def _parse_month(raw: str) -> int | None:
    if re.fullmatch(r"[0-9]{1,2}", raw):
        return int(raw) if 1 <= int(raw) <= 12 else None
    return _MONTH_NAMES.get(raw.lower())


_ADDRESS_PARTS = ("uprn", "line1", "line2", "town", "postcode")


@register("address")
class Address(QuestionType):
    """A UK address typed in, or chosen from a lookup (which also gives its UPRN).

    Value: {"uprn": str | None, "line1", "line2", "town", "postcode"}. The lines are required even
    with a UPRN, so the journey must fill them from the gazetteer after a lookup (and should
    re-resolve the UPRN server-side rather than trust the lines the browser sends back).
    """

    prefill_sources = frozenset({"address"})
    messages: ClassVar[Messages] = {
        "required": (
            Text("Enter {name}", "Rhowch {name}"),
            Text("Enter an address", "Rhowch gyfeiriad"),
        ),
        "line1": (
            Text(
                "Enter address line 1, typically the building and street",
                "Rhowch linell 1 y cyfeiriad, fel arfer yr adeilad a'r stryd",
            ),
        )
        * 2,
        "town": (Text("Enter town or city", "Rhowch dref neu ddinas"),) * 2,
        "postcode": (Text("Enter postcode", "Rhowch god post"),) * 2,
        "postcode_invalid": (Text("Enter a real postcode", "Rhowch god post go iawn"),) * 2,
        "too_long": (
            Text(
                "Each address line must be 200 characters or less",
                "Rhaid i bob llinell cyfeiriad fod yn 200 nod neu lai",
            ),
        )
        * 2,
        "invalid": (Text("Select an address", "Dewiswch gyfeiriad"),) * 2,
    }

    def field_names(self, question: Question) -> list[str]:
        # line1 first: it is the input an error summary should focus when nothing was entered.
        return [f"{question.id}-{part}" for part in ("line1", "line2", "town", "postcode", "uprn")]

    def parse(self, question: Question, data: FieldData, lang: str) -> dict[str, Any] | None:
        names = {part: f"{question.id}-{part}" for part in _ADDRESS_PARTS}
        raw = {part: self.read(data, name) for part, name in names.items()}
        if not any(raw.values()):
            if question.required:
                raise self.error(question, "required", lang)
            return None
        if raw["uprn"] and not re.fullmatch(r"[0-9]{1,12}", raw["uprn"]):
            raise self.error(question, "invalid", lang, field=names["line1"])
        for part in ("line1", "line2", "town"):
            if len(raw[part]) > 200:
                raise self.error(question, "too_long", lang, field=names[part])
        for part in ("line1", "town", "postcode"):
            if not raw[part]:
                raise self.error(question, part, lang, field=names[part])
        postcode = normalise_postcode(raw["postcode"])
        if postcode is None:
            raise self.error(question, "postcode_invalid", lang, field=names["postcode"])
        return {**raw, "uprn": raw["uprn"] or None, "postcode": postcode}

    def display(self, question: Question, value: Any, lang: str = "en") -> str:
        if not value:
            return ""
        return "\n".join(
            value[part] for part in ("line1", "line2", "town", "postcode") if value.get(part)
        )

    def to_data(self, question: Question, value: Any) -> dict[str, Any]:
        value = value or {}
        return {f"{question.id}-{part}": value.get(part) or "" for part in _ADDRESS_PARTS}


# Great Britain and Northern Ireland with a margin, so a point in the sea off the coast passes.
UK_BOUNDS = {"lat": (49.8, 61.0), "lng": (-8.7, 2.0)}
_PINNED = Text("Pin on map", "Pin ar y map")
_COORDINATE = re.compile(r"[+-]?[0-9]{1,3}(\.[0-9]{1,12})?")


@register("location")
class Location(QuestionType):
    """A point on a map (filled by JavaScript) and/or a description (enough without JavaScript).

    Value: {"lat": float | None, "lng": float | None, "description": str}.
    """

    validation_keys = frozenset({"max_length"})
    messages: ClassVar[Messages] = {
        "required": (
            Text("Enter {name}", "Rhowch {name}"),
            Text(
                "Describe the location or choose it on the map",
                "Disgrifiwch y lleoliad neu ei ddewis ar y map",
            ),
        ),
        "outside_uk": (Text("Choose a location in the UK", "Dewiswch leoliad yn y DU"),) * 2,
        "too_long": (
            Text(
                "The description must be {max} characters or less",
                "Rhaid i'r disgrifiad fod yn {max} nod neu lai",
            ),
        )
        * 2,
        "invalid": (
            Text("Choose the location on the map again", "Dewiswch y lleoliad ar y map eto"),
        )
        * 2,
    }

    def field_names(self, question: Question) -> list[str]:
        return [f"{question.id}-description", f"{question.id}-lat", f"{question.id}-lng"]

    def parse(self, question: Question, data: FieldData, lang: str) -> dict[str, Any] | None:
        description_field, lat_field, lng_field = self.field_names(question)
        description = self.read(data, description_field, multiline=True)
        lat_raw, lng_raw = self.read(data, lat_field), self.read(data, lng_field)
        if not (description or lat_raw or lng_raw):
            if question.required:
                raise self.error(question, "required", lang)
            return None
        max_length = question.validation.max_length or 500
        if len(description) > max_length:
            raise self.error(question, "too_long", lang, max=max_length)
        lat = lng = None
        if lat_raw or lng_raw:
            if not (_COORDINATE.fullmatch(lat_raw) and _COORDINATE.fullmatch(lng_raw)):
                raise self.error(question, "invalid", lang)
            lat, lng = round(float(lat_raw), 6), round(float(lng_raw), 6)
            if not (math.isfinite(lat) and math.isfinite(lng)):
                raise self.error(question, "invalid", lang)
            if not (-90 <= lat <= 90 and -180 <= lng <= 180):
                raise self.error(question, "invalid", lang)
            (south, north), (west, east) = UK_BOUNDS["lat"], UK_BOUNDS["lng"]
            if not (south <= lat <= north and west <= lng <= east):
                raise self.error(question, "outside_uk", lang)
        return {"lat": lat, "lng": lng, "description": description}

    def display(self, question: Question, value: Any, lang: str = "en") -> str:
        if not value:
            return ""
        lines = [value["description"]] if value.get("description") else []
        if value.get("lat") is not None:
            lines.append(f"{value['lat']:.5f}, {value['lng']:.5f}")
        return "\n".join(lines)

    def display_for_resident(self, question: Question, value: Any, lang: str = "en") -> str:
        # Coordinates mean nothing to most people: their own words, and that a pin was put down.
        if not value:
            return ""
        lines = [value["description"]] if value.get("description") else []
        if value.get("lat") is not None:
            lines.append(text(_PINNED, lang))
        return "\n".join(lines)

    def to_data(self, question: Question, value: Any) -> dict[str, Any]:
        value = value or {}
        description_field, lat_field, lng_field = self.field_names(question)
        lat, lng = value.get("lat"), value.get("lng")
        return {
            description_field: value.get("description", ""),
            lat_field: "" if lat is None else repr(lat),
            lng_field: "" if lng is None else repr(lng),
        }
