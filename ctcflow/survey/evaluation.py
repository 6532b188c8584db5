"""The effects evaluation read from the database: every wave's published totals, each area's
latest decision on priority factors, and the programmes it chose with how faithfully they ran —
one query per table for the whole city, then each area judged (ctcflow.survey.effects)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from statistics import fmean

from sqlalchemy import func, select
from sqlmodel import Session, col

from ctcflow.definition.organisation import OrganisationDef
from ctcflow.definition.survey import SurveyDef
from ctcflow.survey.effects import CITY, Design, Effect, Measured, Trend, evaluate, relabelled, totals_by_measure, trend
from ctcflow.survey.store import compared_with_areas
from db.models import ImplementationRecord, PlanProgramme, PriorityDecision, SurveyResult, SurveyWave

ALL = "*"


@dataclass(frozen=True)
class ProgrammeRun:
    programme_id: str
    factor_id: str
    chosen_on: date
    adherence: float | None  # the mean share of the protocol followed, where recorded
    ran_until: date | None = None  # the end of the last period reported on; None when none was


@dataclass(frozen=True)
class AreaEffects:
    area_id: str
    decided_wave: str
    decided_on: date
    effects: list[Effect]
    programmes: list[ProgrammeRun] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return dict(Counter(e.verdict for e in self.effects))


def design_of(survey: SurveyDef) -> Design:
    e = survey.effects
    return Design(e.alpha, e.power, e.max_detectable, e.min_comparison)


@dataclass(frozen=True)
class Story:
    """One area's effects with the whole history behind them, for its områdesprofil."""

    effects: AreaEffects
    trends: dict[str, Trend]  # measure → its shares in every wave so far
    wave_days: dict[str, date]


def published_totals(session: Session, waves: list[str],
                     wanted: Mapping[str, Collection[str]] | None = None) -> list[tuple[str, str, str, int, int]]:
    """Every area's and the city's published total (all grades, all genders) per wave and measure:
    (wave, area, measure, n, count) — or, with ``wanted``, only those measures of those areas (one
    indexed query per measure: faster than one query of many ORs, and a fraction of the rows)."""
    query = select(col(SurveyResult.wave_id), col(SurveyResult.area_id), col(SurveyResult.measure),
                   col(SurveyResult.n), col(SurveyResult.count)).where(
        col(SurveyResult.wave_id).in_(waves), col(SurveyResult.grade_group) == ALL, col(SurveyResult.gender) == ALL)
    parts = [query] if wanted is None else [
        query.where(col(SurveyResult.measure) == measure, col(SurveyResult.area_id).in_(sorted(areas)))
        for measure, areas in sorted(wanted.items())]
    return [(wave, area, measure, n, count) for part in parts
            for wave, area, measure, n, count in session.execute(part).tuples()]


def wave_days(session: Session, as_of: date) -> dict[str, date]:
    """The waves surveyed by ``as_of``, oldest first, with the day each was surveyed."""
    return dict(session.execute(select(col(SurveyWave.id), col(SurveyWave.as_of)).where(col(SurveyWave.as_of) <= as_of)
                                .order_by(col(SurveyWave.id))).tuples().all())


def waves_by(session: Session, as_of: date) -> list[str]:
    return list(wave_days(session, as_of))


def area_effects(session: Session, org: OrganisationDef, survey: SurveyDef, as_of: date,
                 area_ids: list[str] | None = None) -> list[AreaEffects]:
    """Each area with a decision on priority factors by ``as_of``, in areas.yml's order."""
    waves = waves_by(session, as_of)
    if not waves:
        return []
    totals = totals_by_measure(published_totals(session, waves))
    decisions = _decisions(session, as_of)
    programmes = _programmes(session, as_of)
    comparison, design = [c.id for c in org.comparison_areas], design_of(survey)
    together = compared_with_areas(session, waves)
    out = []
    for area in org.areas:
        if (area_ids is not None and area.id not in area_ids) or area.id not in decisions:
            continue
        made = decisions[area.id]
        effects = evaluate(totals, measured(survey, area.id, made), waves, comparison, design)
        out.append(AreaEffects(area.id, made[-1][0], made[-1][1], relabelled(effects, together),
                               programmes.get(area.id, [])))
    return out


