"""Field mapping as pure functions: every source and transform, and template safety."""

from __future__ import annotations

from typing import Any

import pytest

from integrations.base import DeliveryFile
from services.routing.mapping import MappingContext, MappingError, build_payload
from tests.services.routing.helpers import ANSWERS, schema

META = {
    "reference": "ABC-123",
    "submitted_at": "2024-07-01T09:05:00+01:00",
    "service": "missed-bin",
    "service_name": "Report a missed bin",
    "channel": "phone",
    "uprn": "100031234567",
    "latitude": 52.24,
    "longitude": -0.89,
    "language": "en",
    "form_version": 2,
}


FILES = {"photo": DeliveryFile.from_bytes("photo", "photo.jpg", "image/jpeg", b"\xff\xd8\xff")}


def ctx(**extra: Any) -> MappingContext:
    values: dict[str, Any] = {
        "answers": ANSWERS,
        "files": FILES,
        "schema": schema(),
        "profile": {"full_name": "Sam Resident", "email": "sam@example.com", "phone": ""},
        "meta": META,
        "language": "en",
        **extra,
    }
    return MappingContext(**values)


def one(spec: dict[str, Any], **extra: Any) -> Any:
    return build_payload({"field": spec}, ctx(**extra))["field"]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"answer": "bin_type"}, "garden"),
        ({"answer": "address", "part": "postcode"}, "NN1 1AA"),
        ({"answer": "location", "part": "lat"}, 52.24),
        ({"answer": "photo", "part": "name"}, "photo.jpg"),
        ({"answer": "items"}, ["bag", "bulky"]),
        ({"answer": "not_answered"}, None),
        ({"answer": "not_answered", "default": "n/a"}, "n/a"),
        ({"profile": "full_name"}, "Sam Resident"),
        ({"profile": "phone"}, None),
        ({"meta": "reference"}, "ABC-123"),
        ({"meta": "form_version"}, 2),
        ({"const": {"priority": 2}}, {"priority": 2}),
        (
            {"template": "Pothole at {answer.location.description} ({meta.reference})"},
            "Pothole at Outside the library (ABC-123)",
        ),
        ({"template": "{answer.address}"}, "1 High Street, Northampton, NN1 1AA"),
        ({"template": "{answer.missed_on} by {profile.full_name}"}, "5 March 2024 by Sam Resident"),
        ({"template": "{{literal}} {answer.items}"}, "{literal} bag, bulky"),
    ],
)
def test_every_source(spec, expected):
    assert one(spec) == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            {
                "answer": "bin_type",
                "transforms": [{"lookup": {"garden": "GW01", "general": "RF01"}}],
            },
            "GW01",
        ),
        ({"answer": "items", "transforms": [{"lookup": {"bag": "B", "bulky": "X"}}]}, ["B", "X"]),
        (
            {"answer": "bin_type", "transforms": [{"lookup": {"food": "F"}, "default": "OTHER"}]},
            "OTHER",
        ),
        ({"answer": "bags", "transforms": [{"lookup": {"3": "three"}}]}, "three"),
        # JSONB and YAML reorder keys: a lookup's "default" may come first.
        (
            {"answer": "bin_type", "transforms": [{"default": "OTHER", "lookup": {"food": "F"}}]},
            "OTHER",
        ),
        ({"answer": "missed_on", "transforms": [{"date_format": "%d/%m/%Y"}]}, "05/03/2024"),
        (
            {"meta": "submitted_at", "transforms": [{"date_format": "%Y-%m-%d %H:%M"}]},
            "2024-07-01 09:05",
        ),
        ({"answer": "items", "transforms": [{"join": "; "}]}, "bag; bulky"),
        (
            {"answer": "address", "transforms": [{"join": ", "}]},
            "1 High Street, Northampton, NN1 1AA",
        ),
        ({"answer": "address", "part": "town", "transforms": [{"upper": True}]}, "NORTHAMPTON"),
        ({"answer": "address", "part": "postcode", "transforms": [{"lower": True}]}, "nn1 1aa"),
        ({"answer": "location", "part": "description", "transforms": [{"truncate": 7}]}, "Outside"),
        ({"answer": "bin_type", "transforms": [{"display": True}]}, "Garden"),
        (
            {"answer": "missed_on", "transforms": [{"display": True}, {"upper": True}]},
            "5 MARCH 2024",
        ),
        (
            {
                "answer": "items",
                "transforms": [
                    {"lookup": {"bag": "b", "bulky": "x"}},
                    {"join": "+"},
                    {"upper": True},
                ],
            },
            "B+X",
        ),
    ],
)
def test_every_transform_in_order(spec, expected):
    assert one(spec) == expected


def test_display_is_in_the_residents_language():
    spec = {"answer": "missed_on", "transforms": [{"display": True}]}
    assert one(spec, language="cy") == "5 Mawrth 2024"


def test_a_lookup_without_entry_or_default_is_a_mapping_error_naming_the_field():
    mapping = {
        "service_code": {"answer": "bin_type", "transforms": [{"lookup": {"food": "F"}}]},
        "reference": {"meta": "reference"},
    }
    with pytest.raises(MappingError) as raised:
        build_payload(mapping, ctx())
    assert raised.value.errors == [
        "Field ‘service_code’: the lookup table has no entry for ‘garden’ and no default"
    ]


def test_a_transform_on_the_wrong_kind_of_value_is_a_mapping_error():
    with pytest.raises(MappingError, match="upper needs text"):
        build_payload({"x": {"answer": "items", "transforms": [{"upper": True}]}}, ctx())
    with pytest.raises(MappingError, match="is not a date"):
        build_payload({"x": {"answer": "bin_type", "transforms": [{"date_format": "%Y"}]}}, ctx())


@pytest.mark.parametrize(
    "template",
    [
        "{meta.__class__}",
        "{0.__init__}",
        "{meta.reference.__class__}",
        "{answer.bin_type.__class__.__mro__}",
        "{meta.reference!r}",
        "{meta.reference:>99999999}",
        "{answer[bin_type]}",
        "{}",
        "{profile.password}",
        "unbalanced {",
    ],
)
def test_templates_refuse_anything_but_their_fields(template):
    with pytest.raises(MappingError) as raised:
        build_payload({"summary": {"template": template}}, ctx())
    assert raised.value.errors[0].startswith("Field ‘summary’: ")
    assert "__" not in build_payload.__name__  # nothing was formatted through attribute access


def test_a_template_part_of_a_missing_answer_is_empty():
    assert one({"template": "[{answer.not_answered.part}]"}) == "[]"


def test_the_payload_keeps_the_mappings_order():
    mapping = {"b": {"const": 1}, "a": {"const": 2}}
    assert list(build_payload(mapping, ctx())) == ["b", "a"]
