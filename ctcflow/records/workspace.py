"""What the områdesteam works from when it prioritises and plans: the latest survey's suggested
factors beside the team's decision, the handlingsplan being written (goals and programmes per
priority factor, what is still uncovered) and how each chosen programme has run — its records
with the fidelity verdict. One read, for the page; every change goes through records.plan and
survey.decision, which hold the rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlmodel import Session, col

from ctcflow.definition.programmes import CatalogueDef, ProgrammeDef
from ctcflow.definition.survey import SurveyDef
from ctcflow.engine.instances import latest_phase_instance
from ctcflow.engine.surveydata import areas_with_wave, latest_decisions
from ctcflow.survey.comparison import CITY_WIDE
from ctcflow.survey.store import suggestions
from db.models import ImplementationRecord, PlanGoal, PlanProgramme, PriorityDecision, SurveySuggestion, SurveyWave


@dataclass(frozen=True)
class FactorPlan:
    """One priority factor in the plan: its goals, the programmes chosen against it and the
    catalogue's other programmes for it (what the team can still choose)."""

    factor_id: str
    goals: list[PlanGoal]
    chosen: list[ProgrammeDef]
    options: list[ProgrammeDef]


@dataclass(frozen=True)
class Period:
    record: ImplementationRecord
    low: bool  # adherence below the programme's minimum


@dataclass(frozen=True)
class RunningProgramme:
    programme: ProgrammeDef
    periods: list[Period]


@dataclass
class PlanWorkspace:
    wave_id: str | None
    suggested: list[SurveySuggestion]
    decision: PriorityDecision | None
    plan_cycle: int | None  # the handlingsplan's round, when there is one
    plan_open: bool  # goals and programmes can be added today
    plan_approved_on: date | None
    factors: list[FactorPlan] = field(default_factory=list)
    other_goals: list[PlanGoal] = field(default_factory=list)  # goals on problem behaviours
    running: list[RunningProgramme] = field(default_factory=list)
    comparison: str = CITY_WIDE  # what the wave compares each area with (ctcflow.survey.comparison)

    @property
    def uncovered(self) -> list[str]:
        return [f.factor_id for f in self.factors if not f.chosen]


def plan_workspace(session: Session, survey: SurveyDef, catalogue: CatalogueDef, area_id: str,
                   as_of: date, plan_phase: str) -> PlanWorkspace:
    wave_id = areas_with_wave(session, [area_id], until=as_of).get(area_id)
    decision = latest_decisions(session, [area_id]).get(area_id)
    instance = latest_phase_instance(session, area_id, plan_phase)
    workspace = PlanWorkspace(
        wave_id, suggestions(session, wave_id, area_id) if wave_id else [], decision,
        instance.cycle if instance else None,
        bool(instance and instance.opened_on <= as_of and instance.completed_on is None),
        instance.completed_on if instance else None)
    wave = session.get(SurveyWave, wave_id) if wave_id else None
    if wave is not None:
        workspace.comparison = wave.comparison
    if instance is not None:
        goals = list(session.execute(select(PlanGoal).where(col(PlanGoal.phase_instance_id) == instance.id)
                                     .order_by(col(PlanGoal.id))).scalars())
        chosen = list(session.execute(select(PlanProgramme).where(
            col(PlanProgramme.phase_instance_id) == instance.id).order_by(col(PlanProgramme.id))).scalars())
        factors = decision.factors.split(",") if decision else []
        for factor_id in factors:
            picked = [catalogue.programme(c.programme_id) for c in chosen if c.factor_id == factor_id]
            mine = [p for p in picked if p is not None]
            workspace.factors.append(FactorPlan(
                factor_id, [g for g in goals if g.subject == factor_id], mine,
                [p for p in catalogue.for_factor(factor_id) if p not in mine]))
        workspace.other_goals = [g for g in goals if g.subject not in factors]
    workspace.running = _running(session, catalogue, area_id)
    return workspace


def _running(session: Session, catalogue: CatalogueDef, area_id: str) -> list[RunningProgramme]:
    """Every programme any of the area's plans chose, with its implementation records, newest first."""
    chosen = session.execute(select(col(PlanProgramme.programme_id)).where(col(PlanProgramme.area_id) == area_id)
                             .distinct()).scalars().all()
    records = session.execute(select(ImplementationRecord).where(col(ImplementationRecord.area_id) == area_id)
                              .order_by(col(ImplementationRecord.period_end).desc(),
                                        col(ImplementationRecord.id).desc())).scalars().all()
    running = []
    for programme in (catalogue.programme(p) for p in sorted(chosen)):
        if programme is None:
            continue
        periods = [Period(r, r.adherence < programme.fidelity.min_adherence)
                   for r in records if r.programme_id == programme.id]
        running.append(RunningProgramme(programme, periods))
    return running
