"""validate_condition and validate_mapping: clear messages for configuration that cannot work."""

from __future__ import annotations

import pytest

from integrations.soap.adapter import SoapCaseAdapter
from services.routing.conditions import validate_condition
from services.routing.mapping import validate_mapping
from tests.services.routing.helpers import AnyFieldsAdapter, TicketAdapter, schema

NORTH = {"name": "North ward", "polygon": [[-1.0, 52.2], [-0.8, 52.2], [-0.8, 52.3]]}


@pytest.mark.parametrize(
    "condition",
    [
        {},
        {"question": "bin_type", "op": "equals", "value": "garden"},
        {"all": [{"channel": ["web", "phone"]}, {"postcode_district": ["NN1", "sw1a"]}]},
        {"any": [{"area": NORTH}, {"not": {"time": {"weekdays": [5, 6]}}}]},
        {"time": {"from": "22:00", "to": "06:00"}},
    ],
)
def test_good_conditions_have_no_problems(condition):
    assert validate_condition(condition, schema(), name="Garden waste") == []


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        (
            {"question": "bin_colour", "op": "equals", "value": "green"},
            "Rule ‘Garden waste’: question ‘bin_colour’ is not in the form",
        ),
        (
            {"question": "bin_type", "op": "equals", "value": "purple"},
            "Rule ‘Garden waste’: ‘purple’ is not an option of question ‘bin_type’ "
            "(options: food, garden, general)",
        ),
        (
            {"area": {"name": "North ward", "polygon": [[0, 0], [1, 1]]}},
            "Rule ‘Garden waste’: area ‘North ward’: polygon needs at least 3 points",
        ),
        (
            {"area": {"name": "Swapped", "polygon": [[-1.0, 52.2], [-0.9, 52.3], [0.0, 95.0]]}},
            "Rule ‘Garden waste’: area ‘Swapped’: polygon point 3 is not a longitude and "
            "latitude (points are [longitude, latitude])",
        ),
        (
            {"time": {"from": "8am", "to": "18:00"}},
            'Rule ‘Garden waste’: time: "from" must be a 24-hour time like "08:00", not \'8am\'',
        ),
        (
            {"time": {"weekdays": [7]}},
            "Rule ‘Garden waste’: time: weekdays must be a non-empty list of 0 (Monday) to 6 "
            "(Sunday)",
        ),
        (
            {"time": {"from": "08:00"}},
            'Rule ‘Garden waste’: time: give both "from" and "to", or neither',
        ),
        (
            {"colour": ["green"]},
            "Rule ‘Garden waste’: unknown condition key ‘colour’ (known: question, "
            "postcode_district, area, channel, time, all, any, not)",
        ),
        (
            {"channel": ["fax"]},
            "Rule ‘Garden waste’: ‘fax’ is not a channel (one of web, phone, in_person, api)",
        ),
        (
            {"postcode_district": ["NN1 1AA"]},
            "Rule ‘Garden waste’: ‘NN1 1AA’ is not a postcode district (the first half of a "
            "postcode, like NN1 or SW1A)",
        ),
        (
            {"channel": ["web"], "postcode_district": ["NN1"]},
            "Rule ‘Garden waste’: a condition has one key, not channel, postcode_district; "
            'combine conditions with "all" or "any"',
        ),
        ({"all": []}, 'Rule ‘Garden waste’: "all" needs a non-empty list of conditions'),
        (
            "garden",
            "Rule ‘Garden waste’: a condition must be an object (use {} to match everything)",
        ),
    ],
)
def test_bad_conditions_are_explained(condition, message):
    assert validate_condition(condition, schema(), name="Garden waste") == [message]


def test_a_question_condition_needs_a_live_form():
    problems = validate_condition({"question": "bin_type", "op": "answered"}, None, name="R")
    assert problems == [
        "Rule ‘R’: the form has no live version, so question ‘bin_type’ cannot be checked"
    ]


def test_every_problem_inside_combinators_is_listed():
    condition = {"all": [{"question": "nope", "op": "answered"}, {"channel": ["fax"]}]}
    assert len(validate_condition(condition, schema(), name="R")) == 2


GOOD = {
    "reference": {"meta": "reference"},
    "service_code": {
        "answer": "bin_type",
        "transforms": [{"lookup": {"garden": "GW"}, "default": "X"}],
    },
    "postcode": {"answer": "address", "part": "postcode"},
    "summary": {"template": "Missed {answer.bin_type} bin at {answer.address.line1}"},
    "reported_on": {"answer": "missed_on", "transforms": [{"date_format": "%d/%m/%Y"}]},
}


