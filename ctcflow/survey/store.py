"""Waves, results and suggestions in the database. Saving a wave replaces it in the caller's
transaction, so a re-import is all or nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import delete, insert, select
from sqlmodel import Session, col

from ctcflow.core.flat import flat
from ctcflow.survey.analysis import Candidate, Screened
from ctcflow.survey.reading import SurveyData
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

    respondents: int
    per_area: dict[str, int] | None  # answers per area; None: imported before they were counted
    published: set[str]  # the areas it has published cells for
    scored_with: str | None


def stored_wave(session: Session, wave_id: str) -> StoredWave | None:
    row = session.get(SurveyWave, wave_id)
    if row is None:
        return None
    areas = set(session.execute(select(col(SurveyResult.area_id)).distinct()
                                .where(col(SurveyResult.wave_id) == wave_id, col(SurveyResult.area_id) != ""))
                .scalars())
    per_area = json.loads(row.area_respondents) if row.area_respondents else None
    return StoredWave(row.respondents, per_area, areas, row.scored_with)


def answers_removed(before: StoredWave, per_area: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Area → (answers before, after) for every area a re-import takes answers from."""
    return {area: (had, per_area.get(area, 0)) for area, had in sorted((before.per_area or {}).items())
            if per_area.get(area, 0) < had}


@dataclass(frozen=True)
class Loss:
    """What a re-import would take from a wave beyond the tolerance: ``where`` an area's id, or
    '' for the whole city (a wave from before answers were counted per area)."""

    where: str
    had: int
    has: int

    def said(self, name: Callable[[str], str] = str) -> str:
        place = name(self.where) if self.where else "the wave"
        if self.has == 0:
            return f"every answer from {place}" + (f" ({self.had})" if self.had else "")
        return f"{self.had - self.has} of {place}'s {self.had} answers ({(self.had - self.has) / self.had:.0%})"


def what_would_go(before: StoredWave, respondents: int, per_area: dict[str, int], published: set[str],
                  city_share: float, area_share: float) -> list[Loss]:
    """What replacing a wave with a new file would lose beyond the tolerance: any area losing more
    than ``area_share`` of its answers, or all of them. Empty: the file may replace it. A wave
    from before answers were counted per area is judged by the city's count and its areas."""
    if before.per_area is None:
        losses = [Loss(area, 0, 0) for area in sorted(before.published - published)]  # how many: not counted
        if respondents < before.respondents * (1 - city_share):
            losses.insert(0, Loss("", before.respondents, respondents))
        return losses
    return [Loss(area, had, has) for area, (had, has) in answers_removed(before, per_area).items()
            if has == 0 or has < had * (1 - area_share)]


def per_area(data: SurveyData) -> dict[str, int]:
    """The pupils of each CTC area in an export."""
    counts = data.frame.loc[data.frame["area_id"] != "", "area_id"].value_counts()
    return {str(area): int(n) for area, n in counts.items()}


def save_wave(session: Session, wave_id: str, as_of: date, data: SurveyData, sha256: str, screened: Screened,
              table: pd.DataFrame, candidates: list[Candidate], scoring: dict[str, Any]) -> SurveyWave:
    """The wave's row is corrected in place, never deleted: the priority decisions that rest on a
    wave keep pointing at it when its export is corrected."""
    session.execute(delete(SurveySuggestion).where(col(SurveySuggestion.wave_id) == wave_id))
    session.execute(delete(SurveyResult).where(col(SurveyResult.wave_id) == wave_id))
    fields: dict[str, Any] = dict(
        area_respondents=json.dumps(per_area(data), sort_keys=True), scored_with=json.dumps(scoring, sort_keys=True),
        as_of=as_of, imported_at=datetime.now(tz=UTC), source=data.source.name, sha256=sha256,
        respondents=len(data.frame), valid=int(screened.valid.sum()),
        excluded_fictitious=screened.excluded["fictitious_drug"],
        excluded_implausible=screened.excluded["implausible"],
        excluded_inconsistent=screened.excluded["inconsistent"],
        outside_areas=sum(data.outside_areas.values()))
    wave = session.get(SurveyWave, wave_id)
    if wave is None:
        wave = SurveyWave(id=wave_id, **fields)
        session.add(wave)
    else:
        for name, value in fields.items():
            setattr(wave, name, value)
    session.flush()
    published = table[~table["suppressed"]].rename(columns={"kon": "gender"}).assign(wave_id=wave_id)
    rows = published[["wave_id", "area_id", "grade_group", "gender", "measure", "n", "count"]]
    records = rows.astype({"n": int, "count": int}).to_dict("records")
    for start in range(0, len(records), CHUNK):
        session.execute(insert(SurveyResult), records[start:start + CHUNK])
    if candidates:
        session.execute(insert(SurveySuggestion), [{**flat(c), "wave_id": wave_id} for c in candidates])
    return wave


def decisions_on(session: Session, wave_id: str) -> list[PriorityDecision]:
    """The priority decisions that rest on a wave."""
    return list(session.execute(select(PriorityDecision).where(col(PriorityDecision.wave_id) == wave_id)
                                .order_by(col(PriorityDecision.area_id))).scalars())


def suggestions(session: Session, wave_id: str, area_id: str) -> list[SurveySuggestion]:
    return list(session.execute(select(SurveySuggestion).where(
        col(SurveySuggestion.wave_id) == wave_id, col(SurveySuggestion.area_id) == area_id)
        .order_by(col(SurveySuggestion.rank))).scalars())
