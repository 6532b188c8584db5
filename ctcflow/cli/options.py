"""The options many commands share, and how their values are read: the as-of day, the
language, who acts. Defined once so every command spells them the same."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from ctcflow.core import calendar
from ctcflow.core.config import get_settings


def parse_day(text: str) -> date:
    try:
        found = date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"'{text}' is not a date; write YYYY-MM-DD") from None
    if not calendar.FIRST_YEAR <= found.year <= calendar.LAST_YEAR:
        raise typer.BadParameter(f"'{text}' is outside the calendar ctcflow knows (the working days and "
                                 f"holidays of {calendar.FIRST_YEAR}–{calendar.LAST_YEAR})")
    return found


AsOf = Annotated[date | None, typer.Option("--as-of", parser=parse_day, metavar="YYYY-MM-DD",
                                           help="the day to act as of; default today in Stockholm")]
Lang = Annotated[str | None, typer.Option("--lang", help="language of the output: sv (default) or en")]
By = Annotated[str, typer.Option("--by", help="person id from areas.yml: who does this")]
Note = Annotated[str | None, typer.Option("--note", help="a note for the history")]
AreaArg = Annotated[str, typer.Argument(help="area id from areas.yml")]


def day(as_of: date | None) -> date:
    return as_of or calendar.today()


def language(lang: str | None) -> str:
    if lang not in (None, "sv", "en"):
        raise typer.BadParameter("--lang takes sv or en")
    return lang or get_settings().lang
