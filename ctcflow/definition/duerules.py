"""Due rules: when a milestone is due, written as one short phrase in phases.yml.

Three forms (English keywords, case-insensitive):

* ``start + 6 weeks`` — an offset from the phase's (or cycle's) start; units: days, weeks,
  months, business days. ``start`` alone means the start itself.
* ``after enkat_genomford + 8 weeks`` — an offset from another milestone of the same phase:
  from the day it was done once it is done (work done early brings what follows forward, work
  done late pushes it back), from its due date while it is open.
* ``every 2 years from 2019 in week 10`` / ``every 2 years from 2020 on 03-31``, optionally
  ``until 2030`` — recurring calendar work (the survey, the report to KS the year after each
  wave); the milestone is due at the first occurrence on or after the phase's start.

A due date that falls on a weekend or a Swedish holiday moves to the next working day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from ctcflow.core import calendar

Unit = Literal["days", "weeks", "months", "business days"]

_UNIT_ALIASES: dict[str, Unit] = {
    "day": "days", "days": "days",
    "week": "weeks", "weeks": "weeks",
    "month": "months", "months": "months",
    "business day": "business days", "business days": "business days",
}
_OFFSET = r"(?:\s*\+\s*(?P<n>\d+)\s+(?P<unit>business\s+days?|days?|weeks?|months?))?"
_START = re.compile(rf"^start{_OFFSET}$", re.I)
_AFTER = re.compile(rf"^after\s+(?P<ref>[a-z][a-z0-9_]*){_OFFSET}$", re.I)
_EVERY = re.compile(
    r"^every\s+(?P<every>\d+)\s+years?\s+from\s+(?P<from>\d{4})\s+"
    r"(?:in\s+week\s+(?P<week>\d{1,2})|on\s+(?P<md>\d{2}-\d{2}))"
    r"(?:\s+until\s+(?P<until>\d{4}))?$",
    re.I,
)

RULE_HELP = (
    "write one of: 'start + 6 weeks' (units: days, weeks, months, business days), "
    "'after MILESTONE_ID + 4 weeks', 'every 2 years from 2019 in week 10', "
    "'every 2 years from 2020 on 03-31' (optionally '... until 2030')"
)


class DueRuleError(ValueError):
    pass


@dataclass(frozen=True)
class Offset:
    amount: int = 0
    unit: Unit = "days"

    def apply(self, day: date) -> date:
        if self.unit == "business days":
            return calendar.add_business_days(day, self.amount)
        if self.unit == "months":
            moved = calendar.add_months(day, self.amount)
        else:
            moved = day + timedelta(days=self.amount * (7 if self.unit == "weeks" else 1))
        return calendar.next_business_day(moved)


@dataclass(frozen=True)
class FromStart:
    offset: Offset


@dataclass(frozen=True)
class AfterMilestone:
    milestone: str
    offset: Offset


@dataclass(frozen=True)
class Recurring:
    every_years: int
    first_year: int
    week: int | None
    month_day: tuple[int, int] | None
    until_year: int | None

    def occurrence(self, year: int) -> date:
        if self.week is not None:
            raw = calendar.iso_week_monday(year, self.week)
        else:
            assert self.month_day is not None
            month, day = self.month_day
            raw = date(year, month, min(day, 28) if (month, day) == (2, 29) else day)
        return calendar.next_business_day(raw)

    def years(self) -> range:
        last = self.until_year if self.until_year is not None else calendar.LAST_YEAR - 1
        return range(self.first_year, last + 1, self.every_years)

    def first_on_or_after(self, start: date) -> date | None:
        for year in self.years():
            if year < start.year - 1:
                continue
            when = self.occurrence(year)
            if when >= start:
                return when
        return None


DueRule = FromStart | AfterMilestone | Recurring


def _offset(match: re.Match[str]) -> Offset:
    if match.group("n") is None:
        return Offset()
    unit_text = re.sub(r"\s+", " ", match.group("unit").lower())
    return Offset(int(match.group("n")), _UNIT_ALIASES[unit_text])


def parse_due_rule(text: str) -> DueRule:
    """Parse one due rule; raises DueRuleError with a message that says what to write instead."""
    phrase = " ".join(str(text).split())
    if m := _START.match(phrase):
        return FromStart(_offset(m))
    if m := _AFTER.match(phrase):
        return AfterMilestone(m.group("ref"), _offset(m))
    if m := _EVERY.match(phrase):
        every, first = int(m.group("every")), int(m.group("from"))
        until = int(m.group("until")) if m.group("until") else None
        week = int(m.group("week")) if m.group("week") else None
        month_day = None
        if week is not None and not 1 <= week <= 53:
            raise DueRuleError(f"week {week} does not exist; ISO weeks run from 1 to 53")
        if m.group("md"):
            month, day = (int(part) for part in m.group("md").split("-"))
            try:
                date(2024, month, day)
            except ValueError:
                raise DueRuleError(f"{m.group('md')} is not a date (write MM-DD)") from None
            month_day = (month, day)
        if every < 1:
            raise DueRuleError("'every 0 years' never recurs; write every 1 years or more")
        if not calendar.FIRST_YEAR <= first < calendar.LAST_YEAR:
            raise DueRuleError(f"year {first} is outside {calendar.FIRST_YEAR}–{calendar.LAST_YEAR}")
        return Recurring(every, first, week, month_day, until)
    raise DueRuleError(f"cannot read due rule {text!r}; {RULE_HELP}")


def schedule(rules: dict[str, DueRule], start: date, done: dict[str, date] | None = None) -> dict[str, date | None]:
    """Due dates of one phase instance's milestones; ``None`` where a rule has no occurrence.
    ``done``: the milestones already done, and when — an ``after`` rule counts from that day.

    ``rules`` must be free of cycles among ``after`` references (validation guarantees it).
    """
    done = done or {}
    due: dict[str, date | None] = {}

    def resolve(milestone_id: str) -> date | None:
        if milestone_id in due:
            return due[milestone_id]
        rule = rules[milestone_id]
        result: date | None
        if isinstance(rule, FromStart):
            result = rule.offset.apply(start)
        elif isinstance(rule, AfterMilestone):
            base = done.get(rule.milestone) or resolve(rule.milestone)
            result = None if base is None else rule.offset.apply(base)
        else:
            result = rule.first_on_or_after(start)
        due[milestone_id] = result
        return result

    for milestone_id in rules:
        resolve(milestone_id)
    return due
