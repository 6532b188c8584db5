"""What a report says, gathered from what the other parts store — phases, milestones, the
outbox's escalations, decisions, plans, entries and costs — as of one day, with a handful of
set-based queries for all areas at once.

Everything is filtered by the as-of date (done on, decided on, recorded on ≤ as_of), so
rendering a past day gives what was known that day, and the same day twice gives the same
content. A mandated section with nothing in it becomes a ``Gap`` naming the role and the
people who owed it: the templates print gaps, they never leave a section out.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlmodel import Session, col

from ctcflow.core.gcpause import cyclic_gc_paused
from ctcflow.definition.loader import Definitions
from ctcflow.engine.asof import (
    PhaseOnDay,
    approved_date,
    current_phase,
    done_date,
    open_on_sql,
    phase_open_sql,
    phase_started_sql,
)
from ctcflow.report.escalation_lines import add_escalations
from ctcflow.report.model import (
    NEXT_STEPS,
    NEXT_STEPS_DAYS,
    AreaFilter,
    AreaReport,
    ClosedLine,
    Entry,
    Gathered,
    MilestoneLine,
    PhaseSpan,
    Scope,
    in_areas_filter,
    moved,
)
from ctcflow.report.recorded import add_area_input, add_plans, add_priorities, city_costs, find_gaps
from ctcflow.report.schedule import Period
from db.models import (
    Area,
    CostEntry,
    MandateEntry,
    MilestoneInstance,
    PhaseInstance,
)


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
        return [], city_costs(session, period, as_of, None), []
    in_areas = in_areas_filter(ids)

    if not gaps_only:
        _phases(session, areas, in_areas, defs.process.order, as_of)
        required = {m.id for p in defs.process.phases for m in p.milestones if m.required}
        _milestones(session, areas, in_areas, period, as_of, required)
        add_escalations(session, areas, in_areas, period, as_of)
        add_priorities(session, areas, in_areas, as_of)
        add_plans(session, areas, in_areas, as_of, defs.process.plan_phase)
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
        add_area_input(session, areas, in_areas, area_input, period, as_of, scope.input_due)

    costs = city_costs(session, period, as_of, ids if scope.area_ids is not None else None)
    gaps = find_gaps(defs, list(areas.values()), costs, period, as_of, mandated, area_input is not None,
                 city=scope.area_ids is None)
    return list(areas.values()), costs, gaps


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
                as_of: date, required: set[str]) -> None:
    """Milestones planned due in the period (up to the as-of day): met on time, met late, not met
    — judged against the date they were planned for, which a late predecessor does not move."""
    mi, pi = MilestoneInstance, PhaseInstance
    last = min(period.end, as_of)
    planned = func.coalesce(col(mi.planned_due_date), col(mi.due_date))
    rows = session.execute(
        select(col(mi.area_id), col(mi.milestone_id), col(pi.phase_id), col(mi.due_date), col(mi.status),
               col(mi.done_on), col(mi.planned_due_date))
        .join(pi, col(pi.id) == col(mi.phase_instance_id))
        .where(in_areas(col(mi.area_id)), col(mi.retired).is_(False), planned.between(period.start, last))
        .order_by(col(mi.area_id), planned, col(mi.milestone_id), col(mi.id)))
    for area_id, milestone_id, phase_id, due, status, done_on, first_due in rows:
        area = areas.get(area_id)
        if area is None:
            continue
        line = MilestoneLine(milestone_id, phase_id, due, done_date(status, done_on, as_of), moved(first_due, due))
        if line.done_on is None:
            area.missing.append(line)
        elif line.done_on > line.measured:
            area.late.append(line)
        else:
            area.on_time += 1
    closed = session.execute(
        select(col(mi.area_id), col(mi.milestone_id), col(pi.phase_id), col(mi.due_date), col(mi.closed_on),
               col(mi.closed_by), col(mi.closed_reason))
        .join(pi, col(pi.id) == col(mi.phase_instance_id))
        .where(in_areas(col(mi.area_id)), col(mi.closed_on).between(period.start, last))
        .order_by(col(mi.area_id), col(mi.closed_on), col(mi.id)))
    for area_id, milestone_id, phase_id, due, closed_on, closed_by, reason in closed:
        if area_id in areas:
            areas[area_id].closed.append(ClosedLine(milestone_id, phase_id, due, closed_on, closed_by or "",
                                                    reason or ""))
    start = period.start - timedelta(days=1)
    before = session.execute(
        select(col(mi.area_id), col(mi.milestone_id), col(pi.phase_id), col(mi.due_date), col(mi.status),
               col(mi.done_on), col(mi.planned_due_date))
        .join(pi, col(pi.id) == col(mi.phase_instance_id))
        .where(in_areas(col(mi.area_id)), col(mi.retired).is_(False), planned < period.start,
               open_on_sql(start), phase_started_sql(start))
        .order_by(col(mi.area_id), planned, col(mi.milestone_id), col(mi.id)))
    for area_id, milestone_id, phase_id, due, status, done_on, first_due in before:
        area = areas.get(area_id)
        if area is not None and milestone_id in required:
            area.overdue_before.append(MilestoneLine(milestone_id, phase_id, due, done_date(status, done_on, as_of),
                                                     moved(first_due, due)))
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
