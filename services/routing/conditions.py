"""The condition of a routing rule: what a submission must be like for the rule to match.

A condition is JSON, one of
    {}                                                     matches everything
    {"question": "bin_type", "op": "equals", "value": "garden"}   the form engine's answer
        conditions, evaluated by services.forms.conditions (ops equals, one_of, not, answered;
        for a list of items any_item with "field", and count_at_least)
    {"postcode_district": ["NN1", "NN2"]}                  the outward code of the postcode, from
                                                           the address answer or a postcode answer
    {"area": {"name": "North ward", "polygon": [[lng, lat], ...]}}   the submission's location
                                                           (or the address's coordinates) is
                                                           inside the polygon or on its edge
    {"channel": ["web", "phone"]}                          how it was sent (web, phone,
                                                           in_person, api)
    {"time": {"weekdays": [0, 1, 2, 3, 4], "from": "08:00", "to": "18:00"}}
                                                           when it was sent, in Europe/London;
                                                           weekdays 0 = Monday; a window whose
                                                           "to" is before its "from" runs past
                                                           midnight and belongs to the day it
                                                           starts on
    {"all": [condition, ...]}  {"any": [condition, ...]}  {"not": condition}

`validate_condition` lists every problem in plain English, so a rule that cannot be evaluated is
refused when it is saved or imported; `explain` evaluates a condition and says why it held.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from services.forms.conditions import Clause, parse_condition
from services.forms.conditions import evaluate as evaluate_answers
from services.forms.normalise import normalise_postcode
from services.forms.schema import FormSchema
from services.forms.types_repeat import list_condition_problems
from services.models.submissions import Channel

LONDON = ZoneInfo("Europe/London")
CHANNELS = tuple(Channel.values)
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# An outward code: "NN1", "SW1A", "M1", "EC1V", "BT9".
DISTRICT = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?")
CLOCK = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
ROUTING_KEYS = ("postcode_district", "area", "channel", "time")
COMBINATORS = ("all", "any", "not")
ANSWER_KEYS = frozenset({"question", "op", "value", "field"})
# Edges closer than this (in degrees, about a centimetre) count as touching the point.
EDGE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class RoutingContext:
    """What routing may look at, drawn from a submission (see service.context_for)."""

    answers: Mapping[str, Any]
    channel: str = "web"
    submitted_at: datetime.datetime | None = None
    postcode: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    uprn: str = ""
    service_slug: str = ""


class ConditionError(ValueError):
    """A condition that cannot be evaluated (it should have been refused when saved)."""


def q(value: Any) -> str:
    """A value in curly quotes, as messages show names and values."""
    return f"‘{value}’"


# --- evaluating ---------------------------------------------------------------------------------


def matches(condition: Any, context: RoutingContext) -> bool:
    """Whether `condition` holds for `context`; ConditionError if it is malformed."""
    return explain(condition, context) is not None


def explain(condition: Any, context: RoutingContext) -> str | None:
    """Why `condition` holds, in plain English ("location is in North ward"), or None if not.

    Raises ConditionError for a condition that validate_condition would refuse.
    """
    if not isinstance(condition, Mapping):
        raise ConditionError("a condition must be an object")
    if not condition:
        return "it has no condition, so it matches everything"
    if ANSWER_KEYS & set(condition):
        return _explain_answer(condition, context)
    if len(condition) != 1:
        raise ConditionError('a condition has one key; combine several with "all" or "any"')
    ((key, value),) = condition.items()
    if key == "all":
        reasons = [explain(inner, context) for inner in _items(value, "all")]
        if any(r is None for r in reasons):
            return None
        return " and ".join(r for r in reasons if r)
    if key == "any":
        for inner in _items(value, "any"):
            reason = explain(inner, context)
            if reason is not None:
                return reason
        return None
    if key == "not":
        if explain(value, context) is not None:
            return None
        return f"not ({describe(value)})"
    if key == "postcode_district":
        return _explain_district(value, context)
    if key == "area":
        return _explain_area(value, context)
    if key == "channel":
        channels = _strings(value, "channel")
        return f"channel is {context.channel}" if context.channel in channels else None
    if key == "time":
        return _explain_time(value, context)
    raise ConditionError(f"unknown condition key {q(key)}")


def _items(value: Any, key: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise ConditionError(f'"{key}" needs a non-empty list of conditions')
    return value


def _strings(value: Any, key: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ConditionError(f'"{key}" needs a non-empty list of text values')
    return value


def _explain_answer(condition: Mapping[str, Any], context: RoutingContext) -> str | None:
    errors: list[str] = []
    clause = parse_condition(condition, errors, "Condition")
    if clause is None:
        raise ConditionError("; ".join(errors))
    try:
        held = evaluate_answers(clause, context.answers)
    except TypeError:
        # An answer of a shape the clause cannot compare with (a dict against a list of values).
        held = False
    return describe(condition) if held else None


def postcode_district(postcode: Any) -> str | None:
    """The outward code of a postcode ("nn1 1aa" -> "NN1"), or None if it is not one."""
    if not isinstance(postcode, str):
        return None
    normal = normalise_postcode(postcode)
    return normal.split(" ")[0] if normal else None


def _explain_district(value: Any, context: RoutingContext) -> str | None:
    wanted = {d.upper().strip() for d in _strings(value, "postcode_district")}
    district = postcode_district(context.postcode)
    if district is not None and district in wanted:
        return f"postcode district is {district}"
    return None


def _explain_area(value: Any, context: RoutingContext) -> str | None:
    if not isinstance(value, Mapping) or not isinstance(value.get("name"), str):
        raise ConditionError('"area" needs a "name" and a "polygon"')
    polygon = _polygon(value.get("polygon"))
    if context.latitude is None or context.longitude is None:
        return None
    if point_in_polygon(context.longitude, context.latitude, polygon):
        return f"location is in {value['name']}"
    return None


def _polygon(raw: Any) -> list[tuple[float, float]]:
    problems = polygon_problems(raw)
    if problems:
        raise ConditionError(problems[0])
    return [(float(p[0]), float(p[1])) for p in raw]


def polygon_problems(raw: Any) -> list[str]:
    if not isinstance(raw, list):
        return ["polygon must be a list of [longitude, latitude] points"]
    for number, point in enumerate(raw, start=1):
        if (
            not isinstance(point, list | tuple)
            or len(point) != 2
            or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in point)
        ):
            return [f"polygon point {number} must be [longitude, latitude] (two numbers)"]
        lng, lat = point
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            return [
                f"polygon point {number} is not a longitude and latitude "
                "(points are [longitude, latitude])"
            ]
    distinct = {tuple(p) for p in raw}
    if len(distinct) < 3:
        return ["polygon needs at least 3 points"]
    return []


def point_in_polygon(x: float, y: float, polygon: Sequence[tuple[float, float]]) -> bool:
    """Whether (x, y) is inside `polygon` or on its boundary (even-odd ray casting).

    The polygon may be closed (last point = first) or not; a point exactly on an edge or a
    corner counts as inside, so a submission on a ward boundary goes somewhere.
    """
    count = len(polygon)
    inside = False
    for i in range(count):
        x1, y1 = polygon[i]
        x2, y2 = polygon[(i + 1) % count]
        if _on_segment(x, y, x1, y1, x2, y2):
            return True
        # Count edges crossing the horizontal ray to the right of the point; half-open in y so
        # a ray through a vertex counts it once.
        if (y1 > y) != (y2 > y):
            crossing = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if crossing > x:
                inside = not inside
    return inside


def _on_segment(x: float, y: float, x1: float, y1: float, x2: float, y2: float) -> bool:
    cross = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)
    if abs(cross) > EDGE_TOLERANCE * max(1.0, abs(x2 - x1) + abs(y2 - y1)):
        return False
    return min(x1, x2) - EDGE_TOLERANCE <= x <= max(x1, x2) + EDGE_TOLERANCE and (
        min(y1, y2) - EDGE_TOLERANCE <= y <= max(y1, y2) + EDGE_TOLERANCE
    )


@dataclass(frozen=True)
class TimeWindow:
    weekdays: frozenset[int]
    start: datetime.time | None
    end: datetime.time | None

    def holds(self, moment: datetime.datetime) -> bool:
        local = moment.astimezone(LONDON)
        day, clock = local.weekday(), local.time()
        if self.start is None or self.end is None:
            return day in self.weekdays
        if self.start < self.end:
            return day in self.weekdays and self.start <= clock < self.end
        # Past midnight: 22:00-06:00 on a Friday holds from Friday 22:00 to Saturday 06:00.
        if clock >= self.start:
            return day in self.weekdays
        return clock < self.end and (day - 1) % 7 in self.weekdays

    def describe(self) -> str:
        parts = []
        if self.start is not None and self.end is not None:
            parts.append(f"between {self.start:%H:%M} and {self.end:%H:%M}")
        if self.weekdays != frozenset(range(7)):
            days = ", ".join(WEEKDAY_NAMES[d] for d in sorted(self.weekdays))
            parts.append(f"on {days}")
        return "sent " + (" ".join(parts) or "at any time") + " (UK time)"


def time_window(raw: Any) -> tuple[TimeWindow | None, list[str]]:
    """Parse a "time" condition's value; (None, problems) if it is not a valid window."""
    problems: list[str] = []
    if not isinstance(raw, Mapping):
        return None, ['"time" needs an object with "weekdays", "from" and "to"']
    unknown = set(raw) - {"weekdays", "from", "to"}
    if unknown:
        problems.append(f"time: unknown keys {', '.join(sorted(map(str, unknown)))}")
    weekdays = raw.get("weekdays", list(range(7)))
    if (
        not isinstance(weekdays, list)
        or not weekdays
        or not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in weekdays)
    ):
        problems.append("time: weekdays must be a non-empty list of 0 (Monday) to 6 (Sunday)")
        weekdays = []
    clocks: dict[str, datetime.time | None] = {}
    for key in ("from", "to"):
        value = raw.get(key)
        if value is None:
            clocks[key] = None
            continue
        match = CLOCK.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            problems.append(f'time: "{key}" must be a 24-hour time like "08:00", not {value!r}')
            clocks[key] = None
        else:
            clocks[key] = datetime.time(int(match[1]), int(match[2]))
    if ("from" in raw) != ("to" in raw):
        problems.append('time: give both "from" and "to", or neither')
    elif clocks.get("from") is not None and clocks["from"] == clocks.get("to"):
        problems.append('time: "from" and "to" are the same; leave both out for the whole day')
    if problems:
        return None, problems
    return TimeWindow(frozenset(weekdays), clocks["from"], clocks["to"]), []


