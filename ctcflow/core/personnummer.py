"""Swedish personal identity numbers (personnummer and samordningsnummer) recognised the way
Skatteverket builds them: a real birth date (day + 60 for a samordningsnummer), a plausible
century, and the Luhn check digit — not merely ten digits, which a respondent number has too."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

PATTERN = re.compile(r"^(?P<century>19|20)?(?P<yymmdd>\d{6})(?P<sep>[-+]?)(?P<serial>\d{3})(?P<check>\d)$")
MAX_AGE = 120
COLUMN_SHARE = 0.5  # a column of bare ten-digit numbers is personal data when most of them are personnummer


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, char in enumerate(digits):
        value = int(char) * (2 if i % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _birth_date(century: str | None, yymmdd: str, today: date) -> date | None:
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    if dd > 60:  # samordningsnummer
        dd -= 60
    centuries = [int(century)] if century else [20, 19]
    for c in centuries:
        try:
            born = date(c * 100 + yy, mm, dd)
        except ValueError:
            continue
        if today.year - MAX_AGE <= born.year and born <= today:
            return born
    return None


def strength(text: str, today: date | None = None) -> int:
    """0: not a personnummer; 1: a bare ten-digit one (a respondent number may pass by chance);
    2: one written with a separator or a century — nobody writes a respondent number that way."""
    match = PATTERN.match(text.strip())
    if not match:
        return 0
    born = _birth_date(match["century"], match["yymmdd"], today or date.today())
    if born is None or not luhn_ok(match["yymmdd"] + match["serial"] + match["check"]):
        return 0
    return 2 if match["sep"] or match["century"] else 1


def personnummer_like(values: pd.Series) -> pd.Series:
    """Per value of a text column: is it a personnummer? Bare ten-digit numbers count only when
    most of the column's values are personnummer (a column of them), not one respondent number
    in three hundred that happens to pass the check."""
    distinct = {text: strength(str(text)) for text in pd.unique(values.dropna())}
    found = values.map(distinct).fillna(0)
    answered = int((values.fillna("").str.strip() != "").sum())
    bare_column = answered > 0 and (found > 0).sum() >= COLUMN_SHARE * answered
    return (found == 2) | ((found == 1) & bare_column)
