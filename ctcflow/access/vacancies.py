"""Roles nobody holds — news from the day it happens, not when a milestone of the role falls due.

A role is vacant in an area (or centrally) on a day when nobody holds it then although someone
held it before (turnover), or when it is the area's lead and the area has started. Each
vacancy says since when, so a replay of any day shows the vacancies of that day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ctcflow.definition.loader import Definitions
from ctcflow.definition.organisation import PersonDef


@dataclass(frozen=True)
class Vacancy:
    role: str
    area_id: str | None  # None: a central role
    since: date
    last_holder: str | None  # who held it before, if anyone

    def days(self, as_of: date) -> int:
        return (as_of - self.since).days


def _vacancy(role: str, area_id: str | None, people: list[PersonDef], as_of: date,
             always_needed_from: date | None) -> Vacancy | None:
    holders = [p for p in people if p.role == role]
    if any(p.active_on(as_of) for p in holders):
        return None
    ended = [p for p in holders if p.valid_until is not None and p.valid_until < as_of]
    if ended:
        last = max(ended, key=lambda p: p.valid_until or date.min)
        assert last.valid_until is not None
        return Vacancy(role, area_id, last.valid_until + timedelta(days=1), last.id)
    if always_needed_from is not None and always_needed_from <= as_of:
        return Vacancy(role, area_id, always_needed_from, None)
    return None


def vacancies(defs: Definitions, as_of: date) -> list[Vacancy]:
    """Every vacant role on ``as_of``: each area's roles (its lead always needed once it has
    started), then the central ones (the coordinator always needed)."""
    found: list[Vacancy] = []
    lead, coordinator = defs.process.area_lead, defs.process.coordinator
    area_roles = [r.id for r in defs.process.roles if r.scope == "area"]
    central_roles = [r.id for r in defs.process.roles if r.scope == "central"]
    for area in defs.org.areas:
        for role in area_roles:
            vacancy = _vacancy(role, area.id, area.people, as_of, area.start if role == lead else None)
            if vacancy:
                found.append(vacancy)
    start = min((a.start for a in defs.org.areas), default=None)
    for role in central_roles:
        vacancy = _vacancy(role, None, defs.org.central, as_of, start if role == coordinator else None)
        if vacancy:
            found.append(vacancy)
    return found