def area_story(session: Session, org: OrganisationDef, survey: SurveyDef, as_of: date, area_id: str,
               up_to_wave: str) -> Story | None:
    """The area's effects as of the profile's wave (decisions based on later waves left out),
    and each measure's shares across every wave up to it; None before the team's first decision."""
    days = {w: d for w, d in wave_days(session, as_of).items() if w <= up_to_wave}
    made = [d for d in _decisions(session, as_of).get(area_id, []) if d[0] <= up_to_wave]
    if not days or not made:
        return None
    waves, design = list(days), design_of(survey)
    comparison = [c.id for c in org.comparison_areas]
    measures = measured(survey, area_id, made)
    wanted = {m.measure: {area_id, CITY, *comparison} for m in measures}  # not the whole city's table
    totals = totals_by_measure(published_totals(session, waves, wanted))
    together = compared_with_areas(session, waves)
    effects = relabelled(evaluate(totals, measures, waves, comparison, design), together)
    trends = relabelled([trend(totals, area_id, e.measure, waves, comparison, design.min_comparison)
                           for e in effects], together)
    return Story(AreaEffects(area_id, made[-1][0], made[-1][1], effects, _programmes(session, as_of).get(area_id, [])),
                 {t.measure: t for t in trends}, days)


def priority_gaps(session: Session, org: OrganisationDef, survey: SurveyDef, as_of: date,
                  area_ids: Collection[str]) -> dict[str, list[tuple[str, float]]]:
    """Per area, each wave's mean distance in percentage points from its comparison over the
    factors the team now prioritises, turned so that above 0 is worse (more risk, less
    protection) — the small trend on the overview. No model is fitted: a page for 4,000 areas."""
    shown = set(area_ids)
    decisions = {a: made[-1][2] for a, made in _decisions(session, as_of).items() if a in shown}
    waves = waves_by(session, as_of)
    if not decisions or not waves:
        return {}
    risk = {f.id: f.kind == "risk" for f in survey.factors}
    comparison, design = [c.id for c in org.comparison_areas], design_of(survey)
    wanted: dict[str, set[str]] = {}
    for area_id, factors in decisions.items():
        for factor in factors:
            wanted.setdefault(factor, {CITY, *comparison}).add(area_id)
    totals = totals_by_measure(published_totals(session, waves, wanted))
    out = {}
    for area_id, factors in decisions.items():
        gaps: dict[str, list[float]] = {}
        for factor in factors:
            for wave, mine, other in trend(totals, area_id, factor, waves, comparison, design.min_comparison).points:
                gaps.setdefault(wave, []).append(100 * (mine - other if risk.get(factor, True) else other - mine))
        out[area_id] = [(wave, fmean(gaps[wave])) for wave in waves if wave in gaps]
    return out


def measured(survey: SurveyDef, area_id: str, decisions: list[tuple[str, date, list[str]]]) -> list[Measured]:
    """The factors of the team's current decision, each since the first decision that chose it,
    and every outcome since the area's first decision."""
    risk = {f.id: f.kind == "risk" for f in survey.factors}
    first: dict[str, str] = {}
    for wave, _, factors in decisions:
        for factor in factors:
            first.setdefault(factor, wave)
    out = [Measured(area_id, f, risk.get(f, True), True, first[f]) for f in decisions[-1][2]]
    return out + [Measured(area_id, o.id, True, False, decisions[0][0]) for o in survey.outcomes]


def _decisions(session: Session, as_of: date) -> dict[str, list[tuple[str, date, list[str]]]]:
    """Each area's decisions on priority factors by ``as_of``, oldest first: (wave, day, factors)."""
    rows = session.execute(select(col(PriorityDecision.area_id), col(PriorityDecision.wave_id),
                                  col(PriorityDecision.decided_on), col(PriorityDecision.factors))
                           .where(col(PriorityDecision.decided_on) <= as_of)
                           .order_by(col(PriorityDecision.decided_on), col(PriorityDecision.id))).all()
    out: dict[str, list[tuple[str, date, list[str]]]] = {}
    for area, wave, day, factors in rows:
        out.setdefault(area, []).append((wave, day, [f for f in factors.split(",") if f]))
    return out


def _programmes(session: Session, as_of: date) -> dict[str, list[ProgrammeRun]]:
    reported = {(area, programme): (float(mean), last) for area, programme, mean, last in session.execute(
        select(col(ImplementationRecord.area_id), col(ImplementationRecord.programme_id),
               func.avg(col(ImplementationRecord.adherence)), func.max(col(ImplementationRecord.period_end)))
        .where(col(ImplementationRecord.period_end) <= as_of)
        .group_by(col(ImplementationRecord.area_id), col(ImplementationRecord.programme_id)))}
    out: dict[str, list[ProgrammeRun]] = {}
    seen: set[tuple[str, str, str]] = set()
    for area, programme, factor, chosen_on in session.execute(
            select(col(PlanProgramme.area_id), col(PlanProgramme.programme_id), col(PlanProgramme.factor_id),
                   col(PlanProgramme.chosen_on)).where(col(PlanProgramme.chosen_on) <= as_of)
            .order_by(col(PlanProgramme.chosen_on), col(PlanProgramme.id))):
        if (area, programme, factor) not in seen:
            seen.add((area, programme, factor))
            adherence, ran_until = reported.get((area, programme), (None, None))
            out.setdefault(area, []).append(ProgrammeRun(programme, factor, chosen_on, adherence, ran_until))
    return out
