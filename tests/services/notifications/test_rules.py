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
