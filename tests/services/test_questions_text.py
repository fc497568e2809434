import pytest

from services.forms.questions import AnswerError, clean_answer, display_answer
from tests.services.helpers import question
from tests.services.helpers import text as t


def error_of(q, data, lang="en") -> AnswerError:
    with pytest.raises(AnswerError) as caught:
        clean_answer(q, data, lang)
    return caught.value


def test_short_text_is_stripped_and_nfc_normalised():
    q = question("short_text")
    assert clean_answer(q, {"answer": "  Cafe\u0301   du  Parc "}) == "Caf\u00e9 du Parc"


def test_a_blank_required_answer_gives_the_default_message_or_one_using_the_name():
    assert error_of(question("short_text"), {"answer": "   "}).message == "Enter an answer"
    named = question("short_text", name=t("your full name", "eich enw llawn"))
    assert error_of(named, {}).message == "Enter your full name"
    assert error_of(named, {}, "cy").message == "Rhowch eich enw llawn"


def test_an_optional_blank_answer_is_none():
    assert clean_answer(question("short_text", required=False), {"answer": ""}) is None


def test_custom_messages_override_the_defaults_in_both_languages():
    q = question(
        "short_text", messages={"required": t("Enter the name of the shop", "Rhowch enw'r siop")}
    )
    assert error_of(q, {}).message == "Enter the name of the shop"
    assert error_of(q, {}, "cy").message == "Rhowch enw'r siop"
    assert error_of(q, {}).code == "required"


def test_length_and_pattern_rules_apply():
    q = question(
        "short_text",
        name=t("the crime reference"),
        validation={
            "min_length": 3,
            "max_length": 8,
            "pattern": "[A-Z0-9]+",
            "pattern_message": t("Crime reference must only include letters and numbers"),
        },
    )
    assert (
        error_of(q, {"answer": "AB"}).message == "The crime reference must be 3 characters or more"
    )
    assert (
        error_of(q, {"answer": "ABCDEFGHI"}).message
        == "The crime reference must be 8 characters or less"
    )
    assert (
        error_of(q, {"answer": "AB-12"}).message
        == "Crime reference must only include letters and numbers"
    )
    assert clean_answer(q, {"answer": "AB12"}) == "AB12"


def test_short_text_refuses_control_characters_and_long_text_keeps_newlines():
    assert error_of(question("short_text"), {"answer": "bad\x00byte"}).code == "invalid"
    assert error_of(question("long_text"), {"answer": "bell\x07"}).code == "invalid"
    assert (
        clean_answer(question("long_text"), {"answer": "line one\r\n\tline two"})
        == "line one\n\tline two"
    )


@pytest.mark.parametrize("tampered", [["a", "b"], {"x": "y"}, 42, "x" * 30_000])
def test_tampered_shapes_give_an_answer_error_not_an_exception(tampered):
    assert error_of(question("short_text"), {"answer": tampered}).code == "invalid"


def test_a_one_item_list_is_read_as_a_string():
    assert clean_answer(question("short_text"), {"answer": ["hello"]}) == "hello"


@pytest.mark.parametrize(
    ("typed", "value"), [("42", 42), ("1,250", 1250), (" -3 ", -3), ("2.5", 2.5), ("+7", 7)]
)
def test_numbers_are_parsed(typed, value):
    assert clean_answer(question("number"), {"answer": typed}) == value


@pytest.mark.parametrize("typed", ["nan", "inf", "1e5", "12abc", "1.2.3", "0x10", "١٢"])
def test_things_that_are_not_numbers_are_refused(typed):
    assert error_of(question("number"), {"answer": typed}).message == "Your answer must be a number"