def test_a_good_mapping_has_no_problems():
    assert validate_mapping(GOOD, adapter_class=TicketAdapter, schema=schema()) == []


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (
            {**GOOD, "colour": {"const": "green"}},
            "Field ‘colour’: Ticket system has no field ‘colour’ (its fields: reference, "
            "service_code, postcode, summary, reported_on)",
        ),
        (
            {k: v for k, v in GOOD.items() if k != "reference"},
            "Field ‘reference’ is required by Ticket system: map it",
        ),
        (
            {**GOOD, "summary": {"answer": "bin_colour"}},
            "Field ‘summary’: question ‘bin_colour’ is not in the form",
        ),
        (
            {**GOOD, "summary": {"answer": "address", "part": "county"}},
            "Field ‘summary’: ‘county’ is not a part of a address answer (parts: uprn, line1, "
            "line2, town, postcode)",
        ),
        (
            {**GOOD, "summary": {"query": "SELECT"}},
            "Field ‘summary’: give exactly one source: "
            "answer, files, profile, meta, const, template",
        ),
        (
            {**GOOD, "summary": {"meta": "password"}},
            "Field ‘summary’: ‘password’ is not a meta field (one of reference, submitted_at, "
            "service, service_name, channel, uprn, latitude, longitude, language, form_version)",
        ),
        (
            {**GOOD, "summary": {"answer": "items", "transforms": [{"upper": True}]}},
            "Field ‘summary’: transform 1: upper needs text, but the value here is a list",
        ),
        (
            {**GOOD, "summary": {"answer": "bin_type", "transforms": [{"date_format": "%Y"}]}},
            "Field ‘summary’: transform 1: date_format needs a date (a date answer or meta "
            "submitted_at), but the value here is text",
        ),
        (
            {
                **GOOD,
                "summary": {"answer": "bin_type", "transforms": [{"lookup": {"purple": "P"}}]},
            },
            "Field ‘summary’: transform 1: ‘purple’ is not an option of the question (options: "
            "food, garden, general)",
        ),
        (
            {
                **GOOD,
                "summary": {
                    "answer": "bin_type",
                    "transforms": [{"upper": True}, {"display": True}],
                },
            },
            "Field ‘summary’: transform 2: display only applies first, to a whole answer (as "
            "the resident saw it)",
        ),
        (
            {**GOOD, "summary": {"answer": "bin_type", "transforms": [{"shout": True}]}},
            "Field ‘summary’: transform 1: unknown transform ‘shout’ (known: lookup, date_format, "
            "join, upper, lower, truncate, display, count)",
        ),
        (
            {**GOOD, "summary": {"template": "{meta.__class__}"}},
            "Field ‘summary’: template: ‘meta.__class__’: meta fields are reference, "
            "submitted_at, service, service_name, channel, uprn, latitude, longitude, language, "
            "form_version",
        ),
        (
            {**GOOD, "summary": {"template": "{0.__init__}"}},
            "Field ‘summary’: template: ‘{0.__init__}’ is not a template field (use "
            "{answer.question_id}, {answer.question_id.part}, {profile.full_name} or "
            "{meta.reference}; write {{ and }} for braces)",
        ),
        (
            {**GOOD, "summary": {"answer": "location", "transforms": [{"truncate": 0}]}},
            "Field ‘summary’: transform 1: truncate needs a whole number of 1 or more",
        ),
    ],
)
def test_bad_mappings_are_explained(mapping, message):
    assert validate_mapping(mapping, adapter_class=TicketAdapter, schema=schema()) == [message]


def test_an_adapter_that_accepts_any_fields_takes_any_name():
    mapping = {"anything_at_all": {"answer": "bin_type"}}
    assert validate_mapping(mapping, adapter_class=AnyFieldsAdapter, schema=schema()) == []


def test_an_uninstalled_adapter_is_reported():
    assert validate_mapping({}, adapter_class=None, schema=schema()) == [
        "The connection's adapter is not installed, so no field can be checked"
    ]


def test_a_value_of_another_type_than_the_adapter_declares_is_a_problem():
    # Given a field the adapter declares as a date, and SOAP's declared number fields
    soap_good = {
        "Description": {"template": "Missed {answer.bin_type} bin"},
        "Latitude": {"answer": "location", "part": "lat"},
    }

    # Then a list where a date is wanted, and text where a number is wanted, are problems
    assert validate_mapping(
        {**GOOD, "reported_on": {"answer": "items"}}, adapter_class=TicketAdapter, schema=schema()
    ) == ["Field ‘reported_on’: Ticket system takes a date in ‘reported_on’, but this gives a list"]
    assert validate_mapping(
        {**soap_good, "Longitude": {"answer": "location", "part": "description"}},
        adapter_class=SoapCaseAdapter,
        schema=schema(),
    ) == ["Field ‘Longitude’: SOAP case system takes a number in ‘Longitude’, but this gives text"]
    # And a number, or a date made text by a format, fits
    assert validate_mapping(soap_good, adapter_class=SoapCaseAdapter, schema=schema()) == []
    assert validate_mapping(GOOD, adapter_class=TicketAdapter, schema=schema()) == []


def test_an_address_joined_into_text_fits_a_text_field_but_the_whole_address_does_not():
    joined = {**GOOD, "summary": {"answer": "address", "transforms": [{"join": ", "}]}}
    whole = {**GOOD, "summary": {"answer": "address"}}

    assert validate_mapping(joined, adapter_class=TicketAdapter, schema=schema()) == []
    assert validate_mapping(whole, adapter_class=TicketAdapter, schema=schema()) == [
        "Field ‘summary’: Ticket system takes text in ‘summary’, but this gives an address "
        "(use a part, or join)"
    ]