def _explain_time(value: Any, context: RoutingContext) -> str | None:
    window, problems = time_window(value)
    if window is None:
        raise ConditionError(problems[0])
    if context.submitted_at is None:
        return None
    moment = context.submitted_at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return window.describe() if window.holds(moment) else None


# --- describing ---------------------------------------------------------------------------------


def describe(condition: Any) -> str:
    """A condition in plain English, for reasons and the admin (never raises)."""
    if not isinstance(condition, Mapping):
        return "an invalid condition"
    if not condition:
        return "anything"
    if ANSWER_KEYS & set(condition):
        question, op, value = (condition.get(k) for k in ("question", "op", "value"))
        if op == "answered":
            return f"{q(question)} is answered"
        if op == "count_at_least":
            return f"{q(question)} has at least {value} items"
        if op == "any_item" and isinstance(value, list):
            field = condition.get("field")
            return (
                f"an item of {q(question)} has {q(field)} one of {', '.join(q(v) for v in value)}"
            )
        if op == "one_of" and isinstance(value, list):
            return f"{q(question)} is one of {', '.join(q(v) for v in value)}"
        if op == "not":
            return f"{q(question)} is not {q(value)}"
        return f"{q(question)} is {q(value)}"
    if len(condition) != 1:
        return "an invalid condition"
    ((key, value),) = condition.items()
    if key in ("all", "any") and isinstance(value, list):
        joiner = " and " if key == "all" else " or "
        return "(" + joiner.join(describe(v) for v in value) + ")"
    if key == "not":
        return f"not ({describe(value)})"
    if key == "postcode_district" and isinstance(value, list):
        return f"postcode district is {' or '.join(map(str, value))}"
    if key == "area" and isinstance(value, Mapping):
        return f"location is in {value.get('name')}"
    if key == "channel" and isinstance(value, list):
        return f"channel is {' or '.join(map(str, value))}"
    if key == "time":
        window, _problems = time_window(value)
        return window.describe() if window else "an invalid time window"
    return "an invalid condition"


