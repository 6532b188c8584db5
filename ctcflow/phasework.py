"""What each phase checks in the data by itself, for every area at once.

A phase names its checks in phases.yml. Each check is one batch over the open phase instances
that carry it and returns Findings: what is missing, whom to tell, and whether it holds the
gate. Some checks also act on what the data proves (a survey wave completes the analysis
milestones). The gate (progress.approve) asks the blocking checks for the one phase at hand;
the daily flow runs all of them for all areas and tells people through the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from ctcflow.definitions import Definitions
from ctcflow.messages import percent
from db.models import (
    Area,
    ImplementationRecord,
    PhaseInstance,
    PlanProgramme,
    PriorityDecision,
    SurveyResult,
    SurveyWave,
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
        """One line a person can act on."""
        d = self.details
        sv = lang != "en"
        if self.check == "team_sectors":
            return (f"Områdesteamet saknar sektorerna: {', '.join(d['missing'])}" if sv
                    else f"The area team lacks the sectors: {', '.join(d['missing'])}")
        if self.check == "survey_wave":
            return ("Ingen enkätomgång med svar från området är importerad" + (f" (enkäten ska vara klar {d['due']})"
                                                                            if d.get("due") else "") if sv
                    else "No survey wave with answers from the area is imported"
                    + (f" (the survey is due {d['due']})" if d.get("due") else ""))
        if self.check == "priority_decision":
            suggested = ", ".join(d.get("suggested") or []) or ("inga" if sv else "none")
            return (f"Områdesteamets beslut om 2–5 prioriterade faktorer saknas (förslag: {suggested})" if sv
                    else f"The area team's decision on 2–5 priority factors is missing (suggested: {suggested})")
        if self.check == "programme_coverage":
            if d.get("no_decision"):
                return ("Handlingsplanen saknar beslutade prioriterade faktorer" if sv
                        else "The action plan has no decided priority factors")
            return (f"Prioriterade faktorer utan program i handlingsplanen: {', '.join(d['uncovered'])}" if sv
                    else f"Priority factors without a programme in the plan: {', '.join(d['uncovered'])}")
        if self.check == "fidelity":
            adherence, minimum = percent(d["adherence"], lang), percent(d["minimum"], lang)
            return (f"Låg programtrohet i {d['programme']}: {adherence} (lägst {minimum})" if sv
                    else f"Low fidelity in {d['programme']}: {adherence} (minimum {minimum})")
        return self.check


def open_instances(session: Session, as_of: date, area_ids: Iterable[str] | None = None) -> list[PhaseInstance]:
    """Every phase instance open on ``as_of`` in an active area (revision cycles included)."""
    pi = PhaseInstance
    query = (select(pi).join(Area, and_(Area.id == pi.area_id, Area.active.is_(True)))
             .where(pi.opened_on <= as_of, or_(pi.completed_on.is_(None), pi.completed_on > as_of)))
    if area_ids is not None:
        query = query.where(pi.area_id.in_(list(area_ids)))
    return list(session.execute(query.order_by(pi.area_id, pi.id)).scalars())


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
            found.append(_finding(instance, "team_sectors", "utvecklingsledare", False, missing=missing))
    return found


def areas_with_wave(session: Session, area_ids: list[str], since: date | None = None,
                    until: date | None = None) -> dict[str, str]:
    """Area → the latest wave with published answers from it (imported between ``since`` and
    ``until``, inclusive)."""
    query = (select(SurveyResult.area_id, func.max(SurveyResult.wave_id))
             .join(SurveyWave, SurveyWave.id == SurveyResult.wave_id)
             .where(SurveyResult.area_id.in_(area_ids), SurveyResult.grade_group == "*", SurveyResult.gender == "*")
             .group_by(SurveyResult.area_id))
    if since is not None:
        query = query.where(SurveyWave.as_of >= since)
    if until is not None:
        query = query.where(SurveyWave.as_of <= until)
    return dict(session.execute(query).tuples().all())


def survey_wave(session: Session, defs: Definitions, as_of: date, batch: list[PhaseInstance]) -> list[Finding]:
    """A wave covering the area completes the analysis milestones it proves; without one, the
    analysfunktionen hears what is missing and by when. Three queries for the whole batch."""
    from ctcflow.survey.definition import load_survey
    from ctcflow.survey.service import mark_wave_milestones
    from db.models import MilestoneInstance

    survey = load_survey()
    proves = survey.milestones.wave_done
    open_rows = session.execute(select(MilestoneInstance.phase_instance_id, MilestoneInstance.milestone_id,
                                       MilestoneInstance.due_date).where(
        MilestoneInstance.phase_instance_id.in_([i.id for i in batch]), MilestoneInstance.milestone_id.in_(proves),
        MilestoneInstance.status == "open")).all()
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
            mark_wave_milestones(session, defs, survey, wave, [instance.area_id], as_of)
            continue
        due = waiting[instance.id or 0].get(proves[0]) if proves else None
        found.append(_finding(instance, "survey_wave", "analysfunktionen", False, due=due.isoformat() if due else None))
    return found


def latest_decisions(session: Session, area_ids: list[str]) -> dict[str, PriorityDecision]:
    rows = session.execute(select(PriorityDecision).where(PriorityDecision.area_id.in_(area_ids))
                           .order_by(PriorityDecision.id)).scalars()
    return {d.area_id: d for d in rows}


def priority_decision(session: Session, defs: Definitions, as_of: date, batch: list[PhaseInstance]) -> list[Finding]:
    """The gate needs the team's recorded choice (2–5 factors, enforced when recorded) made in
    this phase; until then the team is reminded of the suggestion."""
    from db.models import SurveySuggestion

    decisions = latest_decisions(session, [i.area_id for i in batch])
    found = []
    for instance in batch:
        decision = decisions.get(instance.area_id)
        if decision is not None and instance.opened_on <= decision.decided_on <= as_of:
            continue
        suggested = session.execute(select(SurveySuggestion.factor_id).where(
            SurveySuggestion.area_id == instance.area_id).order_by(SurveySuggestion.wave_id.desc(),
                                                                   SurveySuggestion.rank)).scalars().all()
        latest = list(dict.fromkeys(suggested))[:5]
        found.append(_finding(instance, "priority_decision", "omradesteam", True, suggested=latest))
    return found


def programme_coverage(session: Session, defs: Definitions, as_of: date,
                       batch: list[PhaseInstance]) -> list[Finding]:
    """Every decided priority factor needs at least one programme in the plan."""
    decisions = latest_decisions(session, [i.area_id for i in batch])
    chosen: dict[int, set[str]] = {}
    for phase_instance_id, factor_id in session.execute(
            select(PlanProgramme.phase_instance_id, PlanProgramme.factor_id)
            .where(PlanProgramme.phase_instance_id.in_([i.id for i in batch]))):
        chosen.setdefault(phase_instance_id, set()).add(factor_id)
    found = []
    for instance in batch:
        decision = decisions.get(instance.area_id)
        if decision is None:
            found.append(_finding(instance, "programme_coverage", "omradesteam", True, no_decision=True))
            continue
        uncovered = [f for f in decision.factors.split(",") if f not in chosen.get(instance.id or 0, set())]
        if uncovered:
            found.append(_finding(instance, "programme_coverage", "omradesteam", True, uncovered=uncovered))
    return found


def fidelity(session: Session, defs: Definitions, as_of: date, batch: list[PhaseInstance]) -> list[Finding]:
    """The latest record of each programme in the area, flagged below its protocol's minimum."""
    from ctcflow.programmes import load_programmes

    catalogue = load_programmes()
    by_area = {i.area_id: i for i in batch}
    latest: dict[tuple[str, str], ImplementationRecord] = {}
    for record in session.execute(select(ImplementationRecord).where(
            ImplementationRecord.area_id.in_(list(by_area)), ImplementationRecord.recorded_on <= as_of)
            .order_by(ImplementationRecord.period_end, ImplementationRecord.id)).scalars():
        latest[(record.area_id, record.programme_id)] = record
    found = []
    for (area_id, programme_id), record in sorted(latest.items()):
        programme = catalogue.programme(programme_id)
        if programme and record.adherence < programme.fidelity.min_adherence:
            found.append(_finding(by_area[area_id], "fidelity", "utvecklingsledare", False, programme=programme.name,
                                  adherence=record.adherence, minimum=programme.fidelity.min_adherence,
                                  period_end=record.period_end.isoformat()))
    return found


