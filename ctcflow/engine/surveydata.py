"""What the survey tables say about areas, as the engine needs it: which areas a wave covers,
and each area's latest priority decision."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session, col

from db.models import PriorityDecision, SurveyResult, SurveyWave


def areas_with_wave(session: Session, area_ids: list[str], since: date | None = None,
                    until: date | None = None) -> dict[str, str]:
    """Area → the latest wave with published answers from it (imported between ``since`` and
    ``until``, inclusive)."""
    query = (select(col(SurveyResult.area_id), func.max(col(SurveyResult.wave_id)))
             .join(SurveyWave, col(SurveyWave.id) == col(SurveyResult.wave_id))
             .where(col(SurveyResult.area_id).in_(area_ids), col(SurveyResult.grade_group) == "*",
                    col(SurveyResult.gender) == "*")
             .group_by(col(SurveyResult.area_id)))
    if since is not None:
        query = query.where(col(SurveyWave.as_of) >= since)
    if until is not None:
        query = query.where(col(SurveyWave.as_of) <= until)
    return dict(session.execute(query).tuples().all())


def latest_decisions(session: Session, area_ids: list[str]) -> dict[str, PriorityDecision]:
    rows = session.execute(select(PriorityDecision).where(col(PriorityDecision.area_id).in_(area_ids))
                           .order_by(col(PriorityDecision.id))).scalars()
    return {d.area_id: d for d in rows}
