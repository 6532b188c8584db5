"""The handlingsplan: goals and programmes against the decided priority factors — who runs each,
when and for how much — and how the programmes run (implementation and fidelity). The plan as
a document for approval is ctcflow.records.plan_document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session, col

from ctcflow.access.permissions import Action, require
from ctcflow.core.errors import CtcError, Invalid
from ctcflow.definition.loader import Definitions
from ctcflow.definition.programmes import CatalogueDef
from ctcflow.definition.survey import SurveyDef
from ctcflow.engine.eventlog import NewEvent, record
from ctcflow.engine.instances import Refused, latest_phase_instance
from ctcflow.engine.surveydata import latest_decisions
from ctcflow.records.ledger import amount_refusal, parse_amount
from db.models import ImplementationRecord, PlanGoal, PlanProgramme

MAX_COUNT = 1_000_000  # sessions or participants in one period: more is a typing error, not a programme


def open_plan(session: Session, defs: Definitions, area_id: str, as_of: date) -> int:
    """The phase instance of the area's handlingsplan being written: its latest cycle, open on ``as_of``."""
    instance = latest_phase_instance(session, area_id, defs.process.plan_phase)
    if instance is None or instance.opened_on > as_of or instance.completed_on is not None:
        raise Refused("plan_closed", f"no handlingsplan is being written in {area_id} on {as_of}; "
                      "goals and programmes are added while the phase is open")
    assert instance.id is not None  # a stored row
    return instance.id


def decided_factors(session: Session, area_id: str) -> list[str]:
    decision = latest_decisions(session, [area_id]).get(area_id)
    return decision.factors.split(",") if decision else []


def add_goal(session: Session, defs: Definitions, survey: SurveyDef, area_id: str, subject: str, target: str, *,
             by: str, as_of: date) -> PlanGoal:
    person = require(defs, by, Action.RECORD_AREA_WORK, as_of, area_id).person
    known = {f.id for f in survey.factors} | {o.id for o in survey.outcomes}
    if subject not in known:
        raise Invalid("subject", "unknown_subject", f"'{subject}' is neither a factor nor an outcome of survey.yml")
    if not target.strip():
        raise Invalid("target", "empty_target", "write the goal, e.g. \"from 49 % to 40 % by the 2025 survey\"")
    instance = open_plan(session, defs, area_id, as_of)
    goal = PlanGoal(area_id=area_id, phase_instance_id=instance, subject=subject, target=target.strip(),
                    set_on=as_of, set_by=person.id)
    session.add(goal)
    record(session, [NewEvent("plan_goal", person.id, as_of, area_id, subject, None, target)])
    return goal