# --- what it reads ------------------------------------------------------------------------------


def questions_used(condition: Any) -> set[str]:
    """The ids of the questions whose answers `condition` compares (never raises).

    Postcode districts and areas read the address or postcode answer too, but not by id: they
    follow whichever such question the form has (service.context_for).
    """
    if not isinstance(condition, Mapping):
        return set()
    if ANSWER_KEYS & set(condition):
        question = condition.get("question")
        return {question} if isinstance(question, str) else set()
    used: set[str] = set()
    for key, value in condition.items():
        if key in ("all", "any") and isinstance(value, list):
            for inner in value:
                used |= questions_used(inner)
        elif key == "not":
            used |= questions_used(value)
    return used


# --- validating ---------------------------------------------------------------------------------


def validate_condition(condition: Any, schema: FormSchema | None, *, name: str = "") -> list[str]:
    """Every reason `condition` cannot be evaluated for a form with `schema`, in plain English.

    `name` is the rule's, for messages ("Rule 'Garden waste': question 'bin_colour' is not in
    the form", with curly quotes). `schema` is the form's live version; None when it has none,
    so a condition on answers cannot be checked and is refused.
    """
    where = f"Rule {q(name)}" if name else "Condition"
    problems: list[str] = []
    _check(condition, schema, problems, where)
    return problems


