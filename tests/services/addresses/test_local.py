import re
from pathlib import Path

import pytest

from services.addresses import Address, InvalidPostcodeError
from services.addresses.local import DEMO_GAZETTEER, GazetteerFormatError, LocalGazetteerProvider
from tests.services.addresses.conftest import gazetteer_row


@pytest.fixture(scope="module")
def demo() -> LocalGazetteerProvider:
    return LocalGazetteerProvider(DEMO_GAZETTEER)


def test_finds_every_address_at_a_postcode(demo):
    found = demo.find_by_postcode("ZZ99 4AB")

    assert [a.single_line for a in found] == [
        "Middlehampton Town Hall, 1 Market Square, Middlehampton, ZZ99 4AB",
        "Middlehampton Library, 2 Market Square, Middlehampton, ZZ99 4AB",
        "Market Square Surgery, 4 Market Square, Middlehampton, ZZ99 4AB",
        "Flat 1, 6 Market Square, Middlehampton, ZZ99 4AB",
        "Flat 2, 6 Market Square, Middlehampton, ZZ99 4AB",
        "Flat 3, 6 Market Square, Middlehampton, ZZ99 4AB",
    ]
    assert all(isinstance(a, Address) and a.lat and a.lng for a in found)


@pytest.mark.parametrize("typed", ["zz99 1ab", "ZZ991AB", "  zz99  1AB  "])
def test_the_postcode_asked_for_is_normalised_first(demo, typed):
    assert demo.find_by_postcode(typed) == demo.find_by_postcode("ZZ99 1AB")
    assert len(demo.find_by_postcode(typed)) == 19


def test_demo_addresses_come_in_house_number_order(demo):
    lines = [a.line1 for a in demo.find_by_postcode("ZZ99 1AB")]

    assert lines.index("2 Mill Lane") < lines.index("10 Mill Lane") < lines.index("12A Mill Lane")
    flats = [line for line in lines if line.startswith("Flat")]
    assert flats == [f"Flat {n}, Mill House" for n in (1, 2, 3, 4, 5, 6, 10)]
    # Mill House is number 3: its flats sit between 2 and 4.
    assert lines.index("2 Mill Lane") < lines.index("Flat 1, Mill House")
    assert lines.index("Flat 10, Mill House") < lines.index("4 Mill Lane")


def test_an_unknown_postcode_finds_nothing(demo):
    assert demo.find_by_postcode("SW1A 2AA") == []


def test_a_malformed_postcode_is_refused_not_searched(demo):
    with pytest.raises(InvalidPostcodeError):
        demo.find_by_postcode("not a postcode")


def test_gets_an_address_by_its_uprn(demo):
    some = demo.find_by_postcode("ZZ99 2AF")[0]

    assert demo.get(some.uprn) == some
    assert demo.get(f" {some.uprn} ") == some
    assert demo.get("123456789012") is None
    assert demo.get("") is None


def test_the_demo_gazetteer_is_fictional_and_plausible(demo):
    # Given the shipped file, every address is in the ZZ99 pseudo-postcode area, in England.
    postcodes = {a.postcode for a in demo._by_uprn.values()}

    assert len(demo) >= 150
    assert len(postcodes) == 12
    assert all(re.fullmatch(r"ZZ99 [0-9][A-Z]{2}", pc) for pc in postcodes)
    for address in demo._by_uprn.values():
        assert re.fullmatch(r"\d{12}", address.uprn)
        assert address.lat is not None
        assert 50.0 < address.lat < 55.8
        assert address.lng is not None
        assert -5.7 < address.lng < 1.8


def test_postcodes_and_spacing_in_the_file_are_normalised_too(write_gazetteer):
    path = write_gazetteer(
        [
            gazetteer_row(UPRN="1", POSTCODE="zz999ab", ADDRESS_LINE_1=" 2 Test Street "),
            gazetteer_row(UPRN="2", POSTCODE="ZZ99  9AB", LATITUDE="", LONGITUDE=""),
        ]
    )

    found = LocalGazetteerProvider(path).find_by_postcode("ZZ99 9AB")

    assert [(a.uprn, a.line1, a.postcode, a.lat) for a in found] == [
        ("2", "1 Test Street", "ZZ99 9AB", None),
        ("1", "2 Test Street", "ZZ99 9AB", 52.24),
    ]


