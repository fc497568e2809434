"""Mapping a list question ("add another"): the whole list of dicts, each item's answer to one of
its questions (with lookups), count, join and display; validate_mapping knows it is a list."""

from __future__ import annotations

from typing import Any

import pytest

from integrations.base import Adapter, TargetField
from services.forms.schema import parse_schema
from services.routing.mapping import MappingContext, build_payload, validate_mapping
from tests.portal.journey.test_repeat import BULKY

SIZE_CODES = {"lookup": {"large": "L"}, "default": "S"}
ITEMS = [{"description": "Sofa", "size": "large"}, {"description": "Chair", "size": "small"}]


def ctx(items: Any = ITEMS) -> MappingContext:
    answers = {"items": items} if items is not None else {}
    return MappingContext(
        answers=answers,
        schema=parse_schema(BULKY),
        profile={},
        meta={"reference": "ABC-123"},
        language="en",
        files={},
    )


def one(spec: dict[str, Any], items: Any = ITEMS) -> Any:
    return build_payload({"field": spec}, ctx(items))["field"]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"answer": "items"}, ITEMS),
        ({"answer": "items", "part": "size"}, ["large", "small"]),
        (
            {
                "answer": "items",
                "part": "size",
                "transforms": [{"lookup": {"large": "L"}, "default": "S"}],
            },
            ["L", "S"],
        ),
        ({"answer": "items", "transforms": [{"count": True}]}, 2),
        ({"answer": "items", "transforms": [{"join": "; "}]}, "Sofa, large; Chair, small"),
        ({"answer": "items", "part": "description", "transforms": [{"join": ", "}]}, "Sofa, Chair"),
        (
            {"answer": "items", "transforms": [{"display": True}]},
            "1. Description: Sofa; Size: Large\n2. Description: Chair; Size: Small",
        ),
        (
            {"template": "Collect: {answer.items}"},
            "Collect: 1. Description: Sofa; Size: Large, 2. Description: Chair; Size: Small",
        ),
    ],
)
def test_a_list_maps_whole_by_item_question_counted_joined_or_shown(spec, expected):
    assert one(spec) == expected


def test_an_unanswered_list_counts_as_none():
    assert one({"answer": "items", "transforms": [{"count": True}]}, items=None) == 0


class ListTakingAdapter(Adapter):
    id = "list-taking-test"
    name = "List system"
    target_fields = (
        TargetField("items", type="array"),
        TargetField("summary"),
        TargetField("how_many", type="integer"),
    )

    def deliver(self, payload, idempotency_key):  # pragma: no cover - never delivers
        raise NotImplementedError


def problems(mapping: dict[str, Any]) -> list[str]:
    return validate_mapping(mapping, adapter_class=ListTakingAdapter, schema=parse_schema(BULKY))


def test_validate_mapping_knows_a_list_of_items_is_a_list():
    good = {
        "items": {"answer": "items"},
        "summary": {"answer": "items", "transforms": [{"join": "; "}]},
        "how_many": {"answer": "items", "transforms": [{"count": True}]},
    }
    assert problems(good) == []
    assert problems({**good, "summary": {"answer": "items"}}) == [
        "Field ‘summary’: List system takes text in ‘summary’, but this gives a list of items "
        "(use a part, join, count or display)"
    ]
    assert problems({**good, "how_many": {"answer": "items", "part": "size"}}) == [
        "Field ‘how_many’: List system takes a whole number in ‘how_many’, but this gives a list"
    ]


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ({"answer": "items", "part": "colour"}, "‘colour’ is not a question about each item"),
        (
            {"answer": "items", "part": "size", "transforms": [{"lookup": {"huge": "H"}}]},
            "‘huge’ is not an option of the question (options: large, small)",
        ),
        ({"answer": "items", "transforms": [{"lookup": {"x": "y"}}]}, "lookup needs a single"),
        ({"answer": "items", "transforms": [{"count": 1}]}, 'write count as {"count": true}'),
        (
            {
                "answer": "items",
                "part": "description",
                "transforms": [{"join": ","}, {"count": True}],
            },
            "count needs a list",
        ),
    ],
)
def test_list_mappings_that_cannot_work_are_refused_clearly(spec, problem):
    found = problems({"items": spec})
    assert any(problem in p for p in found), found
