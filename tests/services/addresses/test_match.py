"""A typed address gets the UPRN of the one gazetteer address it matches (the demo gazetteer)."""

import pytest

from services.addresses import with_uprn

TYPED = {"uprn": None, "line1": "6 Mill Lane", "line2": "", "town": "Middlehampton"}


@pytest.mark.parametrize(
    ("line1", "postcode"),
    [
        ("6 Mill Lane", "ZZ99 1AB"),
        ("6 mill lane", "zz991ab"),
        (" 6,  Mill Lane. ", "ZZ99 1AB"),
    ],
)
def test_a_typed_address_matching_one_gazetteer_address_gets_its_uprn(line1, postcode):
    address = with_uprn({**TYPED, "line1": line1, "postcode": postcode})

    assert address["uprn"] == "999900001017"
    assert address["line1"] == line1  # what the resident typed is kept


@pytest.mark.parametrize(
    ("line1", "postcode"),
    [
        ("6 Mill Lane", "ZZ99 1AD"),  # the right street at another postcode
        ("66 Mill Lane", "ZZ99 1AB"),  # no such house
        ("Flat 1", "ZZ99 1AD"),  # four buildings at this postcode have a Flat 1
        ("6 Mill Lane", "not a postcode"),
        ("", "ZZ99 1AB"),
    ],
)
def test_an_address_matching_none_or_several_keeps_no_uprn(line1, postcode):
    address = with_uprn({**TYPED, "line1": line1, "postcode": postcode})

    assert address["uprn"] is None


def test_an_address_that_has_a_uprn_keeps_it():
    address = with_uprn({**TYPED, "postcode": "ZZ99 1AB", "uprn": "123"})

    assert address["uprn"] == "123"


def test_a_lookup_that_cannot_answer_leaves_the_address_as_typed(settings, os_places):
    # Given the OS Places API (its simulator) failing every request
    settings.ADDRESS_PROVIDER = "os_places"
    settings.OS_PLACES_API_URL = os_places.api_url
    settings.OS_PLACES_API_KEY = "test-key"
    os_places.set_faults(error_rate=1.0, error_status=503)

    # When a typed address is matched
    address = with_uprn({**TYPED, "postcode": "ZZ99 1AB"})

    # Then it is kept as typed, without failing
    assert address["uprn"] is None


def test_the_same_match_comes_from_the_os_places_api(settings, os_places):
    # Given the OS Places API (its simulator) as the look-up
    settings.ADDRESS_PROVIDER = "os_places"
    settings.OS_PLACES_API_URL = os_places.api_url
    settings.OS_PLACES_API_KEY = "test-key"

    # Then a typed address finds its UPRN there too
    assert with_uprn({**TYPED, "postcode": "ZZ99 1AB"})["uprn"] == "999900001017"
