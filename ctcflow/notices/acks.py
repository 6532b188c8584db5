"""Acknowledgements — "vi tar det": a person on an escalated thing's ladder says who has it, what
will happen and until which day. While it holds, the thing's climb waits; the day after, the
climb resumes where it stopped and says that the promise lapsed. An acknowledgement hides
nothing: every list of open escalations shows it beside the thing.

Stored as rows that are never edited (a new acknowledgement supersedes the last) and recorded
in the event log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from ctcflow.delivery.kinds import NoticeKind
from ctcflow.engine.eventlog import NewEvent, record
from db.models import Acknowledgement

ACKNOWLEDGED = NoticeKind.ACKNOWLEDGED  # the event's kind, and the notice telling those already told


@dataclass(frozen=True)
class Ack:
    topic: str
    by: str  # person id
    plan: str
    until: date
    on: date
    subject: str
    area_id: str | None = None

    def holds(self, as_of: date) -> bool:
        """The climb waits: said by ``as_of`` and its day not passed."""
        return self.on <= as_of <= self.until

    def lapsed(self, as_of: date) -> bool:
        return self.until < as_of


def acks_on(session: Session, as_of: date, topics: set[str] | None = None) -> dict[str, Ack]:
    """The latest acknowledgement said by ``as_of`` of each thing (holding or lapsed)."""
    a = Acknowledgement
    latest = (select(col(a.topic), func.max(col(a.id)).label("id")).where(col(a.on_date) <= as_of)
              .group_by(col(a.topic)))
    if topics is not None:
        if not topics:
            return {}
        latest = latest.where(col(a.topic).in_(topics))
    newest = latest.subquery()
    rows = session.execute(select(a).join(newest, col(a.id) == newest.c.id)).scalars()
    return {r.topic: Ack(r.topic, r.by, r.plan, r.until, r.on_date, r.subject, r.area_id) for r in rows}


def record_ack(session: Session, ack: Ack) -> int:
    """Store ``ack`` and log it; returns its id (the key of the notices telling those above)."""
    row = Acknowledgement(topic=ack.topic, area_id=ack.area_id, subject=ack.subject, by=ack.by, plan=ack.plan,
                          until=ack.until, on_date=ack.on, recorded_at=datetime.now(tz=UTC))
    session.add(row)
    session.flush()
    record(session, [NewEvent(ACKNOWLEDGED, ack.by, ack.on, ack.area_id, ack.topic, None, ack.until.isoformat(),
                              ack.plan)])
    assert row.id is not None
    return row.id
