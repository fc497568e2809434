"""Reading a Range header (portal/core/byte_ranges.py): one part, the whole file, or nothing the
file has. A pure function, so every case is tried directly."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.core.byte_ranges import UNSATISFIABLE, ByteRange, requested_range

SIZE = 1000


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", ByteRange(0, 99)),
        ("bytes=500-999", ByteRange(500, 999)),
        ("bytes=0-0", ByteRange(0, 0)),
        ("bytes=999-999", ByteRange(999, 999)),
        # open-ended: from here to the end
        ("bytes=900-", ByteRange(900, 999)),
        ("bytes=0-", ByteRange(0, 999)),
        # a last byte past the end means "to the end"
        ("bytes=900-5000", ByteRange(900, 999)),
        # suffix: the last N bytes; more than the file has is the whole file
        ("bytes=-100", ByteRange(900, 999)),
        ("bytes=-1", ByteRange(999, 999)),
        ("bytes=-5000", ByteRange(0, 999)),
        # the unit is case-insensitive; white space around the range is allowed
        ("Bytes=0-9", ByteRange(0, 9)),
        ("bytes= 0-9 ", ByteRange(0, 9)),
    ],
)
def test_one_range_is_the_part_it_names(header, expected):
    assert requested_range(header, SIZE) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=1000-1200", "bytes=5000-", "bytes=-0"])
def test_a_range_the_file_does_not_have_is_unsatisfiable(header):
    assert requested_range(header, SIZE) == UNSATISFIABLE


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        # several ranges: the whole file, which a server may always send (RFC 9110, 14.2)
        "bytes=0-9,20-29",
        "bytes=0-9, 5000-",
        # not the grammar: ignored
        "bytes=9-1",
        "bytes=a-b",
        "bytes=-",
        "bytes=",
        "bytes",
        "bytes=1-2-3",
        "bytes=+1-2",
        "bytes=0x10-20",
        "bytes=1 - 2",
        "items=0-9",
        "0-9",
        "bytes=٣-٤",  # digits of another script: not DIGIT
        "bytes=0-" + "9" * 31,  # longer than any file size could need
        "bytes=" + "9" * 5000 + "-",  # int() would refuse it with an error
    ],
)
def test_no_range_several_or_a_bad_one_means_the_whole_file(header):
    assert requested_range(header, SIZE) is None


@given(st.text(max_size=60), st.integers(min_value=1, max_value=10**12))
def test_any_header_gives_a_part_inside_the_file_the_whole_file_or_unsatisfiable(header, size):
    found = requested_range(header, size)
    if isinstance(found, ByteRange):
        assert 0 <= found.first <= found.last < size
        assert found.length == found.last - found.first + 1
    else:
        assert found in (None, UNSATISFIABLE)


def test_content_range_names_the_part_and_the_size():
    assert ByteRange(0, 99).content_range(1000) == "bytes 0-99/1000"
