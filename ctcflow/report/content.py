"""What a report says, gathered from what the other parts store — phases, milestones, the
outbox's escalations, decisions, plans, entries and costs — as of one day, with a handful of
set-based queries for all areas at once.

Everything is filtered by the as-of date (done on, decided on, recorded on ≤ as_of), so
rendering a past day gives what was known that day, and the same day twice gives the same
content. A mandated section with nothing in it becomes a ``Gap`` naming the role and the
people who owed it: the templates print gaps, they never leave a section out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, func, select
from sqlmodel import Session, col

from ctcflow.access.directory import Directory
from ctcflow.core.gcpause import cyclic_gc_paused
from ctcflow.definition.loader import Definitions
from ctcflow.definition.programmes import CatalogueDef
from ctcflow.definition.survey import SurveyDef
from ctcflow.engine.asof import (
    PhaseOnDay,
    approved_date,
    current_phase,
    done_date,
    open_on_sql,
    phase_open_sql,
    phase_started_sql,
)
from ctcflow.report.schedule import Period, ReportOccasion
from db.models import (
    Area,
    CostEntry,
    MandateEntry,
    MilestoneInstance,
    Notification,
    PhaseInstance,
    PlanProgramme,
    PriorityDecision,
    SurveySuggestion,
)

AREA_SECTIONS = ("boendemedverkan", "jamstalldhetsintegrering", "rasism_sexism")
INPUT = "underlag"  # the area's own input milestone, a gap like the mandated sections
NEXT_STEPS = 5
NEXT_STEPS_DAYS = 183


@dataclass(frozen=True)
class Gap:
    area_id: str | None  # None: the city's part (costs)
    section: str  # boendemedverkan | jamstalldhetsintegrering | rasism_sexism | kostnader | underlag
    role: str
    people: tuple[str, ...]  # names of who held the role
    person_ids: tuple[str, ...]
    year: int | None = None  # kostnader: the year without costs


@dataclass(frozen=True)
class PhaseSpan:
    phase_id: str
    cycle: int
    opened_on: date
    planned_end: date | None  # the phase's last due date
    completed_on: date | None  # None: still open on the as-of day
    instance_id: int | None = None


@dataclass(frozen=True)
class MilestoneLine:
    milestone_id: str
    phase_id: str
    due: date
    done_on: date | None  # None: not done by the as-of day


@dataclass(frozen=True)
class EscalationLine:
    milestone_id: str
    due: date
    first_on: date
    roles: tuple[str, ...]
    resolved_on: date | None


@dataclass(frozen=True)
class Entry:
    happened_on: date
    description: str
    evidence: str | None


@dataclass
class AreaReport:
    id: str
    name: str
    current_phase: str | None = None
    current_cycle: int = 1
    spans: list[PhaseSpan] = field(default_factory=list)
    on_time: int = 0
    late: list[MilestoneLine] = field(default_factory=list)
    missing: list[MilestoneLine] = field(default_factory=list)
    escalations: list[EscalationLine] = field(default_factory=list)
    priorities: list[tuple[str, float | None, float | None]] = field(default_factory=list)  # factor, share, city
    decided_on: date | None = None
    plan: list[tuple[str, str]] = field(default_factory=list)  # factor, programme id
    entries: dict[str, list[Entry]] = field(default_factory=dict)
    costs: dict[int, int] = field(default_factory=dict)  # year → öre
    input_done_on: date | None = None
    input_due: date | None = None
    next_steps: list[MilestoneLine] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)

    @property
    def due_in_period(self) -> int:
        return self.on_time + len(self.late) + len(self.missing)


@dataclass
class ReportContent:
    title: str
    municipality: str
    occasion: ReportOccasion | None
    period: Period
    as_of: date
    due: date | None
    areas: list[AreaReport]
    costs: dict[int, dict[str, int]]  # year → administration → öre (all areas and central)
    gaps: list[Gap]  # every gap, the city's first

    @property
    def total_cost(self) -> int:
        return sum(sum(by_admin.values()) for by_admin in self.costs.values())


@dataclass(frozen=True)
class Scope:
    """What to gather: the period, the day, and the areas (None: every active area)."""

    period: Period
    as_of: date
    area_ids: list[str] | None = None
    input_due: date | None = None  # the occasion's due date: the area input is due before it


Gathered = tuple[list["AreaReport"], dict[int, dict[str, int]], list["Gap"]]


def gather(session: Session, defs: Definitions, scope: Scope, *, mandated: dict[str, str],
           area_input: str | None, gaps_only: bool = False) -> Gathered:
    """Each area's part, the city's costs, and every gap. ``gaps_only`` skips what gaps do not
    depend on (phases, milestones, escalations, plans): the daily check before a due date."""
    with cyclic_gc_paused():
        return _gather(session, defs, scope, mandated, area_input, gaps_only)


def _gather(session: Session, defs: Definitions, scope: Scope, mandated: dict[str, str],
            area_input: str | None, gaps_only: bool) -> Gathered:
    period, as_of = scope.period, scope.as_of
    last = min(period.end, as_of)
    query = select(col(Area.id), col(Area.name)).where(col(Area.active).is_(True),
                                                       col(Area.start_date) <= last).order_by(col(Area.name))
    if scope.area_ids is not None:
        query = query.where(col(Area.id).in_(scope.area_ids))
    areas = {area_id: AreaReport(area_id, name) for area_id, name in session.execute(query)}
    ids = list(areas)
    if not ids:
        return [], _costs(session, period, as_of, None), []
    in_areas = _in(ids)

    if not gaps_only:
        _phases(session, areas, in_areas, defs.process.order, as_of)
        _milestones(session, areas, in_areas, period, as_of)
        _escalations(session, areas, in_areas, period, as_of)
        _priorities(session, areas, in_areas, as_of)
        _plans(session, areas, in_areas, as_of)
    for area_id, kind, happened_on, description, evidence in session.execute(
            select(col(MandateEntry.area_id), col(MandateEntry.kind), col(MandateEntry.happened_on),
                   col(MandateEntry.description),
                   col(MandateEntry.evidence))
            .where(in_areas(col(MandateEntry.area_id)), col(MandateEntry.happened_on).between(period.start, period.end),
                   col(MandateEntry.recorded_on) <= as_of)
            .order_by(col(MandateEntry.area_id), col(MandateEntry.happened_on), col(MandateEntry.id))):
        areas[area_id].entries.setdefault(kind, []).append(Entry(happened_on, description, evidence))
    for area_id, year, total in session.execute(
            select(col(CostEntry.area_id), col(CostEntry.year), func.sum(col(CostEntry.amount_ore)))
            .where(in_areas(col(CostEntry.area_id)), col(CostEntry.year).in_(period.years()),
                   col(CostEntry.recorded_on) <= as_of)
            .group_by(col(CostEntry.area_id), col(CostEntry.year))):
        areas[area_id].costs[year] = int(total)
    if area_input:
        _area_input(session, areas, in_areas, area_input, period, as_of, scope.input_due)

    costs = _costs(session, period, as_of, ids if scope.area_ids is not None else None)
    gaps = _gaps(defs, list(areas.values()), costs, period, as_of, mandated, area_input is not None,
                 city=scope.area_ids is None)
    return list(areas.values()), costs, gaps


AreaFilter = Callable[[Any], Any]


def _in(ids: list[str]) -> AreaFilter:
    """A filter on an area column: the given areas, or — for a whole city, where a 4,000-item
    IN costs more than it saves — any (areas outside the set are skipped when read)."""
    everyone = len(ids) > 500

    def where(column: Any) -> Any:
        return column.is_not(None) if everyone else column.in_(ids)

    return where


def _phases(session: Session, areas: dict[str, AreaReport], in_areas: AreaFilter, order: dict[str, int],
            as_of: date) -> None:
    pi, mi = PhaseInstance, MilestoneInstance
    planned = (select(col(mi.phase_instance_id), func.max(col(mi.due_date)).label("planned_end"))
               .where(col(mi.retired).is_(False)).group_by(col(mi.phase_instance_id)).subquery())
    rows = session.execute(
        select(col(pi.area_id), col(pi.phase_id), col(pi.cycle), col(pi.opened_on), col(pi.completed_on),
               planned.c.planned_end)
        .join(planned, planned.c.phase_instance_id == col(pi.id), isouter=True)
        .where(in_areas(col(pi.area_id)), phase_started_sql(as_of))
        .order_by(col(pi.area_id), col(pi.opened_on), col(pi.id)))
    for area_id, phase_id, cycle, opened_on, completed_on, planned_end in rows:
        area = areas.get(area_id)
        if area is None:
            continue
        area.spans.append(PhaseSpan(phase_id, cycle, opened_on, planned_end, approved_date(completed_on, as_of)))
    for area in areas.values():
        current = current_phase([PhaseOnDay(s.phase_id, s.cycle, s.opened_on, s.completed_on) for s in area.spans],
                                order, as_of)
        if current is not None and current.completed_on is None:
            area.current_phase, area.current_cycle = current.phase_id, current.cycle


def _milestones(session: Session, areas: dict[str, AreaReport], in_areas: AreaFilter, period: Period,
                as_of: date) -> None:
    """Milestones due in the period (up to the as-of day): met on time, met late, not met."""
    mi, pi = MilestoneInstance, PhaseInstance
    last = min(period.end, as_of)
    rows = session.execute(
        select(col(mi.area_id), col(mi.milestone_id), col(pi.phase_id), col(mi.due_date), col(mi.status),
               col(mi.done_on))
        .join(pi, col(pi.id) == col(mi.phase_instance_id))
        .where(in_areas(col(mi.area_id)), col(mi.retired).is_(False), col(mi.due_date).between(period.start, last))
        .order_by(col(mi.area_id), col(mi.due_date), col(mi.milestone_id), col(mi.id)))
    for area_id, milestone_id, phase_id, due, status, done_on in rows:
        area = areas.get(area_id)
        if area is None:
            continue
        done = done_date(status, done_on, as_of)
        line = MilestoneLine(milestone_id, phase_id, due, done)
        if done is None:
            area.missing.append(line)
        elif done > due:
            area.late.append(line)
        else:
            area.on_time += 1
    upcoming = session.execute(
        select(col(mi.area_id), col(mi.milestone_id), col(pi.phase_id), col(mi.due_date))
        .join(pi, col(pi.id) == col(mi.phase_instance_id))
        .where(in_areas(col(mi.area_id)), col(mi.retired).is_(False), phase_open_sql(as_of), open_on_sql(as_of),
               col(mi.due_date) > as_of, col(mi.due_date) <= date.fromordinal(as_of.toordinal() + NEXT_STEPS_DAYS))
        .order_by(col(mi.area_id), col(mi.due_date), col(mi.milestone_id)))
    for area_id, milestone_id, phase_id, due in upcoming:
        area = areas.get(area_id)
        if area is not None and len(area.next_steps) < NEXT_STEPS:
            area.next_steps.append(MilestoneLine(milestone_id, phase_id, due, None))


def _escalations(session: Session, areas: dict[str, AreaReport], in_areas: AreaFilter, period: Period,
                 as_of: date) -> None:
    """Escalations the outbox holds for the period, one line per milestone: first day, to whom,
    and whether (when) the milestone was done after all."""
    n, mi = Notification, MilestoneInstance
    rows = session.execute(
        select(col(n.area_id), col(mi.milestone_id), col(mi.due_date), func.min(col(n.as_of)), col(mi.status),
               col(mi.done_on),
               func.group_concat(col(n.recipient).distinct()) if session.get_bind().dialect.name == "sqlite"
               else func.string_agg(col(n.recipient).distinct(), ","))
        .join(mi, col(mi.id) == col(n.milestone_instance_id))
        .where(col(n.kind) == "escalation", in_areas(col(n.area_id)), col(n.as_of).between(period.start,
                                                                                           min(period.end, as_of)))
        .group_by(col(n.area_id), col(mi.id), col(mi.milestone_id), col(mi.due_date), col(mi.status), col(mi.done_on))
        .order_by(col(n.area_id), func.min(col(n.as_of)), col(mi.milestone_id)))
    for area_id, milestone_id, due, first_on, status, done_on, recipients in rows:
        area = areas.get(area_id)
        if area is None:
            continue
        resolved = done_date(status, done_on, as_of)
        area.escalations.append(EscalationLine(milestone_id, due, first_on,
                                               tuple(sorted(set((recipients or "").split(",")) - {""})), resolved))


def _priorities(session: Session, areas: dict[str, AreaReport], in_areas: AreaFilter, as_of: date) -> None:
    latest = (select(col(PriorityDecision.area_id), func.max(col(PriorityDecision.id)).label("id"))
              .where(in_areas(col(PriorityDecision.area_id)), col(PriorityDecision.decided_on) <= as_of)
              .group_by(col(PriorityDecision.area_id)).subquery())
    pd = PriorityDecision
    decisions = session.execute(
        select(col(pd.area_id), col(pd.wave_id), col(pd.factors), col(pd.decided_on))
        .join(latest, latest.c.id == col(PriorityDecision.id))).all()
    if not decisions:
        return
    shares = {(a, w, f): (s, c) for a, w, f, s, c in session.execute(
        select(col(SurveySuggestion.area_id), col(SurveySuggestion.wave_id), col(SurveySuggestion.factor_id),
               col(SurveySuggestion.share), col(SurveySuggestion.city_share))
        .where(in_areas(col(SurveySuggestion.area_id)), col(SurveySuggestion.wave_id).in_({d[1] for d in decisions})))}
    for area_id, wave_id, factors, decided_on in decisions:
        area = areas.get(area_id)
        if area is None:
            continue
        area.decided_on = decided_on
        for factor in factors.split(","):
            share, city = shares.get((area_id, wave_id, factor), (None, None))
            area.priorities.append((factor, share, city))


def _plans(session: Session, areas: dict[str, AreaReport], in_areas: AreaFilter, as_of: date) -> None:
    """The programmes of each area's latest handlingsplan opened by the as-of day."""
    pi = PhaseInstance
    latest = (select(col(pi.area_id), func.max(col(pi.cycle)).label("cycle"))
              .where(in_areas(col(pi.area_id)), col(pi.phase_id) == "handlingsplan", col(pi.opened_on) <= as_of)
              .group_by(col(pi.area_id)).subquery())
    rows = session.execute(
        select(col(PlanProgramme.area_id), col(PlanProgramme.factor_id), col(PlanProgramme.programme_id))
        .join(pi, col(pi.id) == col(PlanProgramme.phase_instance_id))
        .join(latest, and_(latest.c.area_id == col(pi.area_id), latest.c.cycle == col(pi.cycle)))
        .where(col(pi.phase_id) == "handlingsplan", col(PlanProgramme.chosen_on) <= as_of)
        .order_by(col(PlanProgramme.area_id), col(PlanProgramme.id)))
    for area_id, factor_id, programme_id in rows:
        if area_id in areas:
            areas[area_id].plan.append((factor_id, programme_id))


