import socket
import subprocess
import sys
import time

import httpx
import pytest

from integrations.simulators.os_places import OSPlacesSimulator, delivery_point
from tests.conftest import REPO_ROOT


@pytest.fixture(scope="module")
def os_places():
    with OSPlacesSimulator(api_key="test-key") as simulator:
        yield simulator


_client = httpx.Client(timeout=5)


def ask(simulator, resource, **params):
    query = {"key": "test-key", "output_srs": "WGS84", **params}
    return _client.get(f"{simulator.api_url}/{resource}", params=query)


def test_answers_a_postcode_with_delivery_points_in_capitals(os_places):
    response = ask(os_places, "postcode", postcode="ZZ99 4AB")

    assert response.status_code == 200
    body = response.json()
    assert body["header"]["totalresults"] == 6
    assert body["header"]["output_srs"] == "WGS84"
    town_hall = next(
        r["DPA"]
        for r in body["results"]
        if r["DPA"].get("BUILDING_NAME") == "MIDDLEHAMPTON TOWN HALL"
    )
    assert town_hall["BUILDING_NUMBER"] == "1"
    assert town_hall["THOROUGHFARE_NAME"] == "MARKET SQUARE"
    assert town_hall["POST_TOWN"] == "MIDDLEHAMPTON"
    assert town_hall["POSTCODE"] == "ZZ99 4AB"
    assert (
        town_hall["ADDRESS"] == "MIDDLEHAMPTON TOWN HALL, 1, MARKET SQUARE, MIDDLEHAMPTON, ZZ99 4AB"
    )
    assert len(town_hall["UPRN"]) == 12
    assert isinstance(town_hall["LAT"], float)
    assert isinstance(town_hall["LNG"], float)


def test_a_postcode_is_matched_whatever_its_spacing(os_places):
    assert ask(os_places, "postcode", postcode="zz994ab").json()["header"]["totalresults"] == 6


def test_gives_lat_and_lng_only_in_wgs84(os_places):
    response = ask(os_places, "postcode", postcode="ZZ99 4AB", output_srs="EPSG:27700")

    assert "LAT" not in response.json()["results"][0]["DPA"]


def test_an_unknown_postcode_has_a_header_and_no_results(os_places):
    body = ask(os_places, "postcode", postcode="ZZ99 9ZZ").json()

    assert body["header"]["totalresults"] == 0
    assert "results" not in body


def test_a_malformed_postcode_is_a_400_with_an_error_object(os_places):
    response = ask(os_places, "postcode", postcode="NOT A POSTCODE")

    assert response.status_code == 400
    assert response.json()["error"]["statuscode"] == 400
    assert "NOT A POSTCODE" in response.json()["error"]["message"]


@pytest.mark.parametrize("key", [None, "wrong"])
def test_a_missing_or_wrong_key_is_a_401_fault(os_places, key):
    params = {"postcode": "ZZ99 4AB", **({"key": key} if key else {})}

    response = httpx.get(f"{os_places.api_url}/postcode", params=params)

    assert response.status_code == 401
    assert response.json()["fault"]["detail"]["errorcode"] == "oauth.v2.InvalidApiKey"


def test_pages_with_offset_and_maxresults(os_places):
    everything = ask(os_places, "postcode", postcode="ZZ99 1AB").json()["results"]

    first = ask(os_places, "postcode", postcode="ZZ99 1AB", maxresults=8).json()
    last = ask(os_places, "postcode", postcode="ZZ99 1AB", offset=16, maxresults=8).json()

    assert first["header"]["totalresults"] == last["header"]["totalresults"] == 19
    assert (first["header"]["maxresults"], last["header"]["offset"]) == (8, 16)
    assert first["results"] == everything[:8]
    assert last["results"] == everything[16:]
    assert "results" not in ask(os_places, "postcode", postcode="ZZ99 1AB", offset=19).json()