CHECKS = {"team_sectors": team_sectors, "survey_wave": survey_wave, "priority_decision": priority_decision,
          "programme_coverage": programme_coverage, "fidelity": fidelity}


def gate_blockers(session: Session, defs: Definitions, instance: PhaseInstance, as_of: date) -> list[str]:
    """What the data still lacks before this phase may be approved (beyond its milestones)."""
    return [f.text() for f in evaluate(session, defs, as_of, only=BLOCKING, instances=[instance])]


def open_revisions(session: Session, defs: Definitions, as_of: date,
                   area_ids: Iterable[str] | None = None) -> list[PhaseInstance]:
    """A survey wave newer than an area's last analysis reopens the phases it revises (a new
    cycle of lägesanalys → prioritering → handlingsplan) while uppföljning goes on; the earlier
    cycles stay as they were."""
    from ctcflow.progress import _open_phase

    revised = [p for p in defs.process.phases if p.revised_by_survey]
    last = defs.process.phases[-1]
    if not revised or last.revised_by_survey:
        return []
    first = revised[0]
    pi = PhaseInstance
    query = select(pi.area_id, pi.phase_id, pi.cycle, pi.opened_on, pi.completed_on).where(
        pi.phase_id.in_([first.id, last.id]), pi.opened_on <= as_of)
    if area_ids is not None:
        query = query.where(pi.area_id.in_(list(area_ids)))
    latest_first: dict[str, tuple[int, date, date | None]] = {}
    following: set[str] = set()
    for area_id, phase_id, cycle, opened_on, completed_on in session.execute(query):
        if phase_id == last.id:
            following.add(area_id)
        elif area_id not in latest_first or cycle > latest_first[area_id][0]:
            latest_first[area_id] = (cycle, opened_on, completed_on)
    if session.execute(select(SurveyWave.id).where(SurveyWave.as_of <= as_of)).first() is None:
        return []
    opened = []
    for area_id in sorted(following):
        cycle, _opened_on, completed_on = latest_first.get(area_id, (0, as_of, None))
        if completed_on is None:
            continue  # the analysis is still open (or never ran): nothing to revise yet
        if areas_with_wave(session, [area_id], since=completed_on + timedelta(days=1), until=as_of):
            opened.append(_open_phase(session, defs, area_id, first.id, cycle + 1, as_of))
    return opened