def _area_input(session: Session, areas: dict[str, AreaReport], in_areas: AreaFilter, milestone_id: str,
                period: Period, as_of: date, input_due: date | None) -> None:
    """The area's input owed for this report: the input milestone due after the period ends and
    by the report's due date (or, for a period of one's own choosing, within it)."""
    mi = MilestoneInstance
    start, end = (period.end, input_due) if input_due else (period.start, min(period.end, as_of))
    rows = session.execute(
        select(col(mi.area_id), col(mi.due_date), col(mi.status), col(mi.done_on))
        .where(in_areas(col(mi.area_id)), col(mi.milestone_id) == milestone_id, col(mi.retired).is_(False),
               col(mi.due_date) > start, col(mi.due_date) <= end)
        .order_by(col(mi.area_id), col(mi.due_date)))
    for area_id, due, status, done_on in rows:
        area = areas.get(area_id)
        if area is None:
            continue
        area.input_due = due
        area.input_done_on = done_date(status, done_on, as_of)


def _costs(session: Session, period: Period, as_of: date, area_ids: list[str] | None) -> dict[int, dict[str, int]]:
    query = (select(col(CostEntry.year), col(CostEntry.administration), func.sum(col(CostEntry.amount_ore)))
             .where(col(CostEntry.year).in_(period.years()), col(CostEntry.recorded_on) <= as_of)
             .group_by(col(CostEntry.year), col(CostEntry.administration)))
    if area_ids is not None:
        query = query.where(col(CostEntry.area_id).in_(area_ids))
    costs: dict[int, dict[str, int]] = {year: {} for year in period.years()}
    for year, administration, total in session.execute(query):
        costs[year][administration] = int(total)
    return costs


