"""Every start moved in a report's period, with who decided it: a postponement is a decision the
board reads, never a silent rewrite."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel import Session, col

from ctcflow.report.schedule import Period
from db.models import Event


@dataclass(frozen=True)
class StartMove:
    """An area's start moved: a decision, dated, with who made it — never a silent rewrite."""

    area_id: str
    old: str
    new: str
    by: str
    on: date
    note: str | None


def start_moves(session: Session, period: Period, as_of: date, area_ids: list[str] | None) -> list[StartMove]:
    """Every area start moved from the period's start to the report's day, oldest first."""
    e = Event
    query = (select(col(e.area_id), col(e.old), col(e.new), col(e.actor), col(e.effective_on), col(e.note))
             .where(col(e.kind) == "area_start_changed", col(e.effective_on).between(period.start, as_of))
             .order_by(col(e.effective_on), col(e.id)))
    if area_ids is not None:
        query = query.where(col(e.area_id).in_(area_ids))
    return [StartMove(area_id or "", old or "", new or "", actor, on, note)
            for area_id, old, new, actor, on, note in session.execute(query)]
