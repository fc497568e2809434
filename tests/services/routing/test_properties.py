"""Properties of the routing decision over arbitrary answers and rules."""

from __future__ import annotations

import datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from services.routing.conditions import RoutingContext
from services.routing.decide import RuleSpec, decide

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
question_ids = st.sampled_from(["bin_type", "items", "address", "other"])
leaf_conditions = st.one_of(
    st.builds(
        lambda qid, value: {"question": qid, "op": "equals", "value": value},
        question_ids,
        st.text(max_size=5) | st.integers(),
    ),
    st.builds(
        lambda qid, values: {"question": qid, "op": "one_of", "value": values},
        question_ids,
        st.lists(st.text(max_size=5), min_size=1, max_size=3),
    ),
    st.builds(lambda qid: {"question": qid, "op": "answered"}, question_ids),
    st.builds(
        lambda qid, value: {"question": qid, "op": "not", "value": value},
        question_ids,
        st.text(max_size=5),
    ),
    st.builds(
        lambda c: {"channel": c}, st.lists(st.sampled_from(["web", "phone", "api"]), min_size=1)
    ),
    st.builds(
        lambda d: {"postcode_district": d},
        st.lists(st.sampled_from(["NN1", "NN2", "M1"]), min_size=1),
    ),
    st.just({"area": {"name": "A", "polygon": [[0, 0], [1, 0], [1, 1]]}}),
    st.builds(
        lambda days: {"time": {"weekdays": days, "from": "22:00", "to": "06:00"}},
        st.lists(st.integers(0, 6), min_size=1),
    ),
    st.just({}),
    # Malformed conditions (saved before validation existed): reported, never raised.
    st.builds(lambda v: {"mystery": v}, json_values),
    json_values,
)
conditions = st.recursive(
    leaf_conditions,
    lambda inner: (
        st.builds(lambda cs: {"all": cs}, st.lists(inner, min_size=1, max_size=3))
        | st.builds(lambda cs: {"any": cs}, st.lists(inner, min_size=1, max_size=3))
        | st.builds(lambda c: {"not": c}, inner)
    ),
    max_leaves=6,
)
rules = st.lists(
    st.builds(
        RuleSpec,
        name=st.text(min_size=1, max_size=5),
        condition=conditions,
        destinations=st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=3),
        is_active=st.booleans(),
    ),
    max_size=5,
)
contexts = st.builds(
    RoutingContext,
    answers=st.dictionaries(question_ids, json_values, max_size=4),
    channel=st.sampled_from(["web", "phone", "api", "fax"]),
    submitted_at=st.none() | st.datetimes(timezones=st.just(datetime.UTC)),
    postcode=st.none() | st.sampled_from(["NN1 1AA", "M1 1AE", "bad"]) | st.text(max_size=8),
    latitude=st.none() | st.floats(-90, 90),
    longitude=st.none() | st.floats(-180, 180),
)


@given(rules=rules, mode=st.sampled_from(["first_match", "all_match"]), context=contexts)
def test_decide_never_raises_and_always_explains(rules: Any, mode: str, context: Any):
    decision = decide(rules, mode, ["fallback"], context)
    assert decision.reasons
    assert decision.used_fallback == (not decision.matched_rules)
    assert len(decision.destinations) == len(set(decision.destinations))


@given(rules=rules, context=contexts)
def test_first_match_is_a_subset_of_all_match(rules: Any, context: Any):
    first = decide(rules, "first_match", [], context)
    every = decide(rules, "all_match", [], context)
    assert set(first.destinations) <= set(every.destinations)
    assert first.matched_rules == every.matched_rules[:1]
