"""The checks a phase names in phases.yml (``checks:``), each one batch over the open phase
instances that carry it: the områdesteam's sectors, a survey wave from the area, the team's
priority decision, a programme for every priority factor, and how faithfully programmes run."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlmodel import Session, col

from ctcflow.definition.loader import Definitions
from ctcflow.definition.programmes import load_programmes
from ctcflow.definition.survey import load_survey
from ctcflow.engine import asof
from ctcflow.engine.findings import Finding, finding
from ctcflow.engine.marking import analyst, mark_proven
from ctcflow.engine.surveydata import areas_with_wave, latest_decisions
from db.models import (
    ImplementationRecord,
    MilestoneInstance,
    PhaseInstance,
    PlanProgramme,
    SurveySuggestion,
)


def team_sectors(session: Session, defs: Definitions, as_of: date, batch: list[PhaseInstance]) -> list[Finding]:
    wanted = [s.id for s in defs.process.sectors]
    titles = {s.id: s.title.sv for s in defs.process.sectors}
    found = []
    for instance in batch:
        area = defs.org.area(instance.area_id)
        have = area.sectors_represented(as_of) if area else set()
        missing = [titles[s] for s in wanted if s not in have]
        if missing:
            found.append(finding(instance, "team_sectors", defs.process.area_lead, False, missing=missing))
    return found




def survey_wave(session: Session, defs: Definitions, as_of: date, batch: list[PhaseInstance]) -> list[Finding]:
    """A wave covering the area completes the analysis milestones it proves; without one, the
    analysfunktionen hears what is missing and by when. Three queries for the whole batch."""

    survey = load_survey()
    proves = survey.milestones.wave_done
    mi = MilestoneInstance
    open_rows = session.execute(select(col(mi.phase_instance_id), col(mi.milestone_id), col(mi.due_date)).where(
        col(mi.phase_instance_id).in_([i.id for i in batch]), col(mi.milestone_id).in_(proves),
        asof.still_open_sql())).all()
    waiting: dict[int, dict[str, date | None]] = {}
    for phase_instance_id, milestone_id, due in open_rows:
        waiting.setdefault(phase_instance_id, {})[milestone_id] = due
    batch = [i for i in batch if i.id in waiting]  # nothing left for the survey to prove elsewhere
    if not batch:
        return []
    any_wave = areas_with_wave(session, sorted({i.area_id for i in batch}), until=as_of)
    found = []
    for instance in batch:
        # a revision needs a wave newer than the phase it revises; the first analysis, any wave
        wave = any_wave.get(instance.area_id)
        if wave and instance.cycle > 1:
            wave = areas_with_wave(session, [instance.area_id], instance.opened_on, as_of).get(instance.area_id)
        if wave:
            mark_proven(session, defs, list(proves), [instance.area_id], by=analyst(defs, as_of), as_of=as_of,
                        evidence=f"CTC-enkät {wave}", note="registrerad av ctcflow från enkätdata")
            continue
        due = waiting[instance.id or 0].get(proves[0]) if proves else None
        told = defs.process.role_of("analyst") or defs.process.coordinator
        found.append(finding(instance, "survey_wave", told, False, due=due.isoformat() if due else None))
    return found




def priority_decision(session: Session, defs: Definitions, as_of: date, batch: list[PhaseInstance]) -> list[Finding]:
    """The gate needs the team's recorded choice (2–5 factors, enforced when recorded) made in
    this phase; until then the team is reminded of the suggestion."""
    decisions = latest_decisions(session, [i.area_id for i in batch])
    found = []
    for instance in batch:
        decision = decisions.get(instance.area_id)
        if decision is not None and instance.opened_on <= decision.decided_on <= as_of:
            continue
        suggested = session.execute(select(col(SurveySuggestion.factor_id)).where(
            col(SurveySuggestion.area_id) == instance.area_id).order_by(col(SurveySuggestion.wave_id).desc(),
                                                                   col(SurveySuggestion.rank))).scalars().all()
        latest = list(dict.fromkeys(suggested))[:5]
        found.append(finding(instance, "priority_decision", defs.process.area_team, True, suggested=latest))
    return found


def programme_coverage(session: Session, defs: Definitions, as_of: date,
                       batch: list[PhaseInstance]) -> list[Finding]:
    """Every decided priority factor needs at least one programme in the plan."""
    decisions = latest_decisions(session, [i.area_id for i in batch])
    chosen: dict[int, set[str]] = {}
    for phase_instance_id, factor_id in session.execute(
            select(col(PlanProgramme.phase_instance_id), col(PlanProgramme.factor_id))
            .where(col(PlanProgramme.phase_instance_id).in_([i.id for i in batch]))):
        chosen.setdefault(phase_instance_id, set()).add(factor_id)
    found = []
    for instance in batch:
        decision = decisions.get(instance.area_id)
        if decision is None:
            found.append(finding(instance, "programme_coverage", defs.process.area_team, True, no_decision=True,
                                  uncovered=[]))
            continue
        uncovered = [f for f in decision.factors.split(",") if f not in chosen.get(instance.id or 0, set())]
        if uncovered:
            found.append(finding(instance, "programme_coverage", defs.process.area_team, True, no_decision=False,
                                  uncovered=uncovered))
    return found


def fidelity(session: Session, defs: Definitions, as_of: date, batch: list[PhaseInstance]) -> list[Finding]:
    """The latest record of each programme in the area, flagged below its protocol's minimum;
    an area that has reported every programme of its plan has followed fidelity up (the
    catalogue's ``fidelity_milestone``, marked with the periods as evidence)."""
    catalogue = load_programmes()
    by_area = {i.area_id: i for i in batch}
    latest: dict[tuple[str, str], ImplementationRecord] = {}
    for record in session.execute(select(ImplementationRecord).where(
            col(ImplementationRecord.area_id).in_(list(by_area)), col(ImplementationRecord.recorded_on) <= as_of)
            .order_by(col(ImplementationRecord.period_end), col(ImplementationRecord.id))).scalars():
        latest[(record.area_id, record.programme_id)] = record
    if catalogue.fidelity_milestone:
        _fidelity_followed(session, defs, catalogue.fidelity_milestone, latest, as_of)
    found = []
    for (area_id, programme_id), record in sorted(latest.items()):
        programme = catalogue.programme(programme_id)
        if programme and record.adherence < programme.fidelity.min_adherence:
            found.append(finding(by_area[area_id], "fidelity", defs.process.area_lead, False, programme=programme.name,
                                  adherence=record.adherence, minimum=programme.fidelity.min_adherence,
                                  period_end=record.period_end.isoformat()))
    return found


def _fidelity_followed(session: Session, defs: Definitions, milestone_id: str,
                       latest: dict[tuple[str, str], ImplementationRecord], as_of: date) -> None:
    """Each area whose plan's programmes all have a reported period: the milestone is proven, in
    the name of whoever reported the newest period (their own area's work)."""
    areas = sorted({area_id for area_id, _ in latest})
    planned: dict[str, set[str]] = {}
    for area_id, programme_id in session.execute(select(col(PlanProgramme.area_id), col(PlanProgramme.programme_id))
                                                 .where(col(PlanProgramme.area_id).in_(areas))):
        planned.setdefault(area_id, set()).add(programme_id)
    catalogue = load_programmes()
    for area_id in areas:
        reported = {p: r for (a, p), r in latest.items() if a == area_id}
        if not planned.get(area_id) or not planned[area_id] <= set(reported):
            continue
        newest = max(reported.values(), key=lambda r: (r.recorded_on, r.id or 0))
        names = {p.id: p.name for p in catalogue.programmes}
        periods = ", ".join(f"{names.get(p, p)} {r.period_end}" for p, r in sorted(reported.items()))
        mark_proven(session, defs, [milestone_id], [area_id], by=newest.recorded_by, as_of=as_of,
                    evidence=f"Genomförande redovisat: {periods}", note="registrerad av ctcflow från genomförandet")


CHECKS = {"team_sectors": team_sectors, "survey_wave": survey_wave, "priority_decision": priority_decision,
          "programme_coverage": programme_coverage, "fidelity": fidelity}
