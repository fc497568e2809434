import pytest

from services.addresses import (
    Address,
    AddressLookupError,
    InvalidPostcodeError,
    is_postcode,
    normalise_postcode,
)
from services.addresses.base import sort_addresses


def address(line1: str, line2: str = "", uprn: str = "1") -> Address:
    return Address(uprn=uprn, line1=line1, line2=line2, town="Middlehampton", postcode="ZZ99 1AB")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("zz99 1ab", "ZZ99 1AB"),
        ("ZZ991AB", "ZZ99 1AB"),
        ("  zz99   1ab ", "ZZ99 1AB"),
        ("sw1a2aa", "SW1A 2AA"),
        ("m1 1ae", "M1 1AE"),
        ("b33 8th", "B33 8TH"),
        ("cr2 6xh", "CR2 6XH"),
        ("dn55 1pt", "DN55 1PT"),
        ("W1A\t0AX", "W1A 0AX"),
    ],
)
def test_postcodes_are_normalised_whatever_the_spacing_and_case(typed, expected):
    assert normalise_postcode(typed) == expected
    assert is_postcode(typed)


FULLWIDTH_SW1A = "\uff33\uff371A 2AA"


@pytest.mark.parametrize(
    "typed", ["", "ZZ99", "ZZ99 1A", "12345", "ZZ99 1AB1", "Z Z 9 9", "SW1A 2AA;", FULLWIDTH_SW1A]
)
def test_anything_not_shaped_like_a_postcode_is_refused(typed):
    with pytest.raises(InvalidPostcodeError) as raised:
        normalise_postcode(typed)
    assert raised.value.message == "Enter a full UK postcode, like SW1A 2AA"
    assert not is_postcode(typed)


def test_single_line_joins_the_lines_that_are_there():
    assert address("12 Mill Lane").single_line == "12 Mill Lane, Middlehampton, ZZ99 1AB"
    assert (
        address("Flat 2, Mill House", "3 Mill Lane").single_line
        == "Flat 2, Mill House, 3 Mill Lane, Middlehampton, ZZ99 1AB"
    )


def test_an_address_cannot_be_changed_once_made():
    home = address("12 Mill Lane")
    with pytest.raises(AttributeError):
        home.line1 = "13 Mill Lane"


def test_a_lookup_error_carries_a_message_a_resident_can_be_shown():
    error = AddressLookupError()
    assert error.message == ("We could not look up addresses just now – enter the address manually")
    assert str(error) == error.message


def test_house_numbers_sort_as_numbers_not_as_text():
    given = [address(f"{n} High Street", uprn=str(n)) for n in (10, 2, 1, 21, 3)]

    ordered = sort_addresses(given)

    assert [a.line1 for a in ordered] == [
        "1 High Street",
        "2 High Street",
        "3 High Street",
        "10 High Street",
        "21 High Street",
    ]


def test_flats_follow_their_building_in_number_order():
    given = [
        address("4 Mill Lane"),
        address("Flat 10, Mill House", "3 Mill Lane"),
        address("2 Mill Lane"),
        address("Flat 2, Mill House", "3 Mill Lane"),
        address("Flat 1, Mill House", "3 Mill Lane"),
        address("12A Mill Lane"),
        address("12 Mill Lane"),
        address("13 Mill Lane"),
    ]

    ordered = [a.single_line.split(", Middlehampton")[0] for a in sort_addresses(given)]

    assert ordered == [
        "2 Mill Lane",
        "Flat 1, Mill House, 3 Mill Lane",
        "Flat 2, Mill House, 3 Mill Lane",
        "Flat 10, Mill House, 3 Mill Lane",
        "4 Mill Lane",
        "12 Mill Lane",
        "12A Mill Lane",
        "13 Mill Lane",
    ]


def test_streets_stay_together_and_named_houses_follow_the_numbers():
    given = [
        address("Rose Cottage", "Church Lane"),
        address("2 Church Lane"),
        address("1 Abbey Road"),
        address("10 Church Lane"),
        address("Ivy Cottage", "Church Lane"),
        address("3 Abbey Road"),
    ]

    ordered = [a.single_line.split(", Middlehampton")[0] for a in sort_addresses(given)]

    assert ordered == [
        "1 Abbey Road",
        "3 Abbey Road",
        "2 Church Lane",
        "10 Church Lane",
        "Ivy Cottage, Church Lane",
        "Rose Cottage, Church Lane",
    ]
