"""Waves, results and suggestions in the database. Saving a wave replaces it in the caller's
transaction, so a re-import is all or nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import delete, func, insert, select
from sqlmodel import Session, col

from ctcflow.core.flat import flat
from ctcflow.survey.analysis import Candidate, Screened
from ctcflow.survey.comparison import AREAS_TOGETHER
from ctcflow.survey.disclosure import ALL, CITY
from ctcflow.survey.publication import Publication, counted
from db.models import PriorityDecision, SurveyResult, SurveySuggestion, SurveyWave

CHUNK = 5000


def previous_wave(session: Session, wave_id: str) -> str | None:
    """The latest wave before ``wave_id`` (wave ids sort: '2019' < '2021' < '2023')."""
    return session.execute(select(col(SurveyWave.id)).where(col(SurveyWave.id) < wave_id)
                           .order_by(col(SurveyWave.id).desc())).scalars().first()


def results_frame(session: Session, wave_id: str, area_id: str | None = None) -> pd.DataFrame:
    """A stored wave in the shape of a fresh analysis table (stored cells are all published)."""
    query = select(col(SurveyResult.area_id), col(SurveyResult.grade_group), col(SurveyResult.gender),
                   col(SurveyResult.measure),
                   col(SurveyResult.n), col(SurveyResult.count)).where(col(SurveyResult.wave_id) == wave_id)
    if area_id is not None:
        query = query.where(col(SurveyResult.area_id).in_([area_id, ""]))
    rows = session.execute(query).all()
    frame = pd.DataFrame(rows, columns=["area_id", "grade_group", "kon", "measure", "n", "count"])
    return frame.assign(suppressed=False)


@dataclass(frozen=True)
class StoredWave:
    """A wave already imported, as far as a re-import needs it."""

    counted: dict[str, int]  # area → the pupils its published figures count (publication.counted)
    scored_with: str | None


def stored_wave(session: Session, wave_id: str) -> StoredWave | None:
    row = session.get(SurveyWave, wave_id)
    if row is None:
        return None
    return StoredWave(counted(results_frame(session, wave_id)), row.scored_with)


def answers_removed(before: StoredWave, after: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Area → (answers before, after) for every area a re-import takes answers from."""
    return {area: (had, after.get(area, 0)) for area, had in sorted(before.counted.items())
            if area != CITY and after.get(area, 0) < had}


@dataclass(frozen=True)
class Loss:
    """What a re-import would take from an area beyond the tolerance."""

    where: str
    had: int
    has: int

    def said(self, name: Callable[[str], str] = str) -> str:
        if self.has == 0:
            return f"every answer from {name(self.where)} ({self.had})"
        lost = self.had - self.has
        return f"{lost} of {name(self.where)}'s {self.had} answers ({lost / self.had:.0%})"


def what_would_go(before: StoredWave, after: dict[str, int], area_share: float) -> list[Loss]:
    """What replacing a wave with a new file would lose beyond the tolerance: any area losing more
    than ``area_share`` of its answers, or all of them. Empty: the file may replace it. Answers
    are counted as the published figures count them, before and after."""
    return [Loss(area, had, has) for area, (had, has) in answers_removed(before, after).items()
            if has == 0 or has < had * (1 - area_share)]


def save_wave(session: Session, wave_id: str, as_of: date, source: str, sha256: str, screened: Screened,
              publication: Publication, candidates: list[Candidate], scoring: dict[str, Any]) -> SurveyWave:
    """The wave's row is corrected in place, never deleted: the priority decisions that rest on a
    wave keep pointing at it when its export is corrected. Only what the publication allows is
    stored: its published cells, and no count of pupils beside them."""
    session.execute(delete(SurveySuggestion).where(col(SurveySuggestion.wave_id) == wave_id))
    session.execute(delete(SurveyResult).where(col(SurveyResult.wave_id) == wave_id))
    fields: dict[str, Any] = dict(
        scored_with=json.dumps(scoring, sort_keys=True), comparison=publication.comparison,
        as_of=as_of, imported_at=datetime.now(tz=UTC), source=source, sha256=sha256,
        excluded_fictitious=screened.excluded["fictitious_drug"],
        excluded_implausible=screened.excluded["implausible"],
        excluded_inconsistent=screened.excluded["inconsistent"])
    wave = session.get(SurveyWave, wave_id)
    if wave is None:
        wave = SurveyWave(id=wave_id, **fields)
        session.add(wave)
    else:
        for name, value in fields.items():
            setattr(wave, name, value)
    session.flush()
    published = publication.published.rename(columns={"kon": "gender"}).assign(wave_id=wave_id)
    rows = published[["wave_id", "area_id", "grade_group", "gender", "measure", "n", "count"]]
    records = rows.astype({"n": int, "count": int}).to_dict("records")
    for start in range(0, len(records), CHUNK):
        session.execute(insert(SurveyResult), records[start:start + CHUNK])
    if candidates:
        session.execute(insert(SurveySuggestion), [{**flat(c), "wave_id": wave_id} for c in candidates])
    return wave


def counted_per_wave(session: Session) -> dict[str, int]:
    """Wave → the pupils its comparison's published figures count (publication.counted), for
    lists of waves: the only count of a wave's pupils anyone is shown after its import."""
    r = SurveyResult
    rows = session.execute(select(col(r.wave_id), func.max(col(r.n))).where(
        col(r.area_id) == CITY, col(r.grade_group) == ALL, col(r.gender) == ALL).group_by(col(r.wave_id))).all()
    return {str(wave): int(n) for wave, n in rows}


def compared_with_areas(session: Session, waves: list[str]) -> bool:
    """Whether any of the waves compared its areas with the areas together, not the whole city."""
    return session.execute(select(col(SurveyWave.id)).where(
        col(SurveyWave.id).in_(waves), col(SurveyWave.comparison) == AREAS_TOGETHER)).first() is not None


def decisions_on(session: Session, wave_id: str) -> list[PriorityDecision]:
    """The priority decisions that rest on a wave."""
    return list(session.execute(select(PriorityDecision).where(col(PriorityDecision.wave_id) == wave_id)
                                .order_by(col(PriorityDecision.area_id))).scalars())


def suggestions(session: Session, wave_id: str, area_id: str) -> list[SurveySuggestion]:
    return list(session.execute(select(SurveySuggestion).where(
        col(SurveySuggestion.wave_id) == wave_id, col(SurveySuggestion.area_id) == area_id)
        .order_by(col(SurveySuggestion.rank))).scalars())