HEADLINES = {
    "team_sectors": ("sektorer saknas i områdesteamet", "sectors missing in the area team"),
    "survey_wave": ("enkätdata saknas", "survey data missing"),
    "priority_decision": ("beslut om prioriterade faktorer saknas", "decision on priority factors missing"),
    "programme_coverage": ("program saknas för prioriterade faktorer", "programmes missing for priority factors"),
    "fidelity": ("låg programtrohet", "low programme fidelity"),
}
HOW = {
    "team_sectors": ("lägg till medlemmar från sektorerna i areas.yml (team_sectors, eller personer med sector)",
                     "add members from those sectors in areas.yml (team_sectors, or people with a sector)"),
    "survey_wave": ("importera enkäten: ctc survey import OMGÅNG FIL",
                    "import the survey: ctc survey import WAVE FILE"),
    "priority_decision": ("ctc survey decide {area} --wave OMGÅNG --factors a,b,c --by DITT-ID",
                          "ctc survey decide {area} --wave WAVE --factors a,b,c --by YOUR-ID"),
    "programme_coverage": ("ctc plan programme {area} --factor FAKTOR --programme PROGRAM --by DITT-ID",
                           "ctc plan programme {area} --factor FACTOR --programme PROGRAMME --by YOUR-ID"),
    "fidelity": ("gå igenom genomförandet med programmets handledare och registrera nästa period",
                 "review the delivery with the programme's supervisors and record the next period"),
}


def finding_notices(findings: list[Finding], defs: Definitions, composer: Any, as_of: date) -> list[Any]:
    """A notice per finding and person who holds the role told, at most once a week each."""
    from ctcflow.outbox import Notice

    year, week, _ = as_of.isocalendar()
    notices = []
    for finding in findings:
        phase = defs.process.phase(finding.phase_id)
        people = composer.directory.holders(finding.tell, finding.area_id) \
            or composer.directory.holders("central_samordnare", None)
        subject = finding.details.get("programme", "")
        # low fidelity is told once per recorded period; what is missing, once a week until fixed
        occasion = finding.details["period_end"] if finding.check == "fidelity" else f"{year}-W{week:02d}"
        for person in people:
            english = person.lang == "en"

            def context(person: Any = person, finding: Finding = finding, english: bool = english,
                        phase: Any = phase) -> dict[str, Any]:
                pick = 1 if english else 0
                return {"person": person.name, "area": composer.directory.area_name(finding.area_id),
                        "phase": phase.title.get(person.lang), "cycle": finding.cycle,
                        "headline": HEADLINES[finding.check][pick],
                        "finding": finding.text(person.lang), "blocks_gate": finding.blocks_gate,
                        "how": HOW[finding.check][pick].format(area=finding.area_id),
                        "municipality": defs.org.municipality,
                        "link": composer.links.page(person.id, finding.area_id)}

            notices.append(Notice(
                key=f"{finding.area_id}/{finding.phase_id}#{finding.phase_instance_id}/check-{finding.check}"
                    f"{'-' + subject if subject else ''}/{occasion}/{person.id}",
                kind="phase_check", as_of=as_of, area_id=finding.area_id, recipient=person.id,
                reference=person.notify, lang=person.lang, template="phase_check", context=context,
                phase_instance_id=finding.phase_instance_id))
    return notices


def touched_areas(session: Session, as_of: date) -> set[str]:
    """Areas whose phase data changed on ``as_of`` (a decision, a plan entry, a phase opened …)."""
    from ctcflow.eventlog import PHASE_DATA_EVENTS
    from db.models import Event

    touched = set(session.execute(select(Event.area_id).where(
        Event.effective_on == as_of, Event.kind.in_(PHASE_DATA_EVENTS))).scalars())
    touched |= set(session.execute(select(PhaseInstance.area_id).where(PhaseInstance.opened_on == as_of)).scalars())
    return {a for a in touched if a}