@pytest.mark.parametrize(("offset", "maxresults"), [(0, 0), (0, 101), (-1, 10), ("x", 10)])
def test_out_of_range_paging_is_a_400(os_places, offset, maxresults):
    response = ask(os_places, "postcode", postcode="ZZ99 1AB", offset=offset, maxresults=maxresults)

    assert response.status_code == 400


def test_answers_a_uprn(os_places):
    body = ask(os_places, "uprn", uprn="999900001017").json()

    assert body["header"]["totalresults"] == 1
    assert body["results"][0]["DPA"]["ADDRESS"] == "6, MILL LANE, MIDDLEHAMPTON, ZZ99 1AB"
    assert "results" not in ask(os_places, "uprn", uprn="123").json()
    assert ask(os_places, "uprn", uprn="12a").status_code == 400


def test_an_unknown_resource_is_a_404(os_places):
    assert ask(os_places, "find", query="mill").status_code == 404


def test_the_key_is_checked_before_anything_else(os_places):
    response = httpx.get(f"{os_places.api_url}/nowhere")

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("line1", "line2", "expected"),
    [
        ("12 Mill Lane", "", {"BUILDING_NUMBER": "12", "THOROUGHFARE_NAME": "MILL LANE"}),
        ("12A Mill Lane", "", {"BUILDING_NAME": "12A", "THOROUGHFARE_NAME": "MILL LANE"}),
        (
            "Flat 2, Mill House",
            "3 Mill Lane",
            {
                "SUB_BUILDING_NAME": "FLAT 2",
                "BUILDING_NAME": "MILL HOUSE",
                "BUILDING_NUMBER": "3",
                "THOROUGHFARE_NAME": "MILL LANE",
            },
        ),
        (
            "Rose Cottage",
            "Church Lane",
            {"BUILDING_NAME": "ROSE COTTAGE", "THOROUGHFARE_NAME": "CHURCH LANE"},
        ),
        (
            "1 The Green",
            "Upper Wick",
            {
                "BUILDING_NUMBER": "1",
                "THOROUGHFARE_NAME": "THE GREEN",
                "DEPENDENT_LOCALITY": "UPPER WICK",
            },
        ),
        (
            "Planning, Town Hall",
            "1 Market Square",
            {
                "ORGANISATION_NAME": "PLANNING",
                "BUILDING_NAME": "TOWN HALL",
                "BUILDING_NUMBER": "1",
                "THOROUGHFARE_NAME": "MARKET SQUARE",
            },
        ),
    ],
)
def test_address_lines_become_paf_fields(line1, line2, expected):
    row = {
        "UPRN": "1",
        "ADDRESS_LINE_1": line1,
        "ADDRESS_LINE_2": line2,
        "TOWN": "Middlehampton",
        "POSTCODE": "zz991ab",
        "LATITUDE": "",
        "LONGITUDE": "",
    }

    dpa = delivery_point(row)

    paf = {
        k: dpa[k]
        for k in (
            "ORGANISATION_NAME",
            "SUB_BUILDING_NAME",
            "BUILDING_NAME",
            "BUILDING_NUMBER",
            "THOROUGHFARE_NAME",
            "DEPENDENT_LOCALITY",
        )
        if k in dpa
    }
    assert paf == expected
    assert dpa["POSTCODE"] == "ZZ99 1AB"
    assert "LAT" not in dpa


def test_runs_standalone_from_the_command_line():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "integrations.simulators.os_places",
            "--port",
            str(port),
            "--key",
            "k",
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/search/places/v1/postcode"
        deadline = time.monotonic() + 15
        while True:
            try:
                response = httpx.get(url, params={"postcode": "ZZ99 4AB", "key": "k"})
                break
            except httpx.ConnectError:
                assert process.poll() is None, process.communicate()[0].decode()
                assert time.monotonic() < deadline, "the simulator did not start"
                time.sleep(0.1)
        assert response.json()["header"]["totalresults"] == 6
    finally:
        process.terminate()
        process.wait(timeout=10)
