"""Stalls: what has stopped moving, from the day it did — an area whose first due date passed
with nothing done, an area where nothing has been recorded for a long time while work it can do
is open, a role nobody holds. Each is a thing that climbs its own escalation ladder and that the report to the board
states; each says since when, so a replay of any day sees the stalls of that day.

Three grouped queries for the whole city, then plain bookkeeping."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select
from sqlmodel import Session, col

from ctcflow.access.vacancies import vacancies
from ctcflow.core import calendar
from ctcflow.definition.loader import Definitions
from ctcflow.definition.policy import LadderKind
from ctcflow.engine.asof import done_by_sql, open_on_sql, phase_open_sql
from ctcflow.engine.eventlog import SYSTEM
from db.models import Area, Event, MilestoneInstance, PhaseInstance

NOT_STARTED: LadderKind = "not_started"
INACTIVE: LadderKind = "inactive"
VACANCY: LadderKind = "vacancy"


@dataclass(frozen=True)
class Stall:
    kind: LadderKind  # not_started | inactive | vacancy: the ladder it climbs
    area_id: str | None  # None: a central role
    since: date  # the day it became a stall: its ladder counts from here
    role: str | None = None  # a vacancy's role
    milestone_id: str | None = None  # an area's oldest open milestone: where it is stuck
    milestone_due: date | None = None
    last_activity: date | None = None  # an area's last recorded work
    last_holder: str | None = None  # a vacancy's last holder


def stalls(session: Session, defs: Definitions, as_of: date) -> list[Stall]:
    """Every stall on ``as_of``: the areas first, in the order of areas.yml, then vacancies."""
    vacant = vacancy_stalls(defs, as_of)
    return [*area_stalls(session, defs, as_of, {(v.area_id, v.role) for v in vacant}), *vacant]


def vacancy_stalls(defs: Definitions, as_of: date) -> list[Stall]:
    return [Stall(VACANCY, v.area_id, v.since, role=v.role, last_holder=v.last_holder)
            for v in vacancies(defs, as_of)]


def area_stalls(session: Session, defs: Definitions, as_of: date,
                vacant: set[tuple[str | None, str | None]] | None = None) -> list[Stall]:
    """Areas that never started (counted from their first due date that passed undone, so no
    alarm before anything was due) and areas gone quiet. An area is quiet only while work its
    people can do is open: work waiting on a vacant role is that vacancy's stall, told already."""
    policy = defs.process.notification_policy.stalls
    active = set(session.execute(select(col(Area.id)).where(col(Area.active).is_(True))).scalars())
    areas = [a for a in defs.org.areas if a.id in active and a.start <= as_of]
    if not areas:
        return []
    mi = MilestoneInstance
    moved = set(session.execute(select(col(mi.area_id)).where(done_by_sql(as_of)).group_by(col(mi.area_id)))
                .scalars())
    last = dict(session.execute(  # what people recorded, not what the process did by itself
        select(col(Event.area_id), func.max(col(Event.effective_on)))
        .where(col(Event.effective_on) <= as_of, col(Event.actor) != SYSTEM, col(Event.area_id).is_not(None))
        .group_by(col(Event.area_id))).tuples().all())
    first_due = _first_due(session, [a.id for a in areas if a.id not in moved])
    found: list[tuple[LadderKind, str, date, date | None]] = []  # kind, area, since, last activity
    for area in areas:
        if area.id not in moved:
            since = calendar.add_business_days(first_due.get(area.id) or area.start, policy.not_started_after)
            if since <= as_of:
                found.append((NOT_STARTED, area.id, since, last.get(area.id)))
            continue
        quiet_from = last.get(area.id) or area.start
        since = calendar.add_business_days(quiet_from, policy.inactive_after)
        if since <= as_of:
            found.append((INACTIVE, area.id, since, last.get(area.id)))
    stuck = _oldest_open(session, as_of, [area_id for _, area_id, _, _ in found])
    vacant = vacant or set()

    def doable(area_id: str, milestone_id: str, open_ids: set[str]) -> bool:
        """Work the area's people can do now: its owner role is held and nothing it depends on
        is open (work waiting on someone else's is that one's problem, told once)."""
        found_ms = defs.milestone(milestone_id)
        if found_ms is None:
            return False
        owner = found_ms[1].owner
        held = (defs.process.held_in(owner, area_id), owner) not in vacant
        return held and not open_ids.intersection(found_ms[1].depends_on)

    result = []
    for kind, area_id, since, last_on in found:
        open_here = stuck.get(area_id, [])
        if kind == INACTIVE:
            open_ids = {m for m, _ in open_here}
            open_here = [(m, due) for m, due in open_here if doable(area_id, m, open_ids)]
            if not open_here:
                continue  # nothing its people can do: not stalled, or the vacancy's stall already
        milestone_id, due = open_here[0] if open_here else (None, None)
        result.append(Stall(kind, area_id, since, milestone_id=milestone_id, milestone_due=due,
                            last_activity=last_on))
    return result


def _first_due(session: Session, area_ids: list[str]) -> dict[str, date]:
    """Each area's earliest due date: the day its work could first have been late."""
    if not area_ids:
        return {}
    mi = MilestoneInstance
    return dict(session.execute(
        select(col(mi.area_id), func.min(col(mi.due_date)))
        .where(col(mi.area_id).in_(area_ids), col(mi.retired).is_(False), col(mi.due_date).is_not(None))
        .group_by(col(mi.area_id))).tuples().all())


def _oldest_open(session: Session, as_of: date, area_ids: list[str]) -> dict[str, list[tuple[str, date | None]]]:
    """Each area's open milestones in open phases, due first first: where the area is stuck."""
    if not area_ids:
        return {}
    mi, pi = MilestoneInstance, PhaseInstance
    rows = session.execute(
        select(col(mi.area_id), col(mi.milestone_id), col(mi.due_date))
        .join(pi, and_(col(pi.id) == col(mi.phase_instance_id), phase_open_sql(as_of)))
        .where(col(mi.area_id).in_(area_ids), col(mi.retired).is_(False), open_on_sql(as_of))
        .order_by(col(mi.area_id), col(mi.due_date), col(mi.id))).all()
    oldest: dict[str, list[tuple[str, date | None]]] = {}
    for area_id, milestone_id, due in rows:
        oldest.setdefault(area_id, []).append((milestone_id, due))
    return oldest
