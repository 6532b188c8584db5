"""Each area's escalated milestones for a report: every one escalated in the period and every one
from before it still not done on the report's day — first day, the due date it named, to whom,
and when it was done after all — from the outbox's own rows, one set-based query for the city."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from ctcflow.delivery.kinds import NoticeKind
from ctcflow.engine.asof import done_date, open_on_sql
from ctcflow.report.model import AreaFilter, AreaReport, EscalationLine, moved
from ctcflow.report.schedule import Period
from db.models import MilestoneInstance, Notification


def add_escalations(session: Session, areas: dict[str, AreaReport], in_areas: AreaFilter, period: Period,
                 as_of: date) -> None:
    """Escalations the outbox holds for the period — and those from before it still not done on
    the report's day — one line per milestone: first day, the due date it named, to whom, and
    whether (when) the milestone was done after all."""
    n, mi = Notification, MilestoneInstance
    rows = session.execute(
        select(col(n.area_id), col(mi.milestone_id), col(mi.due_date), func.min(col(n.as_of)), col(mi.status),
               col(mi.done_on),
               func.group_concat(col(n.recipient).distinct()) if session.get_bind().dialect.name == "sqlite"
               else func.string_agg(col(n.recipient).distinct(), ","),
               func.min(col(n.due)), col(mi.planned_due_date))
        .join(mi, col(mi.id) == col(n.milestone_instance_id))
        .where(col(n.kind) == NoticeKind.ESCALATION, in_areas(col(n.area_id)), col(n.as_of) <= min(period.end, as_of),
               or_(col(n.as_of) >= period.start, open_on_sql(as_of)))
        .group_by(col(n.area_id), col(mi.id), col(mi.milestone_id), col(mi.due_date), col(mi.status), col(mi.done_on),
                  col(mi.planned_due_date))
        .order_by(col(n.area_id), func.min(col(n.as_of)), col(mi.milestone_id)))
    for area_id, milestone_id, due, first_on, status, done_on, recipients, told_due, first_due in rows:
        area = areas.get(area_id)
        if area is None:
            continue
        resolved = done_date(status, done_on, as_of)
        area.escalations.append(EscalationLine(milestone_id, due, first_on,
                                               tuple(sorted(set((recipients or "").split(",")) - {""})), resolved,
                                               told_due, moved(first_due, due)))
