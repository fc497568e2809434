"""Working days, as a council counts its target times: Monday to Friday, the day a request came
in not counted."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.working_days import add_working_days, is_working_day, working_days_between

FRIDAY_4_DECEMBER_2026 = date(2026, 12, 4)
days_2020s = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


def test_ten_working_days_from_a_friday_is_the_friday_a_fortnight_later():
    assert add_working_days(FRIDAY_4_DECEMBER_2026, 10) == date(2026, 12, 18)


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
    assert add_working_days(sent, days) == due


def test_a_negative_target_is_a_mistake():
    with pytest.raises(ValueError, match="negative"):
        add_working_days(FRIDAY_4_DECEMBER_2026, -1)


@given(days_2020s, st.integers(min_value=1, max_value=260))
def test_the_due_date_is_a_working_day_and_counting_back_gives_the_target(start, days):
    due = add_working_days(start, days)

    assert is_working_day(due)
    assert working_days_between(start, due) == days
    # and the day before it is too soon
    assert working_days_between(start, due - timedelta(days=1)) == days - 1


@given(days_2020s, days_2020s)
def test_working_days_between_counts_each_weekday_after_the_start(start, end):
    expected = sum(
        is_working_day(start + timedelta(days=n)) for n in range(1, (end - start).days + 1)
    )

    assert working_days_between(start, end) == expected
