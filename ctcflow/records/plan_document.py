"""The handlingsplan as a document for the styrgrupp: each priority factor with its goals beside
the baseline the survey gave when it was decided, the programmes with who chose them, who runs
them, when and for how much, and what is still uncovered — names, never ids."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlmodel import Session, col

from ctcflow.definition.loader import Definitions
from ctcflow.definition.programmes import CatalogueDef
from ctcflow.definition.survey import SurveyDef
from ctcflow.engine.instances import Refused, latest_phase_instance
from ctcflow.engine.surveydata import latest_decisions
from ctcflow.records.ledger import kronor
from db.models import PlanGoal, PlanProgramme


def plan_context(session: Session, defs: Definitions, survey: SurveyDef, catalogue: CatalogueDef, area_id: str,
                 lang: str) -> dict[str, object]:
    area = defs.org.known_area(area_id)
    instance = latest_phase_instance(session, area_id, defs.process.plan_phase)
    if instance is None:
        raise Refused("no_plan_yet", f"{area_id} has no handlingsplan yet")
    decision = latest_decisions(session, [area_id]).get(area_id)
    factors = decision.factors.split(",") if decision else []
    goals = session.execute(select(PlanGoal).where(col(PlanGoal.phase_instance_id) == instance.id)
                            .order_by(col(PlanGoal.id))).scalars().all()
    chosen = session.execute(select(PlanProgramme).where(col(PlanProgramme.phase_instance_id) == instance.id)
                             .order_by(col(PlanProgramme.id))).scalars().all()
    baselines = _baselines(session, defs, survey, area_id, decision.wave_id, decision.decided_on) if decision else {}
    sections = []
    for factor_id in factors:
        picked = [(c, catalogue.programme(c.programme_id)) for c in chosen if c.factor_id == factor_id]
        sections.append({
            "factor": survey.measure_title(factor_id, lang),
            # where the goal starts from: the survey the priority was decided on
            "baseline": baselines.get(factor_id),
            "goals": [g.target for g in goals if g.subject == factor_id],
            "programmes": [{"name": p.name, "description": p.description.get(lang), "age": p.age_group.get(lang),
                            "evidence": p.evidence.get(lang), "source": p.source,
                            "fidelity": p.fidelity.measures, "min_adherence": p.fidelity.min_adherence,
                            "chosen_on": c.chosen_on, "chosen_by": defs.name("person", c.chosen_by, lang),
                            "responsible": c.responsible, "starts_on": c.starts_on, "ends_on": c.ends_on,
                            "budget": kronor(c.budget_ore) if c.budget_ore is not None else None}
                           for c, p in picked if p],
            "options": [p.name for p in catalogue.for_factor(factor_id)]})
    behaviours = [{"subject": survey.measure_title(g.subject, lang), "target": g.target}
                  for g in goals if g.subject not in factors]
    budgets = [c.budget_ore for c in chosen if c.budget_ore is not None]
    return {"area": area.name, "budget_total": kronor(sum(budgets)) if budgets else None,
            "budget_missing": sum(1 for c in chosen if c.budget_ore is None), "area_id": area_id,
            "cycle": instance.cycle, "opened_on": instance.opened_on,
            "approved_on": instance.completed_on, "decision": decision, "sections": sections,
            "behaviours": behaviours, "uncovered": [s["factor"] for s in sections if not s["programmes"]],
            "municipality": defs.org.municipality,
            "decided_by": defs.name("person", decision.decided_by, lang) if decision else "",
            "budget_milestone": _named_milestone(defs, "budget_handover", lang)}


def _named_milestone(defs: Definitions, purpose: str, lang: str) -> str | None:
    milestone = defs.process.milestone_for(purpose)
    return defs.name("milestone", milestone, lang) if milestone else None


def _baselines(session: Session, defs: Definitions, survey: SurveyDef, area_id: str, wave_id: str,
               decided_on: date) -> dict[str, dict[str, object]]:
    """Each measure's published share in the area and its comparison at the survey the priority
    was decided on, and in the newest survey since — what a goal is measured from."""
    from ctcflow.survey.evaluation import area_effects  # pandas: only when a plan is printed

    found: dict[str, dict[str, object]] = {}
    for effects in area_effects(session, defs.org, survey, date.max, [area_id]):
        for effect in effects.effects:
            shares = {wave: (share, other) for wave, share, other in effect.shares}
            if wave_id in shares:
                newest = max(shares)
                found[effect.measure] = {"wave": wave_id, "area": shares[wave_id][0], "other": shares[wave_id][1],
                                         "comparison": effect.comparison,
                                         "newest": (newest, shares[newest][0]) if newest != wave_id else None}
    return found
