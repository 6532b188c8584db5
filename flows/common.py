"""What the flows share: the day to act as of."""

from __future__ import annotations

from datetime import date

from ctcflow.core import calendar


def day(as_of: date | None) -> date:
    return as_of or calendar.today()
