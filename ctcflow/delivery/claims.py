"""Claiming outbox rows for one delivery run, and the housekeeping before it: taking back the
claims of a run that died, and cancelling notices whose work was done meanwhile."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlmodel import Session, col

from ctcflow.delivery import keys
from ctcflow.delivery.kinds import MILESTONE_KINDS, REPORT_KINDS
from db.engine import rows_affected
from db.models import MilestoneInstance, Notification, PhaseInstance, ReportArchive

LEASE = timedelta(minutes=15)
WAITING = ("pending", "held")  # not sent yet: alone (pending) or in the next brief (held)


def recover_stale(session: Session, now: datetime, lease: timedelta = LEASE) -> int:
    result = session.execute(
        update(Notification)
        .where(col(Notification.status) == "sending", col(Notification.claimed_at) < now - lease)
        .values(status="pending", claim=None, next_attempt_at=now,
                last_error="delivery was interrupted while sending; sent again (may arrive twice)")
    )
    return rows_affected(result)


def cancel_obsolete(session: Session) -> int:
    """Notices about a milestone that has been done (or retired, or whose phase was approved) —
    or about a report that has been sent — since the sweep decided them are not sent: nobody
    should be reminded of finished work."""
    finished_milestones = select(col(MilestoneInstance.id)).where(
        or_(col(MilestoneInstance.status) == "done", col(MilestoneInstance.retired).is_(True)))
    approved_phases = select(col(PhaseInstance.id)).where(col(PhaseInstance.completed_on).is_not(None))
    result = session.execute(
        update(Notification)
        .where(col(Notification.status).in_(WAITING), col(Notification.kind).in_(MILESTONE_KINDS),
               or_(col(Notification.milestone_instance_id).in_(finished_milestones),
                   col(Notification.phase_instance_id).in_(approved_phases)))
        .values(status="cancelled", last_error="done before delivery")
    )
    # the same for a report's reminders and gap notices once the report has gone out
    sent = (select(col(ReportArchive.id)).where(
        col(ReportArchive.sent_on).is_not(None), col(ReportArchive.occasion).is_not(None),
        keys.about_report_sql(col(ReportArchive.report_id), col(ReportArchive.occasion)))
        .exists())
    reports = session.execute(
        update(Notification)
        .where(col(Notification.status).in_(WAITING), col(Notification.kind).in_(REPORT_KINDS), sent)
        .values(status="cancelled", last_error="the report was sent before delivery")
    )
    return rows_affected(result) + rows_affected(reports)


def claim(session: Session, now: datetime, batch: int, only: list[int] | None = None) -> str:
    token = uuid.uuid4().hex
    candidates = (select(col(Notification.id))
                  .where(col(Notification.status) == "pending", col(Notification.next_attempt_at) <= now)
                  .order_by(col(Notification.id)).limit(batch).with_for_update(skip_locked=True))
    if only is not None:
        candidates = candidates.where(col(Notification.id).in_(only))
    session.execute(
        update(Notification)
        .where(and_(col(Notification.id).in_(candidates.scalar_subquery()), col(Notification.status) == "pending"))
        .values(status="sending", claim=token, claimed_at=now)
    )
    return token