@dataclass(frozen=True)
class ProgrammePlan:
    """What the plan says about running a programme: who, from when to when, for how much."""

    responsible: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    budget: str | None = None  # as typed: "250 000 kr"

    def budget_ore(self) -> int | None:
        """The budget in öre; a budget that is not an amount is refused with the field named."""
        if not (self.budget or "").strip():
            return None
        found = parse_amount(self.budget or "")
        if found is None:
            refusal: str | None = "is not an amount in kronor (e.g. 250 000)"
        elif found < 0:  # a budget, not a cost line: nothing to correct by a later sheet
            refusal = "is negative; a budget is what the programme may cost, in kronor (e.g. 250 000)"
        else:
            refusal = amount_refusal(found)
        if refusal or found is None:
            raise Invalid("budget", "not_amount", f"budget '{self.budget}' {refusal}")
        return found

    def check(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise Invalid("ends_on", "before_start", f"the programme ends ({self.ends_on}) before it starts "
                          f"({self.starts_on}); give the last day on or after the first")


def add_programme(session: Session, defs: Definitions, catalogue: CatalogueDef, area_id: str, factor_id: str,
                  programme_id: str, *, by: str, as_of: date, note: str | None = None,
                  plan: ProgrammePlan | None = None) -> PlanProgramme:
    person = require(defs, by, Action.RECORD_AREA_WORK, as_of, area_id).person
    plan = plan or ProgrammePlan()
    plan.check()
    budget = plan.budget_ore()
    instance = open_plan(session, defs, area_id, as_of)
    factors = decided_factors(session, area_id)
    if factor_id not in factors:
        raise Invalid("factor", "not_priority", f"'{factor_id}' is not among {area_id}'s priority factors "
                       f"({', '.join(factors) or 'none decided yet: ctc survey decide'})")
    programme = catalogue.programme(programme_id)
    if programme is None or factor_id not in programme.targets:
        options = ", ".join(p.id for p in catalogue.for_factor(factor_id)) or "none in programmes.yml"
        what = f"{programme_id} does not target {factor_id}" if programme else f"unknown programme '{programme_id}'"
        raise Invalid("programme", "not_for_factor", f"{what}; programmes for {factor_id}: {options}")
    already = session.execute(select(col(PlanProgramme.id)).where(
        col(PlanProgramme.phase_instance_id) == instance, col(PlanProgramme.factor_id) == factor_id,
        col(PlanProgramme.programme_id) == programme_id)).first()
    if already is not None:
        raise Invalid("programme", "already_chosen", f"{programme_id} is already in the plan against {factor_id}")
    chosen = PlanProgramme(area_id=area_id, phase_instance_id=instance, factor_id=factor_id,
                           programme_id=programme_id, chosen_on=as_of, chosen_by=person.id, note=note,
                           responsible=(plan.responsible or "").strip() or None, starts_on=plan.starts_on,
                           ends_on=plan.ends_on, budget_ore=budget)
    session.add(chosen)
    record(session, [NewEvent("plan_programme", person.id, as_of, area_id, programme_id, None, factor_id, note)])
    return chosen


def record_implementation(session: Session, defs: Definitions, catalogue: CatalogueDef, area_id: str,
                          programme_id: str, *, period_end: date, sessions_planned: int, sessions_held: int,
                          participants: int, adherence: float, by: str, as_of: date,
                          note: str | None = None) -> tuple[ImplementationRecord, bool]:
    """One period of a programme in the area; returns the record and whether fidelity is low."""
    person = require(defs, by, Action.RECORD_AREA_WORK, as_of, area_id).person
    programme = catalogue.programme(programme_id)
    if programme is None:
        raise CtcError(f"unknown programme '{programme_id}'")
    chosen = session.execute(select(func.min(col(PlanProgramme.chosen_on))).where(
        col(PlanProgramme.area_id) == area_id, col(PlanProgramme.programme_id) == programme_id)).scalar()
    if chosen is None:
        raise Refused("not_in_plan", f"{programme_id} is not in any handlingsplan of {area_id}; add it with "
                      "`ctc plan programme`")
    if not chosen <= period_end <= as_of:  # within the programme's life in the area: not 2010, not 2099
        raise Invalid("period_end", "period_outside", f"the period ending {period_end} is outside the programme's "
                      f"time in the area: from {chosen} (chosen) to {as_of} (today)")
    for field, value in (("sessions_planned", sessions_planned), ("sessions_held", sessions_held),
                         ("participants", participants)):
        if value > MAX_COUNT:  # refused beside the field it was typed in
            raise Invalid(field, "too_large", f"at most {MAX_COUNT:,} sessions or participants in one period")
    if not 0 <= adherence <= 1:
        raise Invalid("adherence", "adherence_range",
                      f"adherence is a share of the protocol followed, 0–1 (e.g. 0.85), not {adherence}")
    if sessions_held < 0 or sessions_planned < 0 or participants < 0 or sessions_held > sessions_planned:
        raise Invalid("sessions_held", "counts",
                      "sessions and participants are counts, and sessions held cannot exceed sessions planned")
    entry = ImplementationRecord(area_id=area_id, programme_id=programme_id, period_end=period_end,
                                 sessions_planned=sessions_planned, sessions_held=sessions_held,
                                 participants=participants, adherence=adherence, recorded_on=as_of,
                                 recorded_by=person.id, note=note)
    session.add(entry)
    low = adherence < programme.fidelity.min_adherence
    record(session, [NewEvent("implementation", person.id, as_of, area_id, programme_id, None,
                              f"{sessions_held}/{sessions_planned} sessions, {participants} participants, "
                              f"adherence {adherence:.0%}" + (" (LOW)" if low else ""), note)])
    return entry, low
