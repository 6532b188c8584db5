"""The survey's use cases for the command line and the flows: import a wave (read, screen,
analyse, store, mark the milestones it proves), record the team's decision, calibrate."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from ctcflow.definitions import Definitions, load_definitions
from ctcflow.errors import CtcError
from ctcflow.eventlog import NewEvent, record
from ctcflow.progress import SYSTEM, actor, latest_phase_instance, mark_done
from ctcflow.survey.analysis import (
    ALL,
    CITY,
    Candidate,
    calibrate,
    cell_table,
    measure_flags,
    screen,
    suggest,
    suppress,
)
from ctcflow.survey.definition import SurveyDef, load_survey
from ctcflow.survey.reading import read_survey
from ctcflow.survey.store import previous_wave, results_frame, save_wave
from db.engine import require_current_schema, session_scope
from db.models import MilestoneInstance, PriorityDecision, SurveyWave


@dataclass
class WaveReport:
    wave: SurveyWave
    previous: str | None
    candidates: list[Candidate]
    areas_with_answers: list[str]
    milestones_done: list[tuple[str, str]] = field(default_factory=list)  # (area, milestone)
    milestones_waiting: list[tuple[str, str, str]] = field(default_factory=list)  # (area, milestone, why)
    outside_areas: dict[str, int] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)


def _check_milestones(survey: SurveyDef, defs: Definitions) -> None:
    named = [*survey.milestones.wave_done, *([survey.milestones.decision] if survey.milestones.decision else [])]
    unknown = [m for m in named if defs.milestone(m) is None]
    if unknown:
        raise CtcError(f"survey.yml names milestones that phases.yml does not have: {', '.join(unknown)}")


def import_wave(wave_id: str, path: Path, as_of: date) -> WaveReport:
    """All or nothing: a file with any problem raises InputFileError and changes nothing."""
    defs, survey = load_definitions(), load_survey()
    _check_milestones(survey, defs)
    require_current_schema()
    data = read_survey(path, survey, defs.org)
    screened = screen(data.frame, survey)
    valid = data.frame[screened.valid]
    table = suppress(cell_table(valid, measure_flags(valid, survey)), survey.min_cell)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    with session_scope() as session:
        before = previous_wave(session, wave_id)
        candidates = suggest(table, results_frame(session, before) if before else None, survey)
        wave = save_wave(session, wave_id, as_of, data, sha256, screened, table, candidates)
        answered = table[(table["area_id"] != CITY) & (table["grade_group"] == ALL) & (table["kon"] == ALL)
                         & (table["n"] >= survey.min_cell)]["area_id"].unique().tolist()
        report = WaveReport(wave, before, candidates, sorted(answered), outside_areas=data.outside_areas,
                            ignored_columns=data.ignored_columns)
        report.milestones_done, report.milestones_waiting = mark_wave_milestones(
            session, defs, survey, wave_id, report.areas_with_answers, as_of)
        record(session, [NewEvent("survey_imported", SYSTEM, as_of, None, wave_id, None,
                                  f"{wave.respondents} answers, {wave.valid} valid, {path.name} sha256:{sha256[:12]}")])
    return report


def _analyst(defs: Definitions, as_of: date) -> str:
    people = defs.org.people_with_role("analysfunktionen", as_of, None)
    return people[0].id if people else SYSTEM


def mark_wave_milestones(session: Session, defs: Definitions, survey: SurveyDef, wave_id: str, areas: list[str],
                         as_of: date) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """The lägesanalys milestones the wave proves, in areas whose phase is open, with the wave
    as evidence — by the analysfunktionen, who imported it. One still waiting for other work
    (say, the register data) is left open and reported. Returns (done, waiting with why)."""
    done: list[tuple[str, str]] = []
    waiting: list[tuple[str, str, str]] = []
    for area_id in areas:
        for milestone_id in survey.milestones.wave_done:
            located = defs.milestone(milestone_id)
            if located is None:
                continue
            phase = latest_phase_instance(session, area_id, located[0].id)
            if phase is None or phase.completed_on is not None or phase.opened_on > as_of:
                continue
            state = session.execute(select(MilestoneInstance.status).where(
                MilestoneInstance.phase_instance_id == phase.id,
                MilestoneInstance.milestone_id == milestone_id)).scalar()
            if state != "open":
                continue
            try:
                with session.begin_nested():
                    mark_done(session, defs, area_id, milestone_id, by=_analyst(defs, as_of), as_of=as_of,
                              evidence=f"CTC-enkät {wave_id}", note="registrerad av ctcflow från enkätdata")
            except CtcError as exc:
                waiting.append((area_id, milestone_id, str(exc)))
            else:
                done.append((area_id, milestone_id))
    return done, waiting


def record_decision(area_id: str, wave_id: str, factors: list[str], *, by: str, as_of: date,
                    note: str | None) -> tuple[PriorityDecision, str | None]:
    defs, survey = load_definitions(), load_survey()
    require_current_schema()
    with session_scope() as session:
        return decide(session, defs, survey, area_id, wave_id, factors, by=by, as_of=as_of, note=note)


def decide(session: Session, defs: Definitions, survey: SurveyDef, area_id: str, wave_id: str, factors: list[str],
           *, by: str, as_of: date, note: str | None) -> tuple[PriorityDecision, str | None]:
    """The områdesteam's 2–5 priority factors, always recorded; the decision milestone is marked
    done with it when it can be. Returns the decision and, when the milestone was not marked,
    why not."""
    known = {f.id for f in survey.factors}
    unknown = [f for f in factors if f not in known]
    if unknown:
        raise CtcError(f"unknown factors: {', '.join(unknown)}; `ctc survey profile {area_id} --wave {wave_id}` "
                       "lists the factors and the suggestion")
    if not 2 <= len(set(factors)) <= 5 or len(set(factors)) != len(factors):
        raise CtcError(f"choose 2–5 different priority factors (CTC's rule); got {len(factors)}")
    if session.get(SurveyWave, wave_id) is None:
        raise CtcError(f"no survey wave '{wave_id}'; import it with `ctc survey import {wave_id} FILE`")
    person = actor(defs, by, area_id, as_of)
    decision = PriorityDecision(wave_id=wave_id, area_id=area_id, factors=",".join(factors), decided_on=as_of,
                                decided_by=person.id, note=note)
    session.add(decision)
    record(session, [NewEvent("priorities_decided", person.id, as_of, area_id, wave_id, None,
                              ", ".join(factors), note)])
    milestone = survey.milestones.decision
    if not milestone:
        return decision, "survey.yml names no decision milestone"
    try:
        with session.begin_nested():  # a milestone that cannot be marked leaves the decision standing
            mark_done(session, defs, area_id, milestone, by=person.id, as_of=as_of,
                      evidence=f"beslut {as_of}: {', '.join(factors)} (CTC-enkät {wave_id})", note=note)
    except CtcError as exc:
        return decision, str(exc)
    return decision, None


def calibrate_file(path: Path, share: float) -> dict[str, float]:
    defs, survey = load_definitions(), load_survey()
    data = read_survey(path, survey, defs.org)
    screened = screen(data.frame, survey)
    return calibrate(data.frame[screened.valid], survey, share)