def test_number_range_and_whole_number_rules():
    q = question(
        "number",
        name=t("the number of bags"),
        validation={"min": 1, "max": 10, "whole_number": True},
    )
    assert error_of(q, {"answer": "0"}).message == "The number of bags must be 1 or more"
    assert error_of(q, {"answer": "11"}).message == "The number of bags must be 10 or less"
    assert error_of(q, {"answer": "2.5"}).message == "The number of bags must be a whole number"
    assert display_answer(q, 1250) == "1,250"


def test_email_addresses_are_checked_and_the_domain_lower_cased():
    q = question("email")
    assert clean_answer(q, {"answer": " Jo.Bloggs@Example.GOV.uk "}) == "Jo.Bloggs@example.gov.uk"
    assert (
        error_of(q, {"answer": "jo@"}).message
        == "Enter an email address in the correct format, like name@example.com"
    )
    assert error_of(q, {}).message == "Enter an email address"


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("07912 345678", "+447912345678", "07912 345678"),
        ("+44 (0)20 7946 0018", "+442079460018", "020 7946 0018"),
        ("0121 496 0000", "+441214960000", "0121 496 0000"),
    ],
)
def test_uk_phone_numbers_are_stored_as_e164_and_shown_nationally(typed, stored, shown):
    q = question("phone")
    assert clean_answer(q, {"answer": typed}) == stored
    assert display_answer(q, stored) == shown


@pytest.mark.parametrize("typed", ["01632 960 001", "07700 900 982", "+44 808 157 0192"])
def test_the_example_numbers_in_the_error_message_are_accepted(typed):
    # A resident who copies the example must not get the same error again.
    assert clean_answer(question("phone"), {"answer": typed}).startswith("+44")


@pytest.mark.parametrize(
    "typed", ["12345", "07700 9009", "0123", "call me", "+44 7700 900982 900982 1"]
)
def test_invalid_phone_numbers_get_the_gov_uk_message(typed):
    assert error_of(question("phone"), {"answer": typed}).message.startswith(
        "Enter a telephone number, like 01632 960 001"
    )


@pytest.mark.parametrize(
    ("typed", "postcode"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        (" cf10 1ep ", "CF10 1EP"),
        ("M1 1AE", "M1 1AE"),
        ("b33 8th", "B33 8TH"),
        ("zz99 1ab", "ZZ99 1AB"),  # a pseudo-postcode, as in the demo gazetteer
    ],
)
def test_postcodes_are_normalised(typed, postcode):
    assert clean_answer(question("postcode"), {"answer": typed}) == postcode


@pytest.mark.parametrize(
    "typed", ["SW1A", "12345", "QQ1 1AA", "SW1A 1AAA", "\uff33\uff37\uff11\uff21\uff11\uff21\uff21"]
)
def test_unreal_postcodes_are_refused(typed):
    q = question("postcode")
    assert error_of(q, {"answer": typed}).message == "Enter a real postcode"
    assert error_of(q, {"answer": typed}, "cy").message == "Rhowch god post go iawn"


def test_a_missing_postcode_asks_for_one():
    assert error_of(question("postcode"), {}).message == "Enter a postcode"


@pytest.mark.parametrize(
    ("typed", "registration"),
    [
        ("ab12cde", "AB12 CDE"),
        ("AB12 CDE", "AB12 CDE"),
        ("a123 bcd", "A123 BCD"),
        ("abc123d", "ABC 123D"),
        ("abc 123", "ABC 123"),
        ("1234ab", "1234 AB"),
        (" xy-51-abc ", "XY51 ABC"),
    ],
)
def test_vehicle_registrations_in_each_uk_format_are_normalised(typed, registration):
    assert clean_answer(question("vehicle_registration"), {"answer": typed}) == registration


@pytest.mark.parametrize("typed", ["AB12CDEF", "12345678", "A", "AB12 CD3", "ÄB12 CDE"])
def test_unreal_vehicle_registrations_are_refused(typed):
    assert error_of(question("vehicle_registration"), {"answer": typed}).message == (
        "Enter a real vehicle registration number, like AB12 CDE"
    )
