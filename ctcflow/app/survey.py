"""The survey's use cases for the command line and the flows: import a wave (read, screen,
analyse, store, mark the milestones it proves), record the team's decision, calibrate."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlmodel import col

from ctcflow.app.context import ready
from ctcflow.app.effects import profile_page
from ctcflow.app.people import current_definitions
from ctcflow.core.config import get_settings
from ctcflow.core.errors import CtcError
from ctcflow.definition.loader import Definitions
from ctcflow.definition.survey import SurveyDef, load_survey
from ctcflow.engine.eventlog import SYSTEM, NewEvent, record
from ctcflow.engine.marking import analyst, mark_proven
from ctcflow.survey.analysis import Candidate, calibrate, screen, suggest
from ctcflow.survey.comparison import comparison_words as comparison_words  # the pages name it
from ctcflow.survey.decision import decide
from ctcflow.survey.disclosure import CITY
from ctcflow.survey.publication import Hidden, publish
from ctcflow.survey.reading import read_survey
from ctcflow.survey.scoring import rescored, scored_with
from ctcflow.survey.store import Loss as Loss  # the pages say a loss in their reader's words
from ctcflow.survey.store import (
    answers_removed,
    counted_per_wave,
    decisions_on,
    previous_wave,
    results_frame,
    save_wave,
    stored_wave,
    what_would_go,
)
from db.engine import require_current_schema, session_scope
from db.models import PriorityDecision, SurveyWave


@dataclass
class WaveReport:
    wave: SurveyWave
    previous: str | None
    candidates: list[Candidate]
    areas_with_answers: list[str]
    milestones_done: list[tuple[str, str]] = field(default_factory=list)  # (area, milestone)
    milestones_waiting: list[tuple[str, str, str]] = field(default_factory=list)  # (area, milestone, why)
    read: int = 0  # the file's answers and the valid ones among them: for whoever imports it, never stored
    valid: int = 0
    outside_areas: dict[str, int] = field(default_factory=dict)  # … and the pupils outside the areas
    ignored_columns: list[str] = field(default_factory=list)
    hidden: Hidden = Hidden(0, 0, 0, 0)
    removed: dict[str, tuple[int, int]] = field(default_factory=dict)  # area → answers before, after
    rescored: dict[str, tuple[float, float]] = field(default_factory=dict)  # factor → cut point then, now
    counted: int = 0  # pupils the comparison's published figures count


def _check_milestones(survey: SurveyDef, defs: Definitions) -> None:
    named = [*survey.milestones.wave_done, *([survey.milestones.decision] if survey.milestones.decision else [])]
    unknown = [m for m in named if defs.milestone(m) is None]
    if unknown:
        raise CtcError(f"survey.yml names milestones that phases.yml does not have: {', '.join(unknown)}")


WAVE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,19}$")  # '2023', '2023-ht': a wave's name, sortable
AREA_SHARE = 0.02  # a re-import taking more of an area's answers than this asks for --replace


class WouldLoseData(CtcError):
    """A re-import that would replace a wave with less; the message says what would go, and
    ``losses`` holds it for a page to say in its reader's words."""

    def __init__(self, path: Path, wave_id: str, losses: list[Loss], name: Callable[[str], str]) -> None:
        self.losses, self.name = losses, name
        super().__init__(f"{path.name} would replace wave {wave_id} with less: it would remove "
                         f"{' and '.join(loss.said(name) for loss in losses)}. Nothing was imported. Check that "
                         "this is the whole export; to replace the wave anyway, import again with --replace")


