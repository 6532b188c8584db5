"""Who and where a paper to the board goes: who prepared it (Vår referens), who answers for it
(Ansvariga), the administrations the decision is sent to, and the meetings it goes to — from
the organisation on the paper's day, so a reorganisation changes the next paper by itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ctcflow.access.directory import Directory
from ctcflow.core import calendar
from ctcflow.definition.loader import Definitions
from ctcflow.report.model import ReportContent


@dataclass(frozen=True)
class Person:
    name: str
    title: str
    administration: str
    email: str | None = None


def report_owner(defs: Definitions) -> str:
    """The role that prepares the reports to the board (the samordnare's)."""
    return next((r.owner for r in defs.process.reports), defs.process.coordinator)


def decision_meetings(content: ReportContent) -> tuple[tuple[date, date], bool]:
    """The KSAU and KS meetings: as set for the occasion, or derived — the first Monday a
    working week after the paper's day (KSAU), the Wednesday after (KS) — and then preliminary."""
    found = content.occasion
    if found is not None and found.year in found.report.meetings:
        set_for = found.report.meetings[found.year]
        return (set_for.ksau, set_for.ks), False
    day = max(content.as_of, content.due or content.as_of) + timedelta(days=7)
    ksau = _next_working(day, 0)
    return (ksau, _next_working(ksau + timedelta(days=1), 2)), True


def _next_working(day: date, weekday: int) -> date:
    while day.weekday() != weekday or not calendar.is_business_day(day):
        day += timedelta(days=1)
    return day


def decision_to(defs: Definitions, as_of: date, names: dict[str, dict[str, str]]) -> list[str]:
    """The administrations that hold a role in the work on the paper's day."""
    held = {defs.org.responsible_administration(r.role, as_of) for r in defs.org.responsibilities}
    held |= {defs.org.responsible_administration(r.role, as_of, a.id) for a in defs.org.areas
             for r in a.responsibilities}
    return sorted(names["administration"].get(a, a) for a in held if a)


def _person(defs: Definitions, role: str, as_of: date, names: dict[str, dict[str, str]], lang: str) -> list[Person]:
    admin = defs.org.responsible_administration(role, as_of) or ""
    return [Person(p.name, defs.name("role", role, lang), names["administration"].get(admin, admin), p.email)
            for p in Directory(defs, as_of).holders(role, None)]


def handler(defs: Definitions, as_of: date, names: dict[str, dict[str, str]], lang: str) -> Person | None:
    """Who prepared the paper: the holder of the report's owner role on its day."""
    return next(iter(_person(defs, report_owner(defs), as_of, names, lang)), None)


def responsible_people(defs: Definitions, as_of: date, names: dict[str, dict[str, str]],
                       lang: str) -> list[Person]:
    """Ansvariga: the report's owner and the chiefs above it on the report ladder, below the board."""
    board, owner = defs.process.role_of("board"), report_owner(defs)
    roles = [owner, *(step.to for step in defs.process.notification_policy.escalation.report
                      if step.to not in (owner, board))]
    seen: list[Person] = []
    for role in dict.fromkeys(roles):
        seen += [p for p in _person(defs, role, as_of, names, lang) if p not in seen]
    return seen
