"""The routing decision as a pure function: no database, no Celery, no HTTP."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from services.routing.conditions import RoutingContext, matches, point_in_polygon
from services.routing.decide import RuleSpec, decide
from tests.services.routing.helpers import ANSWERS

UTC = datetime.UTC
NORTH = {"name": "North ward", "polygon": [[-1.0, 52.2], [-0.8, 52.2], [-0.8, 52.3], [-1.0, 52.3]]}


def context(**extra: Any) -> RoutingContext:
    values: dict[str, Any] = {
        "answers": ANSWERS,
        "channel": "web",
        "submitted_at": datetime.datetime(2024, 3, 5, 10, 0, tzinfo=UTC),  # a Tuesday
        "postcode": "NN1 1AA",
        "latitude": 52.24,
        "longitude": -0.89,
        "uprn": "100031234567",
        "service_slug": "missed-bin",
        **extra,
    }
    return RoutingContext(**values)


GARDEN = RuleSpec(
    "Garden waste", {"question": "bin_type", "op": "equals", "value": "garden"}, ["garden"]
)
NORTH_RULE = RuleSpec("Potholes in the north", {"area": NORTH}, ["north", "crm"])
EVERYTHING = RuleSpec("Everything", {}, ["crm"])
NEVER = RuleSpec("Food", {"question": "bin_type", "op": "equals", "value": "food"}, ["food"])


def test_first_match_stops_at_the_first_matching_rule_and_says_why():
    decision = decide([NEVER, NORTH_RULE, GARDEN], "first_match", ["fallback"], context())
    assert decision.destinations == ["north", "crm"]
    assert decision.matched_rules == ["Potholes in the north"]
    assert not decision.used_fallback
    assert "Rule ‘Potholes in the north’ matched: location is in North ward" in decision.reasons
    assert "Rule ‘Food’ did not match" in decision.reasons


def test_all_match_takes_every_matching_rule_and_each_destination_once():
    decision = decide([NORTH_RULE, NEVER, GARDEN, EVERYTHING], "all_match", ["fb"], context())
    assert decision.destinations == ["north", "crm", "garden"]
    assert decision.matched_rules == ["Potholes in the north", "Garden waste", "Everything"]


def test_no_match_goes_to_the_fallback():
    decision = decide([NEVER], "first_match", ["General CRM"], context())
    assert decision.destinations == ["General CRM"]
    assert decision.used_fallback
    assert decision.reasons[-1] == "No rule matched, so it goes to the fallback: ‘General CRM’"


def test_no_match_and_no_fallback_is_not_routed_and_says_so():
    decision = decide([NEVER], "all_match", [], context())
    assert decision.destinations == []
    assert not decision.routed
    assert decision.reasons[-1] == (
        "No rule matched and there is no fallback destination: not routed"
    )


def test_an_inactive_rule_is_skipped_even_when_it_would_match():
    off = RuleSpec("Everything", {}, ["crm"], is_active=False)
    decision = decide([off, GARDEN], "first_match", [], context())
    assert decision.destinations == ["garden"]
    assert "Rule ‘Everything’ is switched off, so it was skipped" in decision.reasons


def test_an_empty_condition_matches_everything():
    assert decide([EVERYTHING], "first_match", [], context(answers={})).destinations == ["crm"]


def test_a_condition_that_cannot_be_evaluated_does_not_match_and_is_reported():
    broken = RuleSpec("Broken", {"area": {"name": "X", "polygon": [[0, 0]]}}, ["x"])
    decision = decide([broken], "first_match", ["fb"], context())
    assert decision.destinations == ["fb"]
    assert (
        decision.reasons[0] == "Rule ‘Broken’ could not be checked: polygon needs at least 3 points"
    )


def test_a_matching_rule_without_destinations_is_not_routed_visibly():
    decision = decide([RuleSpec("Empty", {}, [])], "first_match", ["fb"], context())
    assert decision.destinations == []
    assert not decision.used_fallback
    assert decision.reasons[-1] == "The matching rules have no destinations: not routed"


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"question": "bin_type", "op": "equals", "value": "garden"}, True),
        ({"question": "bin_type", "op": "one_of", "value": ["food", "garden"]}, True),
        ({"question": "bin_type", "op": "not", "value": "garden"}, False),
        ({"question": "photo", "op": "answered"}, True),
        ({"question": "items", "op": "equals", "value": "bulky"}, True),  # checkboxes include
        ({"question": "items", "op": "equals", "value": "box"}, False),
        ({"channel": ["phone", "api"]}, False),
        ({"channel": ["web"]}, True),
        ({"postcode_district": ["NN1", "NN2"]}, True),
        ({"postcode_district": ["nn2"]}, False),
        ({"area": NORTH}, True),
        ({"all": [{"channel": ["web"]}, {"postcode_district": ["NN1"]}]}, True),
        ({"all": [{"channel": ["web"]}, {"postcode_district": ["NN9"]}]}, False),
        ({"any": [{"channel": ["api"]}, {"postcode_district": ["NN1"]}]}, True),
        ({"any": [{"channel": ["api"]}, {"postcode_district": ["NN9"]}]}, False),
        ({"not": {"channel": ["api"]}}, True),
        ({"not": {"all": [{"channel": ["web"]}, {"area": NORTH}]}}, False),
    ],
)
def test_each_condition_kind_and_combinator(condition, expected):
    assert matches(condition, context()) is expected


def test_the_reason_of_a_combination_names_what_held():
    condition = {"all": [{"channel": ["web"]}, {"postcode_district": ["NN1"]}]}
    decision = decide([RuleSpec("Web north", condition, ["x"])], "first_match", [], context())
    assert decision.reasons[0] == (
        "Rule ‘Web north’ matched: channel is web and postcode district is NN1"
    )


@pytest.mark.parametrize(
    ("postcode", "district"),
    [("NN1 1AA", "NN1"), ("nn11aa", "NN1"), ("NN10 1AA", "NN10"), ("SW1A 1AA", "SW1A")],
)
def test_postcode_district_is_the_outward_code(postcode, district):
    ctx = context(postcode=postcode)
    assert matches({"postcode_district": [district]}, ctx)
    # NN1 is not a prefix match for NN10
    assert matches({"postcode_district": ["NN1"]}, ctx) is (district == "NN1")


def test_no_postcode_or_no_location_never_matches_those_conditions():
    ctx = context(postcode=None, latitude=None, longitude=None)
    assert not matches({"postcode_district": ["NN1"]}, ctx)
    assert not matches({"area": NORTH}, ctx)
    assert not matches({"postcode_district": ["NN1"]}, context(postcode="not a postcode"))


SQUARE = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)]
# A "U" shape: the notch between x=1..2 and y=1..3 is outside.
CONCAVE = [
    (0.0, 0.0),
    (3.0, 0.0),
    (3.0, 3.0),
    (2.0, 3.0),
    (2.0, 1.0),
    (1.0, 1.0),
    (1.0, 3.0),
    (0.0, 3.0),
]


@pytest.mark.parametrize(
    ("point", "polygon", "inside"),
    [
        ((1.0, 1.0), SQUARE, True),
        ((3.0, 1.0), SQUARE, False),
        ((2.0, 1.0), SQUARE, True),  # on an edge counts as inside
        ((2.0, 2.0), SQUARE, True),  # on a corner
        ((-1.0, 0.0), SQUARE, False),  # level with the bottom edge, outside
        ((1.0, 0.0), SQUARE, True),  # on the bottom (horizontal) edge
        ((1.0, 1.0), [*SQUARE, SQUARE[0]], True),  # a closed ring works the same
        ((1.5, 2.0), CONCAVE, False),  # in the notch
        ((0.5, 2.0), CONCAVE, True),  # in a prong
        ((2.5, 1.0), CONCAVE, True),  # a ray through the notch's corner vertex
        ((-0.5, 1.0), CONCAVE, False),  # a ray through two vertices at y=1
    ],
)
def test_point_in_polygon_edge_cases(point, polygon, inside):
    assert point_in_polygon(point[0], point[1], polygon) is inside


def moment(year: int, month: int, day: int, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


OFFICE = {"weekdays": [0, 1, 2, 3, 4], "from": "08:00", "to": "18:00"}
NIGHT = {"weekdays": [4], "from": "22:00", "to": "06:00"}  # Friday night


@pytest.mark.parametrize(
    ("window", "when", "held"),
    [
        (OFFICE, moment(2024, 1, 15, 7, 30), False),  # Monday 07:30 GMT
        (OFFICE, moment(2024, 7, 1, 7, 30), True),  # Monday 08:30 BST (07:30 UTC)
        (OFFICE, moment(2024, 7, 1, 17, 30), False),  # Monday 18:30 BST
        (OFFICE, moment(2024, 1, 15, 17, 59), True),  # Monday 17:59 GMT
        (OFFICE, moment(2024, 1, 13, 12, 0), False),  # Saturday
        (NIGHT, moment(2024, 1, 12, 22, 30), True),  # Friday 22:30
        (NIGHT, moment(2024, 1, 13, 5, 59), True),  # Saturday 05:59: still Friday night
        (NIGHT, moment(2024, 1, 13, 6, 0), False),  # Saturday 06:00: over
        (NIGHT, moment(2024, 1, 13, 22, 30), False),  # Saturday night is not Friday's
        (NIGHT, moment(2024, 1, 12, 5, 0), False),  # Friday 05:00 belongs to Thursday night
        (NIGHT, moment(2024, 7, 12, 21, 30), True),  # Friday 22:30 BST is 21:30 UTC
        ({"weekdays": [5, 6]}, moment(2024, 3, 30, 23, 30), True),  # Saturday, all day
        # 31 March 2024 00:30 UTC is Sunday 00:30 GMT (clocks go forward at 01:00 UTC)
        ({"weekdays": [6], "from": "00:00", "to": "01:00"}, moment(2024, 3, 31, 0, 30), True),
        ({"weekdays": [6], "from": "00:00", "to": "01:00"}, moment(2024, 3, 31, 1, 30), False),
    ],
)
def test_time_windows_in_uk_time_across_midnight_and_summer_time(window, when, held):
    assert matches({"time": window}, context(submitted_at=when)) is held


def test_a_time_reason_says_when_in_uk_time():
    decision = decide(
        [RuleSpec("Office", {"time": OFFICE}, ["x"])],
        "first_match",
        [],
        context(submitted_at=moment(2024, 7, 1, 9, 0)),
    )
    assert decision.reasons[0] == (
        "Rule ‘Office’ matched: sent between 08:00 and 18:00 on Monday, Tuesday, Wednesday, "
        "Thursday, Friday (UK time)"
    )
