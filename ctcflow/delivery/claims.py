"""Claiming outbox rows for one delivery run, and the housekeeping around it: handing back the
claims of a run that died (ctcflow.delivery.leases says when), handing back what a run claimed
and never sent, and cancelling notices whose work was done meanwhile."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import and_, insert, or_, select, update
from sqlmodel import Session, col

from ctcflow.delivery import keys, leases
from ctcflow.delivery.kinds import MILESTONE_KINDS, REPORT_KINDS
from db.engine import get_engine, rows_affected
from db.models import DeliveryEvent, MilestoneInstance, Notification, PhaseInstance, ReportArchive
from db.statuses import WAITING, MilestoneStatus, NoticeStatus

INTERRUPTED_NOTE = "a delivery run stopped while this message was being handed over: it may arrive twice"
RELEASED_NOTE = "a delivery run stopped before sending this message; handed back (not sent)"


def interrupted_ids(session: Session, now: datetime, ids: list[int] | None = None,
                    mine: str | None = None) -> list[int]:
    """Claims whose run is gone: the lease ran out, or the holder was a process on this machine
    that no longer exists — or was ``mine``, an earlier attempt of this same run (a task retried
    after a database blip), which has ended."""
    n = Notification
    query = select(col(n.id), col(n.lease_until), col(n.claim_holder)).where(col(n.status) == NoticeStatus.SENDING)
    if ids:
        query = query.where(col(n.id).in_(ids))
    gone: dict[str | None, bool] = {}
    found = []
    for id_, lease_until, who in session.execute(query):
        if who not in gone:
            gone[who] = leases.holder_is_gone(who)
        if lease_until is None or lease_until < now or gone[who] or (mine is not None and who == mine):
            found.append(id_)
    return found


def hand_back(session: Session, now: datetime, ids: list[int] | None = None, mine: str | None = None) -> int:
    """Give interrupted claims back to the outbox, due now; what was in flight is marked in the
    row's history as possibly delivered twice, the rest as not sent."""
    found = interrupted_ids(session, now, ids, mine)
    if not found:
        return 0
    n = Notification
    in_flight = set(session.execute(select(col(n.id)).where(col(n.id).in_(found), col(n.in_flight_at).is_not(None)))
                    .scalars())
    taken = list(session.execute(
        update(n).where(col(n.id).in_(found), col(n.status) == NoticeStatus.SENDING)
        .values(status=NoticeStatus.PENDING, claim=None, claim_holder=None, lease_until=None, in_flight_at=None,
                next_attempt_at=now)
        .returning(col(n.id))).scalars())
    if taken:
        session.execute(insert(DeliveryEvent), [
            {"notification_id": i, "at": now, "what": "interrupted" if i in in_flight else "released",
             "detail": INTERRUPTED_NOTE if i in in_flight else RELEASED_NOTE} for i in taken])
    return len(taken)


def cancel_obsolete(session: Session) -> int:
    """Notices about a milestone that has been done (or retired, or whose phase was approved) —
    or about a report that has been sent — since the sweep decided them are not sent: nobody
    should be reminded of finished work."""
    finished_milestones = select(col(MilestoneInstance.id)).where(
        or_(col(MilestoneInstance.status) == MilestoneStatus.DONE, col(MilestoneInstance.retired).is_(True)))
    approved_phases = select(col(PhaseInstance.id)).where(col(PhaseInstance.completed_on).is_not(None))
    result = session.execute(
        update(Notification)
        .where(col(Notification.status).in_(WAITING), col(Notification.kind).in_(MILESTONE_KINDS),
               or_(col(Notification.milestone_instance_id).in_(finished_milestones),
                   col(Notification.phase_instance_id).in_(approved_phases)))
        .values(status=NoticeStatus.CANCELLED, last_error="done before delivery")
    )
    # the same for a report's reminders and gap notices once the report has gone out
    sent = (select(col(ReportArchive.id)).where(
        col(ReportArchive.sent_on).is_not(None), col(ReportArchive.occasion).is_not(None),
        keys.about_report_sql(col(ReportArchive.report_id), col(ReportArchive.occasion)))
        .exists())
    reports = session.execute(
        update(Notification)
        .where(col(Notification.status).in_(WAITING), col(Notification.kind).in_(REPORT_KINDS), sent)
        .values(status=NoticeStatus.CANCELLED, last_error="the report was sent before delivery")
    )
    return rows_affected(result) + rows_affected(reports)


def claim(session: Session, now: datetime, lease: timedelta, holder: str, batch: int,
          only: list[int] | None = None) -> str:
    """Claim up to ``batch`` rows due by ``now`` under a new token and lease (a conditional
    UPDATE: two runs never claim the same row)."""
    token = uuid.uuid4().hex
    candidates = (select(col(Notification.id))
                  .where(col(Notification.status) == NoticeStatus.PENDING, col(Notification.next_attempt_at) <= now)
                  .order_by(col(Notification.id)).limit(batch).with_for_update(skip_locked=True))
    if only is not None:
        candidates = candidates.where(col(Notification.id).in_(only))
    session.execute(
        update(Notification)
        .where(and_(col(Notification.id).in_(candidates.scalar_subquery()),
                    col(Notification.status) == NoticeStatus.PENDING))
        .values(status=NoticeStatus.SENDING, claim=token, claimed_at=now, lease_until=now + lease, claim_holder=holder,
                in_flight_at=None)
    )
    return token


def release_unsent(token: str) -> int:
    """A run that stops cleanly hands back what it claimed and never handed over."""
    with get_engine().begin() as connection:
        return rows_affected(connection.execute(
            update(Notification)
            .where(col(Notification.claim) == token, col(Notification.status) == NoticeStatus.SENDING,
                   col(Notification.in_flight_at).is_(None))
            .values(status=NoticeStatus.PENDING, claim=None, claim_holder=None, lease_until=None)))
