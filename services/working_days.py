"""Working days: how a council counts the time it takes to answer a request.

A working day is Monday to Friday that is not a bank holiday where the council is. The UK has
four sets of bank holidays (England and Wales share one; Scotland and Northern Ireland each have
their own, such as St Andrew's Day and St Patrick's Day), so every function takes the `region`,
one of REGIONS, that the BANK_HOLIDAYS setting names. The dates come from the `holidays`
package, substitute days included (Boxing Day on a Saturday moves the holiday to the Monday);
a one-off holiday the government proclaims late arrives with an update of that package.

Pure functions of dates, with no clock and no database: tested directly
(tests/services/test_working_days.py).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

SATURDAY = 5  # date.weekday(): Monday is 0
# The UK's bank holiday regions, as the `holidays` package (ISO 3166-2:GB) names them.
REGIONS = {
    "ENG": "England",
    "WLS": "Wales",
    "SCT": "Scotland",
    "NIR": "Northern Ireland",
}


def region_problem(region: str) -> str | None:
    """Why `region` cannot be a BANK_HOLIDAYS setting, or None if it can."""
    if region in REGIONS:
        return None
    choices = ", ".join(f"{code} ({name})" for code, name in REGIONS.items())
    return f"BANK_HOLIDAYS must be one of {choices}, not {region!r}"


@lru_cache(maxsize=64)
def bank_holidays(region: str, year: int) -> frozenset[date]:
    """The bank holidays of `region` in `year`, substitute days included."""
    if (problem := region_problem(region)) is not None:
        raise ValueError(problem)
    # Imported here: the package takes over half a second to import (it loads every calendar),
    # and settings import this module to check BANK_HOLIDAYS at every start of every process.
    import holidays

    return frozenset(holidays.country_holidays("GB", subdiv=region, years=year))


def is_working_day(day: date, *, region: str) -> bool:
    return day.weekday() < SATURDAY and day not in bank_holidays(region, day.year)


def add_working_days(start: date, days: int, *, region: str) -> date:
    """The date `days` working days after `start` (the day a request arrived does not count).

    A request sent on Friday 4 December 2026 with a 10 working day target is due on Friday
    18 December 2026; one sent at the weekend counts from the Monday; one sent on Friday
    18 December 2026 is due on Wednesday 6 January 2027 in England, after Christmas Day, Boxing
    Day's substitute Monday and New Year's Day.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    while days:
        day += timedelta(days=1)
        days -= is_working_day(day, region=region)
    return day


def working_days_between(start: date, end: date, *, region: str) -> int:
    """How many working days after `start`, up to and including `end` (0 if `end` is not later).

    The inverse of add_working_days: working_days_between(d, add_working_days(d, n)) == n.
    """
    if end <= start:
        return 0
    weeks, rest = divmod((end - start).days, 7)
    weekdays = weeks * 5
    day = start + timedelta(weeks=weeks)
    for _ in range(rest):
        day += timedelta(days=1)
        weekdays += day.weekday() < SATURDAY
    holidays_on_weekdays = sum(
        start < holiday <= end and holiday.weekday() < SATURDAY
        for year in range(start.year, end.year + 1)
        for holiday in bank_holidays(region, year)
    )
    return weekdays - holidays_on_weekdays