def test_a_byte_order_mark_from_excel_is_ignored(tmp_path):
    path = tmp_path / "excel.csv"
    header = "UPRN,ADDRESS_LINE_1,ADDRESS_LINE_2,TOWN,POSTCODE,LATITUDE,LONGITUDE"
    path.write_text(f"{header}\r\n7,7 Test Street,,Middlehampton,ZZ99 9AB,,\r\n", "utf-8-sig")

    assert LocalGazetteerProvider(path).get("7") is not None


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ({"UPRN": "12ab"}, "UPRN '12ab' is not 1 to 12 digits"),
        ({"UPRN": "1234567890123"}, "UPRN '1234567890123' is not 1 to 12 digits"),
        ({"UPRN": ""}, "UPRN '' is not 1 to 12 digits"),
        ({"ADDRESS_LINE_1": "  "}, "ADDRESS_LINE_1 is empty"),
        ({"TOWN": ""}, "TOWN is empty"),
        ({"POSTCODE": "NOT A PC"}, "POSTCODE 'NOT A PC' is not a UK postcode"),
        ({"LATITUDE": "north"}, "LATITUDE 'north' is not a number"),
        ({"LATITUDE": "-0.9", "LONGITUDE": "52.2"}, "LATITUDE -0.9 is outside the United Kingdom"),
        ({"LONGITUDE": "482730"}, "LONGITUDE 482730.0 is outside the United Kingdom"),
        ({"LONGITUDE": ""}, "LATITUDE and LONGITUDE must both be given or both be empty"),
        ({"UPRN": "100000000001"}, "UPRN 100000000001 appears more than once"),
    ],
)
def test_a_malformed_row_stops_the_load_naming_its_line(write_gazetteer, bad, problem):
    # Given a file whose fourth line (third address) is wrong
    rows = [
        gazetteer_row(UPRN="100000000001"),
        gazetteer_row(UPRN="100000000002", ADDRESS_LINE_1="2 Test Street"),
        gazetteer_row(**{"UPRN": "100000000003", **bad}),
    ]
    path = write_gazetteer(rows)

    with pytest.raises(GazetteerFormatError) as raised:
        LocalGazetteerProvider(path)

    assert str(raised.value) == f"{path}, line 4: {problem}"


def test_a_row_with_too_few_or_too_many_columns_is_refused(tmp_path):
    path = tmp_path / "short.csv"
    header = "UPRN,ADDRESS_LINE_1,ADDRESS_LINE_2,TOWN,POSTCODE,LATITUDE,LONGITUDE"
    path.write_text(f"{header}\n1,1 Test Street,,Middlehampton,ZZ99 9AB,52.2,-0.9\n2,2 Test St\n")

    with pytest.raises(GazetteerFormatError, match=r"short\.csv, line 3: expected 7 columns"):
        LocalGazetteerProvider(path)

    path.write_text(f"{header}\n1,1 Test Street,,Middlehampton,ZZ99 9AB,52.2,-0.9,extra\n")
    with pytest.raises(GazetteerFormatError, match=r"short\.csv, line 2: expected 7 columns"):
        LocalGazetteerProvider(path)


def test_a_header_without_the_expected_columns_is_refused(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("UPRN,ADDRESS,POSTCODE\n1,1 Test Street,ZZ99 9AB\n")

    with pytest.raises(GazetteerFormatError) as raised:
        LocalGazetteerProvider(path)

    lacking = "ADDRESS_LINE_1, ADDRESS_LINE_2, TOWN, LATITUDE, LONGITUDE"
    assert str(raised.value).startswith(f"{path}, line 1: the header lacks {lacking} (expected")


def test_a_missing_or_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(GazetteerFormatError, match=r"nowhere\.csv: cannot be read"):
        LocalGazetteerProvider(tmp_path / "nowhere.csv")

    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(
        b"UPRN,ADDRESS_LINE_1,ADDRESS_LINE_2,TOWN,POSTCODE,LATITUDE,LONGITUDE\n"
        b"1,1 Caf\xe9 Street,,Middlehampton,ZZ99 9AB,,\n"
    )
    with pytest.raises(GazetteerFormatError, match=r"latin1\.csv: cannot be read as CSV"):
        LocalGazetteerProvider(Path(latin1))
