from datetime import UTC, date, datetime

import pytest

from ctcflow.core import calendar


@pytest.mark.parametrize("day", [
    date(2024, 6, 21),   # midsommarafton (de facto holiday)
    date(2024, 12, 24),  # julafton
    date(2024, 12, 31),  # nyårsafton
    date(2024, 6, 6),    # nationaldagen
    date(2024, 3, 29),   # långfredagen
    date(2024, 4, 1),    # annandag påsk
    date(2024, 5, 9),    # Kristi himmelsfärd
    date(2024, 6, 22),   # a Saturday
])
def test_non_working_days(day: date) -> None:
    assert not calendar.is_business_day(day)


def test_ordinary_weekday_is_working_day() -> None:
    assert calendar.is_business_day(date(2024, 6, 20))


def test_next_business_day_skips_midsummer_weekend() -> None:
    assert calendar.next_business_day(date(2024, 6, 21)) == date(2024, 6, 24)


def test_add_business_days_across_christmas_and_new_year() -> None:
    # 23 Dec 2024 (Mon) + 1 working day: 24, 25, 26 are holidays → Fri 27 Dec
    assert calendar.add_business_days(date(2024, 12, 23), 1) == date(2024, 12, 27)
    # 27 Dec + 2: 30 Dec, then 31 Dec and 1 Jan are off → 2 Jan 2025
    assert calendar.add_business_days(date(2024, 12, 27), 2) == date(2025, 1, 2)


def test_add_business_days_backwards_across_easter() -> None:
    assert calendar.add_business_days(date(2024, 4, 2), -1) == date(2024, 3, 28)


def test_business_ordinal_distance_counts_working_days() -> None:
    distance = calendar.business_ordinal(date(2024, 4, 8)) - calendar.business_ordinal(date(2024, 3, 25))
    assert distance == 8  # two weeks minus Good Friday and Easter Monday


@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
    (date(2023, 1, 31), 1, date(2023, 2, 28)),
    (date(2024, 8, 31), 1, date(2024, 9, 30)),
    (date(2024, 11, 15), 3, date(2025, 2, 15)),
])
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert calendar.add_months(start, months) == expected


def test_today_is_taken_in_stockholm_across_dst() -> None:
    # 22:30 UTC on the evening DST ends is already the next day in Stockholm
    assert calendar.today(datetime(2024, 10, 26, 22, 30, tzinfo=UTC)) == date(2024, 10, 27)
    # winter time: 23:30 UTC is 00:30 local
    assert calendar.today(datetime(2024, 1, 15, 23, 30, tzinfo=UTC)) == date(2024, 1, 16)
    # summer time: 21:59 UTC is 23:59 local, still the same day
    assert calendar.today(datetime(2024, 7, 1, 21, 59, tzinfo=UTC)) == date(2024, 7, 1)


def test_week_53_in_a_52_week_year_means_the_last_week() -> None:
    assert calendar.iso_week_monday(2023, 53) == date(2023, 12, 25)
    assert calendar.iso_week_monday(2020, 53) == date(2020, 12, 28)
