"""Working days, as a council counts its target times: Monday to Friday except the bank holidays
of the council's nation (the BANK_HOLIDAYS setting), the day a request came in not counted."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.working_days import (
    REGIONS,
    add_working_days,
    is_working_day,
    region_problem,
    working_days_between,
)

FRIDAY_4_DECEMBER_2026 = date(2026, 12, 4)
days_2020s = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
regions = st.sampled_from(sorted(REGIONS))


def test_ten_working_days_from_a_friday_is_the_friday_a_fortnight_later():
    assert add_working_days(FRIDAY_4_DECEMBER_2026, 10, region="ENG") == date(2026, 12, 18)


@pytest.mark.parametrize(
    ("sent", "days", "due"),
    [
        (date(2026, 12, 7), 1, date(2026, 12, 8)),  # Monday: the next day
        (date(2026, 12, 4), 1, date(2026, 12, 7)),  # Friday: Monday, over the weekend
        (date(2026, 12, 5), 1, date(2026, 12, 7)),  # Saturday: counts from Monday
        (date(2026, 12, 6), 5, date(2026, 12, 11)),  # Sunday: the Friday of that week
        (date(2026, 12, 9), 3, date(2026, 12, 14)),  # Wednesday: Thursday, Friday, Monday
        (date(2026, 12, 9), 0, date(2026, 12, 9)),
    ],
)
def test_weekends_are_skipped(sent, days, due):
    assert add_working_days(sent, days, region="ENG") == due


def test_a_target_across_christmas_skips_christmas_boxing_day_and_new_years_day_in_england():
    # Friday 18 December 2026: Christmas Day is a Friday, Boxing Day a Saturday (so the holiday
    # moves to Monday 28th), and New Year's Day 2027 a Friday.
    sent = date(2026, 12, 18)

    due = add_working_days(sent, 10, region="ENG")

    # 21, 22, 23, 24, 29, 30, 31 December, 4, 5, 6 January
    assert due == date(2027, 1, 6)
    assert not is_working_day(date(2026, 12, 25), region="ENG")
    assert not is_working_day(date(2026, 12, 28), region="ENG")  # Boxing Day, substituted
    assert working_days_between(sent, due, region="ENG") == 10


def test_wales_counts_christmas_as_england_does_and_scotland_also_skips_2_january():
    sent = date(2026, 12, 18)
    assert add_working_days(sent, 10, region="WLS") == date(2027, 1, 6)
    # Scotland's 2 January 2027 is a Saturday: its holiday moves to Monday 4 January.
    assert add_working_days(sent, 10, region="SCT") == date(2027, 1, 7)


def test_easter_monday_is_skipped_in_england_but_is_a_working_day_in_scotland():
    # Wednesday 24 March 2027; Good Friday is 26 March and Easter Monday 29 March.
    sent = date(2027, 3, 24)

    # England: Thursday 25, then Tuesday 30 March to Friday 2 April
    assert add_working_days(sent, 5, region="ENG") == date(2027, 4, 2)
    # Scotland keeps Good Friday but works on Easter Monday
    assert add_working_days(sent, 5, region="SCT") == date(2027, 4, 1)


def test_st_andrews_day_is_skipped_in_scotland_only():
    # Thursday 26 November 2026; St Andrew's Day, 30 November, is a Monday.
    sent = date(2026, 11, 26)

    assert add_working_days(sent, 2, region="SCT") == date(2026, 12, 1)
    assert add_working_days(sent, 2, region="ENG") == date(2026, 11, 30)
    assert working_days_between(sent, date(2026, 12, 1), region="SCT") == 2
    assert working_days_between(sent, date(2026, 12, 1), region="ENG") == 3


def test_st_patricks_day_is_skipped_in_northern_ireland_only():
    # Tuesday 17 March 2026
    assert not is_working_day(date(2026, 3, 17), region="NIR")
    assert is_working_day(date(2026, 3, 17), region="ENG")


def test_a_negative_target_is_a_mistake():
    with pytest.raises(ValueError, match="negative"):
        add_working_days(FRIDAY_4_DECEMBER_2026, -1, region="ENG")


@pytest.mark.parametrize("region", ["", "eng", "GB", "UK", "England", "XXX"])
def test_a_region_that_is_not_one_of_the_four_is_refused_naming_them(region):
    problem = region_problem(region)

    assert problem is not None
    assert "ENG (England), WLS (Wales), SCT (Scotland), NIR (Northern Ireland)" in problem
    with pytest.raises(ValueError, match="BANK_HOLIDAYS must be one of"):
        add_working_days(FRIDAY_4_DECEMBER_2026, 1, region=region)


@given(days_2020s, st.integers(min_value=1, max_value=260), regions)
def test_the_due_date_is_a_working_day_and_counting_back_gives_the_target(start, days, region):
    due = add_working_days(start, days, region=region)

    assert is_working_day(due, region=region)
    assert working_days_between(start, due, region=region) == days
    # and the day before it is too soon
    assert working_days_between(start, due - timedelta(days=1), region=region) == days - 1


@given(days_2020s, days_2020s, regions)
def test_working_days_between_counts_each_working_day_after_the_start(start, end, region):
    expected = sum(
        is_working_day(start + timedelta(days=n), region=region)
        for n in range(1, (end - start).days + 1)
    )

    assert working_days_between(start, end, region=region) == expected
