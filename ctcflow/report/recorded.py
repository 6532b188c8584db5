"""The parts of a report that teams record — priority decisions, plans, the areas' input,
costs — and the gaps where a mandated section has nothing in it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, select
from sqlmodel import Session, col

from ctcflow.access.directory import Directory
from ctcflow.definition.loader import Definitions
from ctcflow.engine.asof import (
    done_date,
)
from ctcflow.report.model import AREA_SECTIONS, INPUT, AreaFilter, AreaReport, Gap
from ctcflow.report.schedule import Period
from db.models import (
    CostEntry,
    MilestoneInstance,
    PhaseInstance,
    PlanProgramme,
    PriorityDecision,
    SurveySuggestion,
    SurveyWave,
)


def add_priorities(session: Session, areas: dict[str, AreaReport], in_areas: AreaFilter, as_of: date) -> None:
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
    compared: dict[str, str] = dict(session.execute(select(col(SurveyWave.id), col(SurveyWave.comparison))
                                    .where(col(SurveyWave.id).in_({d[1] for d in decisions}))).tuples().all())
    for area_id, wave_id, factors, decided_on in decisions:
        area = areas.get(area_id)
        if area is None:
            continue
        area.decided_on = decided_on
        area.compared_with = compared.get(wave_id, area.compared_with)
        for factor in factors.split(","):
            share, city = shares.get((area_id, wave_id, factor), (None, None))
            area.priorities.append((factor, share, city))


def add_plans(session: Session, areas: dict[str, AreaReport], in_areas: AreaFilter, as_of: date,
              plan_phase: str) -> None:
    """The programmes of each area's latest handlingsplan opened by the as-of day."""
    pi = PhaseInstance
    latest = (select(col(pi.area_id), func.max(col(pi.cycle)).label("cycle"))
              .where(in_areas(col(pi.area_id)), col(pi.phase_id) == plan_phase, col(pi.opened_on) <= as_of)
              .group_by(col(pi.area_id)).subquery())
    rows = session.execute(
        select(col(PlanProgramme.area_id), col(PlanProgramme.factor_id), col(PlanProgramme.programme_id))
        .join(pi, col(pi.id) == col(PlanProgramme.phase_instance_id))
        .join(latest, and_(latest.c.area_id == col(pi.area_id), latest.c.cycle == col(pi.cycle)))
        .where(col(pi.phase_id) == plan_phase, col(PlanProgramme.chosen_on) <= as_of)
        .order_by(col(PlanProgramme.area_id), col(PlanProgramme.id)))
    for area_id, factor_id, programme_id in rows:
        if area_id in areas:
            areas[area_id].plan.append((factor_id, programme_id))


def add_area_input(session: Session, areas: dict[str, AreaReport], in_areas: AreaFilter, milestone_id: str,
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


def city_costs(session: Session, period: Period, as_of: date, area_ids: list[str] | None) -> dict[int, dict[str, int]]:
    query = (select(col(CostEntry.year), col(CostEntry.administration), func.sum(col(CostEntry.amount_ore)))
             .where(col(CostEntry.year).in_(period.years()), col(CostEntry.recorded_on) <= as_of)
             .group_by(col(CostEntry.year), col(CostEntry.administration)))
    if area_ids is not None:
        query = query.where(col(CostEntry.area_id).in_(area_ids))
    costs: dict[int, dict[str, int]] = {year: {} for year in period.years()}
    for year, administration, total in session.execute(query):
        costs[year][administration] = int(total)
    return costs


def find_gaps(defs: Definitions, areas: list[AreaReport], costs: dict[int, dict[str, int]], period: Period,
          as_of: date, mandated: dict[str, str], has_input: bool, city: bool) -> list[Gap]:
    directory = Directory(defs, as_of)
    gaps: list[Gap] = []

    def owed(area_id: str | None, section: str, role: str, year: int | None = None) -> Gap:
        people = directory.holders(role, area_id)
        return Gap(area_id, section, role, tuple(p.name for p in people), tuple(p.id for p in people), year)

    if city and "kostnader" in mandated:
        # a year's costs are owed once the year is over: a year not begun or still running is no gap
        gaps += [owed(None, "kostnader", mandated["kostnader"], year) for year in period.years()
                 if not costs[year] and year < as_of.year]
    input_owner = area_input_owner(defs)
    for area in areas:
        # the input is owed from the day after its due date, not before
        if has_input and input_owner and area.input_due and area.input_due < as_of and area.input_done_on is None:
            area.gaps.append(owed(area.id, INPUT, input_owner))
        # a theme is owed for the period once the period is over: until then there is time
        area.gaps += [owed(area.id, section, role) for section, role in mandated.items()
                      if section in AREA_SECTIONS and not area.entries.get(section) and as_of > period.end]
        gaps += area.gaps
    return gaps


def area_input_owner(defs: Definitions) -> str | None:
    for report in defs.process.reports:
        if report.area_input and (found := defs.milestone(report.area_input)):
            return found[1].owner
    return None