def _check(condition: Any, schema: FormSchema | None, problems: list[str], where: str) -> None:
    if not isinstance(condition, Mapping):
        problems.append(f"{where}: a condition must be an object (use {{}} to match everything)")
        return
    if not condition:
        return
    if ANSWER_KEYS & set(condition):
        _check_answer(condition, schema, problems, where)
        return
    if len(condition) != 1:
        keys = ", ".join(sorted(map(str, condition)))
        problems.append(
            f'{where}: a condition has one key, not {keys}; combine conditions with "all" or "any"'
        )
        return
    ((key, value),) = condition.items()
    if key in ("all", "any"):
        if not isinstance(value, list) or not value:
            problems.append(f'{where}: "{key}" needs a non-empty list of conditions')
            return
        for inner in value:
            _check(inner, schema, problems, where)
    elif key == "not":
        if isinstance(value, Mapping) and not value:
            problems.append(f'{where}: "not" of an empty condition never matches')
        _check(value, schema, problems, where)
    elif key == "postcode_district":
        if not isinstance(value, list) or not value:
            problems.append(f'{where}: "postcode_district" needs a list like ["NN1", "NN2"]')
            return
        for district in value:
            if not isinstance(district, str) or not DISTRICT.fullmatch(district.strip().upper()):
                problems.append(
                    f"{where}: {q(district)} is not a postcode district (the first half of a "
                    "postcode, like NN1 or SW1A)"
                )
    elif key == "area":
        if not isinstance(value, Mapping) or set(value) != {"name", "polygon"}:
            problems.append(f'{where}: "area" needs exactly a "name" and a "polygon"')
            return
        if not isinstance(value["name"], str) or not value["name"].strip():
            problems.append(f"{where}: the area needs a name")
        problems.extend(
            f"{where}: area {q(value['name'])}: {p}" for p in polygon_problems(value["polygon"])
        )
    elif key == "channel":
        if not isinstance(value, list) or not value:
            problems.append(f'{where}: "channel" needs a list of {", ".join(CHANNELS)}')
            return
        for channel in value:
            if channel not in CHANNELS:
                problems.append(
                    f"{where}: {q(channel)} is not a channel (one of {', '.join(CHANNELS)})"
                )
    elif key == "time":
        _window, time_problems = time_window(value)
        problems.extend(f"{where}: {p}" for p in time_problems)
    else:
        known = ", ".join(("question", *ROUTING_KEYS, *COMBINATORS))
        problems.append(f"{where}: unknown condition key {q(key)} (known: {known})")


def _check_answer(
    condition: Mapping[str, Any], schema: FormSchema | None, problems: list[str], where: str
) -> None:
    parsed = parse_condition(condition, problems, where)
    if not isinstance(parsed, Clause):
        return
    if schema is None:
        problems.append(
            f"{where}: the form has no live version, so question {q(parsed.question)} "
            "cannot be checked"
        )
        return
    try:
        question = schema.question(parsed.question)
    except KeyError:
        problems.append(f"{where}: question {q(parsed.question)} is not in the form")
        return
    list_problems = list_condition_problems(parsed, question)
    if list_problems is not None:
        problems.extend(f"{where}: {problem}" for problem in list_problems)
        return
    allowed = question.kind.condition_values(question)
    if allowed is None or parsed.op == "answered":
        return
    values = parsed.value if parsed.op == "one_of" else (parsed.value,)
    for value in values:
        if value not in allowed:
            problems.append(
                f"{where}: {q(value)} is not an option of question {q(parsed.question)} "
                f"(options: {', '.join(sorted(allowed))})"
            )
