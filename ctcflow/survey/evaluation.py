"""The effects evaluation read from the database: every wave's published totals, each area's
latest decision on priority factors, and the programmes it chose with how faithfully they ran —
one query per table for the whole city, then each area judged (ctcflow.survey.effects)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session, col

from ctcflow.definition.organisation import OrganisationDef
from ctcflow.definition.survey import SurveyDef
from ctcflow.survey.effects import Design, Effect, Measured, evaluate, totals_by_measure
from db.models import ImplementationRecord, PlanProgramme, PriorityDecision, SurveyResult, SurveyWave

ALL = "*"


@dataclass(frozen=True)
class ProgrammeRun:
    programme_id: str
    factor_id: str
    chosen_on: date
    adherence: float | None  # the mean share of the protocol followed, where recorded


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


def published_totals(session: Session, waves: list[str]) -> list[tuple[str, str, str, int, int]]:
    """Every area's and the city's published total (all grades, all genders) per wave and measure:
    (wave, area, measure, n, count)."""
    rows = session.execute(select(col(SurveyResult.wave_id), col(SurveyResult.area_id), col(SurveyResult.measure),
                                  col(SurveyResult.n), col(SurveyResult.count))
                           .where(col(SurveyResult.wave_id).in_(waves), col(SurveyResult.grade_group) == ALL,
                                  col(SurveyResult.gender) == ALL)).all()
    return [(wave, area, measure, n, count) for wave, area, measure, n, count in rows]


def waves_by(session: Session, as_of: date) -> list[str]:
    return list(session.execute(select(col(SurveyWave.id)).where(col(SurveyWave.as_of) <= as_of)
                                .order_by(col(SurveyWave.id))).scalars())


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
    out = []
    for area in org.areas:
        if (area_ids is not None and area.id not in area_ids) or area.id not in decisions:
            continue
        made = decisions[area.id]
        out.append(AreaEffects(area.id, made[-1][0], made[-1][1],
                               evaluate(totals, measured(survey, area.id, made), waves, comparison, design),
                               programmes.get(area.id, [])))
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
    adherence = {(area, programme): float(mean) for area, programme, mean in session.execute(
        select(col(ImplementationRecord.area_id), col(ImplementationRecord.programme_id),
               func.avg(col(ImplementationRecord.adherence)))
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
            out.setdefault(area, []).append(ProgrammeRun(programme, factor, chosen_on,
                                                         adherence.get((area, programme))))
    return out