def import_wave(wave_id: str, path: Path, as_of: date, by: str = SYSTEM, *, sheet: str | None = None,
                replace: bool = False) -> WaveReport:
    """All or nothing: a file with any problem raises InputFileError and changes nothing. A wave
    already imported is replaced only by a file that keeps its areas and nearly all its answers
    — or with ``replace``. ``by``: who imported it (the person uploading on the web)."""
    if not WAVE_ID.match(wave_id):
        raise CtcError(f"'{wave_id}' is not a wave's name: use up to 20 letters, digits, - or _ (e.g. 2023)")
    defs, survey = current_definitions(), load_survey()
    _check_milestones(survey, defs)
    require_current_schema()
    data = read_survey(path, survey, defs.org, sheet)
    screened = screen(data.frame, survey)
    valid = data.frame[screened.valid]
    publication = publish(valid, survey)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    with session_scope() as session:
        stored = stored_wave(session, wave_id)
        counts = publication.counted()
        losses = what_would_go(stored, counts, AREA_SHARE) if stored and not replace else []
        if losses:
            raise WouldLoseData(path, wave_id, losses, defs.org.area_name)
        before = previous_wave(session, wave_id)
        scoring = scored_with(survey, get_settings().survey_path)
        earlier = session.get(SurveyWave, before) if before else None
        changed = rescored(earlier.scored_with if earlier else None, scoring)
        previous = results_frame(session, before) if before else None
        if previous is not None and changed:  # scored otherwise: not compared with this wave
            previous = previous[~previous["measure"].isin(changed)]
        # comparison areas are measured, never suggested to or marked; an area too small to be in
        # the comparison has too few answers to stand out from it
        ctc = {a.id for a in defs.org.areas} - publication.apart
        candidates = [c for c in suggest(publication.table, previous, survey) if c.area_id in ctc]
        resting = decisions_on(session, wave_id) if stored else []
        removed = answers_removed(stored, counts) if stored else {}
        wave = save_wave(session, wave_id, as_of, path.name, sha256, screened, publication, candidates, scoring)
        # a decision keeps its wave; what it rests on changed, and its area's history says so
        record(session, [NewEvent("wave_corrected", by, as_of, d.area_id, wave_id, d.decided_on.isoformat(),
                                  f"{path.name} sha256:{sha256[:12]}") for d in resting])
        report = WaveReport(wave, before, candidates, sorted(set(counts) & ctc), read=len(data.frame),
                            valid=len(valid), outside_areas=data.outside_areas, ignored_columns=data.ignored_columns,
                            hidden=publication.hidden, removed=removed, rescored=changed, counted=counts.get(CITY, 0))
        report.milestones_done, report.milestones_waiting = mark_proven(
            session, defs, list(survey.milestones.wave_done), report.areas_with_answers, by=analyst(defs, as_of),
            as_of=as_of, evidence=f"CTC-enkät {wave_id}", note="registrerad av ctcflow från enkätdata")
        record(session, [NewEvent("survey_imported", by, as_of, None, wave_id, None,
                                  f"{path.name} sha256:{sha256[:12]}")])
    return report


def record_decision(area_id: str, wave_id: str, factors: list[str], *, by: str, as_of: date,
                    note: str | None) -> tuple[PriorityDecision, str | None]:
    defs, survey = current_definitions(), load_survey()
    require_current_schema()
    with session_scope() as session:
        return decide(session, defs, survey, area_id, wave_id, factors, by=by, as_of=as_of, note=note)


def calibrate_file(path: Path, share: float) -> dict[str, float]:
    defs, survey = current_definitions(), load_survey()
    data = read_survey(path, survey, defs.org)
    screened = screen(data.frame, survey)
    return calibrate(data.frame[screened.valid], survey, share)


def survey_profile(area_id: str, wave_id: str, lang: str, as_of: date) -> str:
    """An area's områdesprofil of one wave as HTML, its effects as recorded by ``as_of``."""
    defs = ready()
    with session_scope() as session:
        return profile_page(session, defs, get_settings(), area_id, wave_id, lang, as_of)


@dataclass(frozen=True)
class Listed:
    """A wave as lists show it: what it is, and the pupils its published figures count."""

    wave: SurveyWave
    counted: int | None


def survey_waves() -> list[Listed]:
    require_current_schema()
    with session_scope() as session:
        counted = counted_per_wave(session)
        waves = session.execute(select(SurveyWave).order_by(col(SurveyWave.id))).scalars()
        return [Listed(w, counted.get(w.id)) for w in waves]
