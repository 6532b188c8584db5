"""Who may download a stored file: those who may see an area whose records name it — a
milestone's evidence, a mandated theme's entry, or the history (which keeps evidence after an
undo). A hash alone opens nothing."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlmodel import col

from ctcflow.core.config import Settings
from ctcflow.core.evidence import file_marker
from db.engine import session_scope
from db.models import Event, MandateEntry, MilestoneInstance


def named_in_area(settings: Settings, area_id: str, sha: str) -> bool:
    pattern = f"%{file_marker(sha)}%"
    with session_scope(settings) as session:
        return bool(session.execute(select(
            exists().where(col(MilestoneInstance.area_id) == area_id, col(MilestoneInstance.evidence).like(pattern))
            | exists().where(col(MandateEntry.area_id) == area_id, col(MandateEntry.evidence).like(pattern))
            | exists().where(col(Event.area_id) == area_id, col(Event.note).like(pattern)))).scalar())
