"""Swedish working-day calendar in Europe/Stockholm.

Deadlines are calendar dates, never timestamps, so DST cannot move them; "today" is always
taken in Stockholm. Non-working days are weekends, Swedish public holidays and the de facto
ones (midsommarafton, julafton, nyårsafton) on which municipal offices are closed.
"""

from __future__ import annotations

import calendar as _stdcal
from bisect import bisect_left
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from ctcflow.core.config import TIMEZONE

STOCKHOLM = ZoneInfo(TIMEZONE)
FIRST_YEAR = 1990
LAST_YEAR = 2100


def today(now: datetime | None = None) -> date:
    """The current date in Stockholm (``now`` must be timezone-aware when given)."""
    return (now or datetime.now(tz=STOCKHOLM)).astimezone(STOCKHOLM).date()


@lru_cache(maxsize=1)
def _swedish_holidays() -> dict[date, str]:
    found = holidays.Sweden(  # type: ignore[attr-defined]
        years=range(FIRST_YEAR, LAST_YEAR + 1),
        language="sv",
        categories=("public", "de_facto"),
    )
    return dict(found.items())


@lru_cache(maxsize=1)
def _business_days() -> list[date]:
    """Every working day in the supported range, sorted: ordinals are list positions."""
    free = _swedish_holidays()
    day, end = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)
    days: list[date] = []
    while day <= end:
        if day.weekday() < 5 and day not in free:
            days.append(day)
        day += timedelta(days=1)
    return days


def _check_range(day: date) -> None:
    if not date(FIRST_YEAR, 1, 1) <= day <= date(LAST_YEAR, 12, 1):
        raise ValueError(f"{day} is outside the supported calendar {FIRST_YEAR}–{LAST_YEAR}")


def holiday_name(day: date) -> str | None:
    return _swedish_holidays().get(day)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _swedish_holidays()


def business_ordinal(day: date) -> int:
    """Number of working days strictly before ``day``: the difference of two ordinals is a
    distance in working days, and a non-working day shares the ordinal of the next working day."""
    _check_range(day)
    return bisect_left(_business_days(), day)


def next_business_day(day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    return _business_days()[business_ordinal(day)]


def add_business_days(day: date, count: int) -> date:
    """Move ``count`` working days from ``day`` (a non-working start counts from the next
    working day); negative counts move backwards."""
    return _business_days()[business_ordinal(day) + count]


def add_months(day: date, months: int) -> date:
    """Calendar months with the day clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = _stdcal.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def iso_week_monday(year: int, week: int) -> date:
    """Monday of ISO week ``week``; week 53 in a year that has only 52 means the last week."""
    weeks_in_year = date(year, 12, 28).isocalendar().week
    return date.fromisocalendar(year, min(week, weeks_in_year), 1)
