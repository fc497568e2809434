"""Working days: how a council counts the time it takes to answer a request.

A working day is Monday to Friday. Bank holidays are not skipped (yet): a target that spans one
reads a day early. The council's published targets are counted the same way in most charters
("10 working days from receipt"), and the resident sees the date we compute, so it errs towards
the council answering sooner rather than promising a later date it might then miss.

Pure functions of dates, with no clock and no database: tested directly
(tests/services/test_working_days.py).
"""

from __future__ import annotations

from datetime import date, timedelta

SATURDAY = 5  # date.weekday(): Monday is 0


def is_working_day(day: date) -> bool:
    return day.weekday() < SATURDAY


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (the day a request arrived does not count).

    A request sent on Friday 4 December 2026 with a 10 working day target is due on Friday
    18 December 2026; one sent at the weekend counts from the Monday.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    while days:
        day += timedelta(days=1)
        days -= is_working_day(day)
    return day


def working_days_between(start: date, end: date) -> int:
    """How many working days after `start`, up to and including `end` (0 if `end` is not later).

    The inverse of add_working_days: working_days_between(d, add_working_days(d, n)) == n.
    """
    if end <= start:
        return 0
    weeks, rest = divmod((end - start).days, 7)
    count = weeks * 5
    day = start + timedelta(weeks=weeks)
    for _ in range(rest):
        day += timedelta(days=1)
        count += is_working_day(day)
    return count
