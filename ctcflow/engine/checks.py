"""What each phase checks in the data by itself, for every area at once.

A phase names its checks in phases.yml. Each check is one batch over the open phase instances
that carry it and returns Findings: what is missing, whom to tell, and whether it holds the
gate. Some checks also act on what the data proves (a survey wave completes the analysis
milestones). The gate (engine.approval) asks the blocking checks for the one phase at hand;
the daily flow runs all of them for all areas and tells people through the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, select
from sqlmodel import Session, col

from ctcflow.core.config import get_settings
from ctcflow.core.templating import phrase
from ctcflow.definition.loader import Definitions
from ctcflow.definition.programmes import load_programmes
from ctcflow.definition.survey import load_survey
from ctcflow.engine.asof import phase_open_sql
from ctcflow.engine.eventlog import PHASE_DATA_EVENTS, SYSTEM
from ctcflow.engine.marking import mark_proven
from ctcflow.engine.surveydata import areas_with_wave, latest_decisions
from db.models import (
    Area,
    Event,
    ImplementationRecord,
    MilestoneInstance,
    PhaseInstance,
    PlanProgramme,
    SurveySuggestion,
)

BLOCKING = ("priority_decision", "programme_coverage")


@dataclass(frozen=True)
class Finding:
    area_id: str
    phase_id: str
    cycle: int
    phase_instance_id: int
    check: str
    tell: str  # the role told
    blocks_gate: bool
    details: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "sv") -> str:
        """One line a person can act on (the words are templates/<lang>/findings.yml)."""
        return phrase(get_settings().templates_dir, lang, "findings", self.check, "text", **self.details)


def open_instances(session: Session, as_of: date, area_ids: Iterable[str] | None = None) -> list[PhaseInstance]:
    """Every phase instance open on ``as_of`` in an active area (revision cycles included)."""
    pi = PhaseInstance
    query = (select(pi).join(Area, and_(col(Area.id) == col(pi.area_id), col(Area.active).is_(True)))
             .where(phase_open_sql(as_of)))
    if area_ids is not None:
        query = query.where(col(pi.area_id).in_(list(area_ids)))
    return list(session.execute(query.order_by(col(pi.area_id), col(pi.id))).scalars())


def evaluate(session: Session, defs: Definitions, as_of: date, area_ids: Iterable[str] | None = None,
             only: Iterable[str] | None = None, instances: list[PhaseInstance] | None = None) -> list[Finding]:
    """All findings of the checks (or ``only`` these) over the open phases, a batch per check."""
    instances = instances if instances is not None else open_instances(session, as_of, area_ids)
    wanted = set(only) if only is not None else None
    by_check: dict[str, list[PhaseInstance]] = {}
    for instance in instances:
        for check in defs.process.phase(instance.phase_id).checks:
            if wanted is None or check in wanted:
                by_check.setdefault(check, []).append(instance)
    findings: list[Finding] = []
    for check_id, batch in by_check.items():
        findings += CHECKS[check_id](session, defs, as_of, batch)
    return findings


def _finding(instance: PhaseInstance, check: str, tell: str, blocks: bool, **details: Any) -> Finding:
    assert instance.id is not None
    return Finding(instance.area_id, instance.phase_id, instance.cycle, instance.id, check, tell, blocks, details)


def team_sectors(session: Session, defs: Definitions, as_of: date, batch: list[PhaseInstance]) -> list[Finding]:
    wanted = [s.id for s in defs.process.sectors]
    titles = {s.id: s.title.sv for s in defs.process.sectors}
    found = []
    for instance in batch:
        area = defs.org.area(instance.area_id)
        have = area.sectors_represented(as_of) if area else set()
        missing = [titles[s] for s in wanted if s not in have]
        if missing:
            found.append(_finding(instance, "team_sectors", defs.process.area_lead, False, missing=missing))
    return found




def survey_wave(session: Session, defs: Definitions, as_of: date, batch: list[PhaseInstance]) -> list[Finding]:
    """A wave covering the area completes the analysis milestones it proves; without one, the
    analysfunktionen hears what is missing and by when. Three queries for the whole batch."""

    survey = load_survey()
    proves = survey.milestones.wave_done
    mi = MilestoneInstance
    open_rows = session.execute(select(col(mi.phase_instance_id), col(mi.milestone_id), col(mi.due_date)).where(
        col(mi.phase_instance_id).in_([i.id for i in batch]), col(mi.milestone_id).in_(proves),
        col(mi.status) == "open")).all()
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
        found.append(_finding(instance, "survey_wave", told, False, due=due.isoformat() if due else None))
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
        found.append(_finding(instance, "priority_decision", defs.process.area_team, True, suggested=latest))
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
            found.append(_finding(instance, "programme_coverage", defs.process.area_team, True, no_decision=True,
                                  uncovered=[]))
            continue
        uncovered = [f for f in decision.factors.split(",") if f not in chosen.get(instance.id or 0, set())]
        if uncovered:
            found.append(_finding(instance, "programme_coverage", defs.process.area_team, True, no_decision=False,
                                  uncovered=uncovered))
    return found


def fidelity(session: Session, defs: Definitions, as_of: date, batch: list[PhaseInstance]) -> list[Finding]:
    """The latest record of each programme in the area, flagged below its protocol's minimum."""
    catalogue = load_programmes()
    by_area = {i.area_id: i for i in batch}
    latest: dict[tuple[str, str], ImplementationRecord] = {}
    for record in session.execute(select(ImplementationRecord).where(
            col(ImplementationRecord.area_id).in_(list(by_area)), col(ImplementationRecord.recorded_on) <= as_of)
            .order_by(col(ImplementationRecord.period_end), col(ImplementationRecord.id))).scalars():
        latest[(record.area_id, record.programme_id)] = record
    found = []
    for (area_id, programme_id), record in sorted(latest.items()):
        programme = catalogue.programme(programme_id)
        if programme and record.adherence < programme.fidelity.min_adherence:
            found.append(_finding(by_area[area_id], "fidelity", defs.process.area_lead, False, programme=programme.name,
                                  adherence=record.adherence, minimum=programme.fidelity.min_adherence,
                                  period_end=record.period_end.isoformat()))
    return found


CHECKS = {"team_sectors": team_sectors, "survey_wave": survey_wave, "priority_decision": priority_decision,
          "programme_coverage": programme_coverage, "fidelity": fidelity}


def gate_blockers(session: Session, defs: Definitions, instance: PhaseInstance, as_of: date) -> list[str]:
    """What the data still lacks before this phase may be approved (beyond its milestones)."""
    return [f.text() for f in evaluate(session, defs, as_of, only=BLOCKING, instances=[instance])]










def touched_areas(session: Session, as_of: date) -> set[str]:
    """Areas whose phase data changed on ``as_of`` (a decision, a plan entry, a phase opened …)."""
    touched = set(session.execute(select(col(Event.area_id)).where(
        col(Event.effective_on) == as_of, col(Event.kind).in_(PHASE_DATA_EVENTS))).scalars())
    touched |= set(session.execute(
        select(col(PhaseInstance.area_id)).where(col(PhaseInstance.opened_on) == as_of)).scalars())
    return {a for a in touched if a}


def analyst(defs: Definitions, as_of: date) -> str:
    """Who marks what survey data proves: the analysis function, who imports it (else the system)."""
    role = defs.process.role_of("analyst")
    people = defs.org.people_with_role(role, as_of, None) if role else []
    return people[0].id if people else SYSTEM
