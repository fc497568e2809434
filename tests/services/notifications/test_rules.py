"""The channel and language decisions: plain functions of plain values."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notifications.rules import (
    Choice,
    Kind,
    acknowledgement_channels,
    allows_none,
    channels_for,
    language_of,
    letter_address,
    offered,
    uk_mobile,
)

STATUS = Kind.STATUS_UPDATE.value
ASK = Kind.INFORMATION_REQUEST.value
REMINDER = Kind.REMINDER.value


@pytest.mark.parametrize(
    ("choice", "expected"),
    [("email", ["email"]), ("sms", ["sms"]), ("both", ["email", "sms"]), ("none", [])],
)
def test_a_resident_who_can_be_reached_both_ways_gets_what_they_chose(choice, expected):
    assert channels_for(STATUS, choice, has_email=True, has_mobile=True) == expected


def test_a_chosen_sms_falls_back_to_email_when_the_mobile_number_has_gone():
    assert channels_for(STATUS, "sms", has_email=True, has_mobile=False) == ["email"]
    assert channels_for(STATUS, "both", has_email=True, has_mobile=False) == ["email"]


def test_a_guest_with_only_a_mobile_is_texted_whatever_the_default():
    assert channels_for(STATUS, "email", has_email=False, has_mobile=True) == ["sms"]


def test_none_is_honoured_for_status_changes_and_reminders_but_not_information_requests():
    assert channels_for(STATUS, "none", has_email=True, has_mobile=True) == []
    assert channels_for(REMINDER, "none", has_email=True, has_mobile=True) == []
    # A request for information must reach the resident: a stale "none" still e-mails them.
    assert channels_for(ASK, "none", has_email=True, has_mobile=True) == ["email"]
    assert channels_for(ASK, "none", has_email=False, has_mobile=True) == ["sms"]


def test_nobody_to_reach_means_no_message():
    assert channels_for(ASK, "both", has_email=False, has_mobile=False) == []


def test_an_unknown_choice_is_treated_as_the_default_email():
    assert channels_for(STATUS, "pigeon", has_email=True, has_mobile=True) == ["email"]


@given(
    kind=st.sampled_from(Kind.values),
    choice=st.sampled_from(Choice.values),
    has_email=st.booleans(),
    has_mobile=st.booleans(),
)
def test_channels_are_only_ever_ones_the_resident_can_be_reached_on(
    kind, choice, has_email, has_mobile
):
    channels = channels_for(kind, choice, has_email=has_email, has_mobile=has_mobile)
    reachable = {"email": has_email, "sms": has_mobile}
    assert all(reachable[c] for c in channels)
    assert len(set(channels)) == len(channels)
    if not allows_none(kind) and (has_email or has_mobile):
        assert channels, "a kind that must reach the resident always goes somewhere"


def test_sms_is_offered_only_with_a_mobile_and_none_only_where_the_council_need_not_reach_you():
    assert offered(STATUS, has_mobile=False) == ["email", "none"]
    assert offered(STATUS, has_mobile=True) == ["email", "sms", "both", "none"]
    assert offered(ASK, has_mobile=True) == ["email", "sms", "both"]
    assert offered(ASK, has_mobile=False) == ["email"]


def test_the_acknowledgement_goes_by_email_or_else_by_text():
    assert acknowledgement_channels(has_email=True, has_mobile=True) == ["email"]
    assert acknowledgement_channels(has_email=False, has_mobile=True) == ["sms"]
    assert acknowledgement_channels(has_email=False, has_mobile=False) == []
    assert acknowledgement_channels(has_email=False, has_mobile=False, has_address=True) == [
        "letter"
    ]
    assert acknowledgement_channels(has_email=False, has_mobile=True, has_address=True) == ["sms"]


def test_someone_with_only_a_postal_address_is_written_to_by_letter():
    only_post = {"has_email": False, "has_mobile": False, "has_address": True}
    for choice in ("email", "sms", "both"):
        assert channels_for(STATUS, choice, **only_post) == ["letter"]
    assert channels_for(ASK, "both", **only_post) == ["letter"]
    # "None" is honoured where the law allows it, not for a request for information.
    assert channels_for(STATUS, "none", **only_post) == []
    assert channels_for(ASK, "none", **only_post) == ["letter"]


def test_a_letter_is_never_sent_to_someone_with_an_email_address_or_a_mobile():
    assert channels_for(STATUS, "email", has_email=True, has_mobile=False, has_address=True) == [
        "email"
    ]
    assert channels_for(STATUS, "sms", has_email=False, has_mobile=True, has_address=True) == [
        "sms"
    ]


@given(
    kind=st.sampled_from(Kind.values),
    choice=st.sampled_from(Choice.values),
    has_email=st.booleans(),
    has_mobile=st.booleans(),
    has_address=st.booleans(),
)
def test_a_letter_goes_only_where_nothing_else_can_and_a_needed_message_always_goes(
    kind, choice, has_email, has_mobile, has_address
):
    reach = {"has_email": has_email, "has_mobile": has_mobile, "has_address": has_address}
    channels = channels_for(kind, choice, **reach)
    reachable = {"email": has_email, "sms": has_mobile, "letter": has_address}
    assert all(reachable[c] for c in channels)
    assert len(set(channels)) == len(channels)
    if "letter" in channels:
        assert channels == ["letter"]
        assert (has_email, has_mobile) == (False, False)
    if not allows_none(kind) and any(reach.values()):
        assert channels, "a kind that must reach the resident always goes somewhere"
    ack = acknowledgement_channels(**reach)
    assert len(ack) == (1 if any(reach.values()) else 0)
    assert all(reachable[c] for c in ack)


ADDRESS = {
    "uprn": "100023336956",
    "line1": "3 Mill Lane",
    "line2": "",
    "town": "Aberystwyth",
    "postcode": "SY23 1AA",
}


def test_a_letter_is_addressed_with_the_name_then_the_address_lines_the_postcode_last():
    assert letter_address("Olwen Pritchard", ADDRESS) == [
        "Olwen Pritchard",
        "3 Mill Lane",
        "Aberystwyth",
        "SY23 1AA",
    ]
    with_line2 = {**ADDRESS, "line2": "Flat 2"}
    assert letter_address("", with_line2) == ["3 Mill Lane", "Flat 2", "Aberystwyth", "SY23 1AA"]
    # Whitespace typed into a line does not break the address block.
    assert letter_address(" Olwen\n Pritchard ", ADDRESS)[0] == "Olwen Pritchard"


@pytest.mark.parametrize(
    "address",
    [
        {},
        None,
        "3 Mill Lane, Aberystwyth",
        {**ADDRESS, "postcode": ""},
        {**ADDRESS, "town": "  "},
        {**ADDRESS, "line1": None},
    ],
)
def test_no_letter_without_a_first_line_a_town_and_a_postcode(address):
    assert letter_address("Olwen Pritchard", address) == []


@given(
    name=st.text(max_size=40),
    parts=st.fixed_dictionaries(
        {
            part: st.one_of(st.none(), st.text(max_size=40))
            for part in ("line1", "line2", "town", "postcode")
        }
    ),
)
def test_an_address_is_either_unusable_or_three_to_five_printed_lines(name, parts):
    lines = letter_address(name, parts)
    assert lines == [] or 3 <= len(lines) <= 5
    assert all(line and line == " ".join(line.split()) for line in lines)
    if lines:
        assert lines[-1] == " ".join(parts["postcode"].split())


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("07912 345678", "+447912345678"),
        ("+447912345678", "+447912345678"),
        ("07700 900982", "+447700900982"),  # Ofcom's drama range, GOV.UK's example number
        ("0121 496 0000", ""),  # a landline cannot take a text
        ("+33 6 12 34 56 78", ""),  # not a UK number
        ("07912", ""),
        ("not a number", ""),
        ("", ""),
    ],
)
def test_only_uk_mobile_numbers_can_be_texted(number, expected):
    assert uk_mobile(number) == expected


def test_the_language_is_the_first_of_ours_given_and_english_otherwise():
    assert language_of("", "cy") == "cy"
    assert language_of("cy", "en") == "cy"
    assert language_of("en-gb") == "en"
    assert language_of(None, "fr") == "en"
