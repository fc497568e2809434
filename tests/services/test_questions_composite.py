import datetime

import pytest
from django.utils import timezone

from services.forms.questions import AnswerError, clean_answer, display_answer
from tests.services.helpers import question
from tests.services.helpers import text as t


def error_of(q, data, lang="en") -> AnswerError:
    with pytest.raises(AnswerError) as caught:
        clean_answer(q, data, lang)
    return caught.value


def date_fields(day, month, year, qid="answer"):
    return {f"{qid}-day": str(day), f"{qid}-month": str(month), f"{qid}-year": str(year)}


def test_a_date_has_three_fields_and_becomes_an_iso_string():
    q = question("date")
    assert q.kind.field_names(q) == ["answer-day", "answer-month", "answer-year"]
    assert clean_answer(q, date_fields(5, 3, 2024)) == "2024-03-05"
    assert clean_answer(q, date_fields("05", "mar", 2024)) == "2024-03-05"
    assert clean_answer(q, date_fields(5, "Mawrth", 2024)) == "2024-03-05"
    assert display_answer(q, "2024-03-05") == "5 March 2024"
    assert display_answer(q, "2024-03-05", "cy") == "5 Mawrth 2024"


def test_a_date_missing_a_part_names_the_part_and_links_to_it():
    q = question("date", name=t("date of birth"))
    error = error_of(q, {"answer-day": "5", "answer-year": "1980"})
    assert error.message == "Date of birth must include a month"
    assert error.field == "answer-month"
    error = error_of(q, {"answer-month": "5"})
    assert error.message == "Date of birth must include a day and year"
    assert error.field == "answer-day"


def test_an_unreal_date_is_refused():
    q = question("date")
    assert error_of(q, date_fields(31, 2, 2024)).message == "The date must be a real date"
    assert error_of(q, date_fields(1, 13, 2024)).field == "answer-month"
    assert error_of(q, date_fields(1, 1, 24)).message == "Year must include 4 numbers"
    assert error_of(q, {}).message == "Enter a date"


def test_past_and_future_rules_are_judged_on_the_councils_today():
    today = timezone.localdate()
    yesterday, tomorrow = today - datetime.timedelta(days=1), today + datetime.timedelta(days=1)
    past = question("date", validation={"date": "past"})
    future = question("date", validation={"date": "future"})
    today_or_past = question("date", validation={"date": "today_or_past"})
    as_fields = lambda d: date_fields(d.day, d.month, d.year)  # noqa: E731
    assert clean_answer(past, as_fields(yesterday)) == yesterday.isoformat()
    assert error_of(past, as_fields(today)).message == "The date must be in the past"
    assert error_of(future, as_fields(today)).message == "The date must be in the future"
    assert clean_answer(future, as_fields(tomorrow)) == tomorrow.isoformat()
    assert clean_answer(today_or_past, as_fields(today)) == today.isoformat()
    assert (
        error_of(today_or_past, as_fields(tomorrow)).message
        == "The date must be today or in the past"
    )


def test_an_address_entered_by_hand_is_valid_without_a_uprn():
    q = question("address")
    value = clean_answer(
        q,
        {"answer-line1": " 1 High Street ", "answer-town": "Cardiff", "answer-postcode": "cf101ep"},
    )
    assert value == {
        "uprn": None,
        "line1": "1 High Street",
        "line2": "",
        "town": "Cardiff",
        "postcode": "CF10 1EP",
    }
    assert display_answer(q, value) == "1 High Street\nCardiff\nCF10 1EP"


def test_an_address_chosen_from_a_lookup_keeps_its_uprn():
    q = question("address")
    data = {
        "answer-uprn": "100023336956",
        "answer-line1": "10 Downing Street",
        "answer-town": "London",
        "answer-postcode": "SW1A 2AA",
    }
    assert clean_answer(q, data)["uprn"] == "100023336956"


def test_address_errors_point_at_the_field_to_fix():
    q = question("address")
    error = error_of(q, {"answer-town": "Cardiff", "answer-postcode": "CF10 1EP"})
    assert (error.field, error.message) == (
        "answer-line1",
        "Enter address line 1, typically the building and street",
    )
    error = error_of(
        q, {"answer-line1": "1 High St", "answer-town": "Cardiff", "answer-postcode": "nope"}
    )
    assert (error.field, error.message) == ("answer-postcode", "Enter a real postcode")
    assert error_of(q, {}).message == "Enter an address"
    tampered = {
        "answer-uprn": "DROP TABLE",
        "answer-line1": "1",
        "answer-town": "x",
        "answer-postcode": "CF10 1EP",
    }
    assert error_of(q, tampered).code == "invalid"


def test_a_location_needs_only_a_description_without_javascript():
    q = question("location")
    assert clean_answer(q, {"answer-description": "Outside the library"}) == {
        "lat": None,
        "lng": None,
        "description": "Outside the library",
    }


def test_a_location_from_the_map_is_kept_when_inside_the_uk():
    q = question("location")
    value = clean_answer(q, {"answer-lat": "51.4816", "answer-lng": "-3.1791"})
    assert value == {"lat": 51.4816, "lng": -3.1791, "description": ""}
    assert display_answer(q, value) == "51.48160, -3.17910"


@pytest.mark.parametrize(
    ("lat", "lng", "code"),
    [
        ("48.85", "2.35", "outside_uk"),
        ("91", "0", "invalid"),
        ("nan", "0", "invalid"),
        ("51.5", "", "invalid"),
    ],
)
def test_bad_map_points_are_refused(lat, lng, code):
    assert error_of(question("location"), {"answer-lat": lat, "answer-lng": lng}).code == code


def test_a_location_with_nothing_asks_for_a_description_or_map_point():
    assert (
        error_of(question("location"), {}).message
        == "Describe the location or choose it on the map"
    )


def test_a_file_answer_must_be_a_reference_made_by_store_upload():
    q = question("file")
    reference = "uploads/" + "a" * 32 + ".jpg"
    assert clean_answer(q, {"answer": reference, "answer-name": "C:\\photos\\pothole.jpg"}) == {
        "reference": reference,
        "name": "pothole.jpg",
    }
    assert error_of(q, {"answer": "../../etc/passwd"}).code == "invalid"
    assert error_of(q, {}).message == "Select a file"


@pytest.mark.parametrize(
    "qtype", ["date", "address", "location", "file", "checkboxes", "radios", "number", "phone"]
)
def test_each_type_turns_a_value_back_into_fields_that_clean_to_the_same_value(qtype):
    extra = (
        {"options": [{"value": "a", "label": t("A")}]} if qtype in ("radios", "checkboxes") else {}
    )
    q = question(qtype, **extra)
    samples = {
        "date": date_fields(29, 2, 2024),
        "address": {"answer-line1": "1 Road", "answer-town": "Town", "answer-postcode": "M1 1AE"},
        "location": {
            "answer-lat": "53.4808",
            "answer-lng": "-2.2426",
            "answer-description": "Here",
        },
        "file": {"answer": "uploads/" + "b" * 32 + ".pdf", "answer-name": "letter.pdf"},
        "checkboxes": {"answer": ["a"]},
        "radios": {"answer": "a"},
        "number": {"answer": "1,234.5"},
        "phone": {"answer": "029 2087 2087"},
    }
    value = clean_answer(q, samples[qtype])
    assert clean_answer(q, q.kind.to_data(q, value)) == value
