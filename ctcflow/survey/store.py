"""Waves, results and suggestions in the database. Saving a wave replaces it in the caller's
transaction, so a re-import is all or nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import delete, insert, select
from sqlmodel import Session, col

from ctcflow.core.flat import flat
from ctcflow.survey.analysis import Candidate, Screened
from ctcflow.survey.reading import SurveyData
from db.models import SurveyResult, SurveySuggestion, SurveyWave

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


def stored_wave(session: Session, wave_id: str) -> tuple[int, set[str]] | None:
    """A wave already imported under ``wave_id``: its answers and the areas it has published cells for."""
    respondents = session.execute(select(col(SurveyWave.respondents)).where(col(SurveyWave.id) == wave_id)).scalar()
    if respondents is None:
        return None
    areas = set(session.execute(select(col(SurveyResult.area_id)).distinct()
                                .where(col(SurveyResult.wave_id) == wave_id, col(SurveyResult.area_id) != ""))
                .scalars())
    return int(respondents), areas


def what_would_go(before: tuple[int, set[str]], respondents: int, areas: set[str], share: float,
                  name: Callable[[str], str] = str) -> list[str]:
    """What replacing a wave with a new file would lose: answers beyond ``share`` of them, and
    every area it had and the file has not. Empty: the file may replace it."""
    had, had_areas = before
    losses = []
    if respondents < had * (1 - share):
        losses.append(f"{had - respondents} of its {had} answers ({(had - respondents) / had:.0%})")
    gone = sorted(name(area) for area in had_areas - areas)
    if gone:
        losses.append(f"every answer from {', '.join(gone)}")
    return losses


def save_wave(session: Session, wave_id: str, as_of: date, data: SurveyData, sha256: str, screened: Screened,
              table: pd.DataFrame, candidates: list[Candidate]) -> SurveyWave:
    session.execute(delete(SurveySuggestion).where(col(SurveySuggestion.wave_id) == wave_id))
    session.execute(delete(SurveyResult).where(col(SurveyResult.wave_id) == wave_id))
    session.execute(delete(SurveyWave).where(col(SurveyWave.id) == wave_id))
    wave = SurveyWave(
        id=wave_id, as_of=as_of, imported_at=datetime.now(tz=UTC), source=data.source.name, sha256=sha256,
        respondents=len(data.frame), valid=int(screened.valid.sum()),
        excluded_fictitious=screened.excluded["fictitious_drug"],
        excluded_implausible=screened.excluded["implausible"],
        excluded_inconsistent=screened.excluded["inconsistent"],
        outside_areas=sum(data.outside_areas.values()))
    session.add(wave)
    session.flush()
    published = table[~table["suppressed"]].rename(columns={"kon": "gender"}).assign(wave_id=wave_id)
    rows = published[["wave_id", "area_id", "grade_group", "gender", "measure", "n", "count"]]
    records = rows.astype({"n": int, "count": int}).to_dict("records")
    for start in range(0, len(records), CHUNK):
        session.execute(insert(SurveyResult), records[start:start + CHUNK])
    if candidates:
        session.execute(insert(SurveySuggestion), [{**flat(c), "wave_id": wave_id} for c in candidates])
    return wave


def suggestions(session: Session, wave_id: str, area_id: str) -> list[SurveySuggestion]:
    return list(session.execute(select(SurveySuggestion).where(
        col(SurveySuggestion.wave_id) == wave_id, col(SurveySuggestion.area_id) == area_id)
        .order_by(col(SurveySuggestion.rank))).scalars())