def _gaps(defs: Definitions, areas: list[AreaReport], costs: dict[int, dict[str, int]], period: Period,
          as_of: date, mandated: dict[str, str], has_input: bool, city: bool) -> list[Gap]:
    directory = Directory(defs, as_of)
    gaps: list[Gap] = []

    def owed(area_id: str | None, section: str, role: str, year: int | None = None) -> Gap:
        people = directory.holders(role, area_id)
        return Gap(area_id, section, role, tuple(p.name for p in people), tuple(p.id for p in people), year)

    if city and "kostnader" in mandated:
        gaps += [owed(None, "kostnader", mandated["kostnader"], year) for year in period.years() if not costs[year]]
    input_owner = _input_owner(defs)
    for area in areas:
        if has_input and input_owner and area.input_due and area.input_done_on is None:
            area.gaps.append(owed(area.id, INPUT, input_owner))
        area.gaps += [owed(area.id, section, role) for section, role in mandated.items()
                      if section in AREA_SECTIONS and not area.entries.get(section)]
        gaps += area.gaps
    return gaps


def _input_owner(defs: Definitions) -> str | None:
    for report in defs.process.reports:
        if report.area_input and (found := defs.milestone(report.area_input)):
            return found[1].owner
    return None


def titles(defs: Definitions, survey: SurveyDef, catalogue: CatalogueDef, lang: str) -> dict[str, dict[str, str]]:
    """Display names the templates look up: phases, milestones, roles, factors, programmes,
    administrations."""
    return {
        "phase": {p.id: p.title.get(lang) for p in defs.process.phases},
        "milestone": {m.id: m.title.get(lang) for p in defs.process.phases for m in p.milestones},
        "role": {r.id: r.title.get(lang) for r in defs.process.roles},
        "factor": {**{f.id: f.title.get(lang) for f in survey.factors},
                   **{o.id: o.title.get(lang) for o in survey.outcomes}},
        "programme": {p.id: p.name for p in catalogue.programmes},
        "administration": {a.id: a.name for a in defs.org.administrations},
        "person": {p.id: p.name for p in defs.org.everyone()},
    }

