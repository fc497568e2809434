import logging
import time

import pytest

from integrations.simulators.base import RecordedRequest, Response, Simulator
from integrations.simulators.os_places import OSPlacesSimulator
from services.addresses import AddressLookupError, InvalidPostcodeError
from services.addresses.local import LocalGazetteerProvider
from services.addresses.os_places import OSPlacesProvider, address_from_dpa
from tests.services.addresses.conftest import gazetteer_row

DEMO_POSTCODES = [
    "ZZ99 1AB", "ZZ99 1AD", "ZZ99 1AE", "ZZ99 1AF", "ZZ99 1AG", "ZZ99 1AH",
    "ZZ99 2AB", "ZZ99 2AD", "ZZ99 2AE", "ZZ99 2AF", "ZZ99 4AB", "ZZ99 4AD",
]  # fmt: skip
SAFE_MESSAGE = "We could not look up addresses just now – enter the address manually"


@pytest.fixture
def provider(os_places):
    client = OSPlacesProvider(os_places.api_url, "test-key", timeout=2.0)
    yield client
    client.close()


def test_finds_the_addresses_at_a_postcode_in_house_number_order(provider):
    found = provider.find_by_postcode("ZZ99 1AB")

    lines = [a.line1 for a in found]
    assert lines[:4] == ["1 Mill Lane", "2 Mill Lane", "Flat 1, Mill House", "Flat 2, Mill House"]
    assert lines[-3:] == ["11 Mill Lane", "12 Mill Lane", "12A Mill Lane"]
    flat = found[2]
    assert (flat.line2, flat.town, flat.postcode) == ("3 Mill Lane", "Middlehampton", "ZZ99 1AB")
    assert flat.lat is not None
    assert flat.lng is not None


def test_asks_for_the_normalised_postcode_in_wgs84_with_the_key(provider, os_places):
    provider.find_by_postcode("zz991ab")

    (request,) = os_places.requests
    assert request.method == "GET"
    assert request.path == "/search/places/v1/postcode"
    assert request.param("postcode") == "ZZ99 1AB"
    assert request.param("key") == "test-key"
    assert request.param("output_srs") == "WGS84"
    assert request.param("dataset") == "DPA"


def test_gives_the_same_addresses_as_the_local_gazetteer_it_is_serving(provider):
    # The simulator serves the demo file in OS Places' capitals and PAF fields; mapping them back
    # must give exactly what the local provider reads from the same file.
    local = LocalGazetteerProvider()

    for postcode in DEMO_POSTCODES:
        assert provider.find_by_postcode(postcode) == local.find_by_postcode(postcode), postcode


def test_reads_every_page_when_a_postcode_has_more_than_a_hundred_addresses(write_gazetteer):
    rows = [
        gazetteer_row(
            UPRN=str(200000000000 + n), ADDRESS_LINE_1=f"Flat {n}", ADDRESS_LINE_2="1 Tower Street"
        )
        for n in range(1, 231)
    ]
    with OSPlacesSimulator(write_gazetteer(rows), api_key="k") as simulator:
        provider = OSPlacesProvider(simulator.api_url, "k")

        found = provider.find_by_postcode("ZZ99 9AB")

        assert [a.line1 for a in found] == [f"Flat {n}" for n in range(1, 231)]
        assert [r.param("offset") for r in simulator.requests] == ["0", "100", "200"]
        assert {r.param("maxresults") for r in simulator.requests} == {"100"}


def test_an_unknown_postcode_finds_nothing(provider, os_places):
    assert provider.find_by_postcode("ZZ99 9ZZ") == []
    assert len(os_places.requests) == 1


def test_a_malformed_postcode_is_refused_without_asking(provider, os_places):
    with pytest.raises(InvalidPostcodeError):
        provider.find_by_postcode("ZZ99")
    assert os_places.requests == []


def test_gets_an_address_by_uprn(provider, os_places):
    address = provider.get("999900001017")

    assert address is not None
    assert address.single_line == "6 Mill Lane, Middlehampton, ZZ99 1AB"
    assert os_places.requests[-1].path == "/search/places/v1/uprn"
    assert provider.get("999999999999") is None
    assert provider.get("not-a-uprn") is None
    assert len(os_places.requests) == 2


def test_a_wrong_api_key_is_a_lookup_error_and_logged_for_operators(os_places, caplog):
    provider = OSPlacesProvider(os_places.api_url, "wrong-key")

    with caplog.at_level(logging.INFO), pytest.raises(AddressLookupError) as raised:
        provider.find_by_postcode("ZZ99 1AB")

    assert raised.value.message == SAFE_MESSAGE
    ours = [r for r in caplog.records if r.name == "services.addresses.os_places"]
    assert [r.getMessage() for r in ours] == ["OS Places refused the API key (HTTP 401)"]
    assert ours[0].levelno == logging.ERROR
    assert "wrong-key" not in caplog.text
    assert "ZZ99" not in caplog.text


