"""The week at a glance for each central samordnare, carried by their first brief of the week:
every area's phase, what was done, what is overdue, every escalation of the week whatever its
kind (milestone, report, stall, vacancy) — and, under it, the deliveries that do not get through
(ctcflow.notices.undelivered): the one message that makes a silent slip impossible to miss."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from ctcflow.core import calendar
from ctcflow.definition.loader import Definitions
from ctcflow.delivery import keys
from ctcflow.delivery.kinds import BRIEF, ESCALATION_KINDS
from ctcflow.engine.status import city_status
from ctcflow.notices.composer import Composer
from ctcflow.notices.open_work import open_milestones
from db.models import Event, Notification
from db.statuses import NoticeStatus

LIST_LIMIT = 10  # lines per list: the week at a glance, not the brief again; the rest is counted (and on the web)


@dataclass(frozen=True)
class OverdueLine:
    area_id: str
    milestone_id: str
    due: date
    days: int
    owner: str


def overdue_lines(session: Session, defs: Definitions, as_of: date) -> list[OverdueLine]:
    owners = {m.id: m.owner for p in defs.process.phases for m in p.milestones}
    today = calendar.business_ordinal(as_of)
    lines = [OverdueLine(r.area_id, r.milestone_id, r.due_date, today - calendar.business_ordinal(r.due_date),
                         owners.get(r.milestone_id, "?"))
             for r in open_milestones(session, defs, as_of) if r.due_date < as_of]
    return sorted(lines, key=lambda line: (-line.days, line.area_id, line.milestone_id))


def covered_until(session: Session, as_of: date) -> date:
    """The last day the previous overview covered: a week ago, or the day of the last one before
    ``as_of`` if that is longer ago (a week whose Monday was a holiday leaves no gap)."""
    last = session.execute(select(func.max(col(Notification.as_of)))
                           .where(col(Notification.kind) == BRIEF, col(Notification.topic).like(keys.OVERVIEW + "%"),
                                  col(Notification.status) != NoticeStatus.CANCELLED,
                                  col(Notification.as_of) < as_of)).scalar()
    week_ago = as_of - timedelta(days=7)
    return last if last is not None and as_of - timedelta(days=14) <= last < week_ago else week_ago


def weekly_overview(session: Session, composer: Composer, lang: str) -> dict[str, Any]:
    defs, as_of = composer.defs, composer.as_of
    since = covered_until(session, as_of)
    areas = city_status(session, defs, as_of)
    done = session.execute(
        select(col(Event.area_id), col(Event.subject), col(Event.effective_on), col(Event.actor))
        .where(col(Event.kind) == "milestone_done", col(Event.effective_on) > since, col(Event.effective_on) <= as_of)
        .order_by(col(Event.effective_on), col(Event.id))).all()
    overdue = overdue_lines(session, defs, as_of)
    n = Notification
    escalated = session.execute(  # the first time each thing reached each role this week
        select(col(n.kind), col(n.topic), col(n.role), func.min(col(n.as_of)), func.max(col(n.subject)))
        .where(col(n.kind).in_(ESCALATION_KINDS), col(n.as_of) > since, col(n.as_of) <= as_of)
        .group_by(col(n.kind), col(n.topic), col(n.role))
        .order_by(func.min(col(n.as_of)))).all()
    names = defs.names(lang)

    def title(milestone_id: str | None) -> str:
        return defs.name("milestone", milestone_id or "", lang)

    def phase(phase_id: str | None) -> str:
        return defs.name("phase", phase_id, lang) if phase_id else "–"

    by_kind = Counter(kind for kind, *_ in escalated)
    return {
        "since": since + timedelta(days=1), "limit": LIST_LIMIT,
        "areas": [{"name": a.area_name, "phase": phase(a.phase_id), "cycle": a.cycle or 0,
                   "done": a.milestones_done, "total": a.milestones_total, "overdue": a.overdue} for a in areas],
        "done": [{"area": composer.directory.area_name(a or ""), "milestone": title(s), "on": on, "by": by}
                 for a, s, on, by in done],
        "overdue": [{"area": composer.directory.area_name(o.area_id), "milestone": title(o.milestone_id),
                     "due": o.due, "days": o.days, "owner": composer.role_title(o.owner, lang)} for o in overdue],
        "escalated": [{"what": subject, "to": names["role"].get(role or "", role or "–"), "on": on}
                      for _, _, role, on, subject in escalated],
        "escalated_by_kind": dict(by_kind),
    }