@pytest.mark.parametrize(
    "fault",
    [
        {"error_rate": 1.0},
        {"error_rate": 1.0, "error_status": 502},
        {"rate_limit": 30},
        {"auth_failure": True},
        {"drop_response": True},
    ],
    ids=["503", "502", "429", "401", "dropped"],
)
def test_a_failing_service_is_a_lookup_error_with_a_safe_message(provider, os_places, fault):
    os_places.set_faults(**fault)

    with pytest.raises(AddressLookupError) as raised:
        provider.find_by_postcode("ZZ99 1AB")
    with pytest.raises(AddressLookupError):
        provider.get("999900001017")

    assert raised.value.message == SAFE_MESSAGE


def test_a_slow_service_fails_quickly_at_the_client_timeout(os_places):
    os_places.set_faults(latency=5.0)
    provider = OSPlacesProvider(os_places.api_url, "test-key", timeout=0.3)

    started = time.monotonic()
    with pytest.raises(AddressLookupError):
        provider.find_by_postcode("ZZ99 1AB")

    assert time.monotonic() - started < 1.5


def test_a_service_that_is_not_running_is_a_lookup_error(os_places):
    url = os_places.api_url
    os_places.stop()

    with pytest.raises(AddressLookupError):
        OSPlacesProvider(url, "test-key", timeout=1.0).find_by_postcode("ZZ99 1AB")


class HtmlPage(Simulator):
    """A proxy's error page answered with 200, as captive portals and some gateways do."""

    def handle(self, request: RecordedRequest) -> Response:
        return Response(200, b"<html>Service unavailable</html>", {"Content-Type": "text/html"})


def test_an_answer_that_is_not_json_is_a_lookup_error():
    with HtmlPage() as page, pytest.raises(AddressLookupError):
        OSPlacesProvider(page.url, "k").find_by_postcode("ZZ99 1AB")


def test_it_works_again_once_the_service_recovers(provider, os_places):
    os_places.set_faults(error_rate=1.0, times=1)

    with pytest.raises(AddressLookupError):
        provider.find_by_postcode("ZZ99 1AB")
    assert len(provider.find_by_postcode("ZZ99 1AB")) == 19


def test_delivery_point_fields_become_readable_lines():
    dpa = {
        "UPRN": 100023336956,
        "DEPARTMENT_NAME": "PLANNING",
        "ORGANISATION_NAME": "MIDDLEHAMPTON COUNCIL",
        "BUILDING_NAME": "CIVIC CENTRE",
        "BUILDING_NUMBER": "1",
        "DEPENDENT_THOROUGHFARE_NAME": "ST MARY'S MEWS",
        "THOROUGHFARE_NAME": "HIGH STREET",
        "DEPENDENT_LOCALITY": "STRATFORD-UPON-AVON",
        "POST_TOWN": "MIDDLEHAMPTON",
        "POSTCODE": "zz991ab",
        "LAT": 52.2,
        "LNG": -0.9,
    }

    address = address_from_dpa(dpa)

    assert address.uprn == "100023336956"
    assert address.line1 == "Planning, Middlehampton Council, Civic Centre"
    assert address.line2 == "1 St Mary's Mews, High Street, Stratford-upon-Avon"
    assert (address.town, address.postcode, address.lat, address.lng) == (
        "Middlehampton",
        "ZZ99 1AB",
        52.2,
        -0.9,
    )


@pytest.mark.parametrize(
    ("dpa", "line1", "line2"),
    [
        ({"BUILDING_NAME": "12A", "THOROUGHFARE_NAME": "MILL LANE"}, "12A Mill Lane", ""),
        ({"BUILDING_NAME": "12-14", "THOROUGHFARE_NAME": "MILL LANE"}, "12-14 Mill Lane", ""),
        (
            {"SUB_BUILDING_NAME": "FLAT 2", "BUILDING_NAME": "O'NEILL HOUSE"},
            "Flat 2, O'Neill House",
            "",
        ),
        ({"PO_BOX_NUMBER": "123"}, "PO Box 123", ""),
        ({"BUILDING_NUMBER": 7, "DEPENDENT_LOCALITY": "UPPER WICK"}, "7", "Upper Wick"),
    ],
)
def test_paf_shapes_are_read_as_people_write_them(dpa, line1, line2):
    base = {"UPRN": "1", "POST_TOWN": "MIDDLEHAMPTON", "POSTCODE": "ZZ99 1AB"}

    address = address_from_dpa({**base, **dpa})

    assert (address.line1, address.line2) == (line1, line2)
    assert (address.lat, address.lng) == (None, None)


def test_a_delivery_point_it_cannot_read_is_a_lookup_error(write_gazetteer):
    # Given a service answering with a record lacking its postcode
    class Broken(Simulator):
        def handle(self, request):
            dpa = {"UPRN": "1", "BUILDING_NUMBER": "1", "THOROUGHFARE_NAME": "X", "POST_TOWN": "Y"}
            return Response.json({"header": {"totalresults": 1}, "results": [{"DPA": dpa}]})

    with Broken() as broken, pytest.raises(AddressLookupError):
        OSPlacesProvider(broken.url, "k").find_by_postcode("ZZ99 1AB")
