"""The weekly digest for each central samordnare: every area's phase, what was done in the
week, what is overdue, what was escalated, and deliveries that keep failing — the one message
that makes a silent slip impossible to miss."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from sqlalchemy import func, select
from sqlmodel import Session, col

from ctcflow.core import calendar
from ctcflow.definition.loader import Definitions
from ctcflow.delivery import keys
from ctcflow.delivery.state import failing_sql
from ctcflow.engine.status import city_status
from ctcflow.notices.deadlines import Composer, open_milestones
from ctcflow.notices.outbox import Notice
from db.models import Event, MilestoneInstance, Notification

LIST_LIMIT = 200  # lines per section; the rest is counted


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
    """The last day the previous digest covered: a week ago, or the day of the last digest
    before ``as_of`` if that is longer ago (a week whose Monday was a holiday leaves no gap)."""
    last = session.execute(select(func.max(col(Notification.as_of)))
                           .where(col(Notification.kind) == "digest", col(Notification.as_of) < as_of)).scalar()
    week_ago = as_of - timedelta(days=7)
    return last if last is not None and as_of - timedelta(days=14) <= last < week_ago else week_ago


def digest_notices(session: Session, defs: Definitions, as_of: date, composer: Composer) -> list[Notice]:
    since = covered_until(session, as_of)
    week = as_of.isocalendar()
    areas = city_status(session, defs, as_of)
    done = session.execute(
        select(col(Event.area_id), col(Event.subject), col(Event.effective_on), col(Event.actor))
        .where(col(Event.kind) == "milestone_done", col(Event.effective_on) > since, col(Event.effective_on) <= as_of)
        .order_by(col(Event.effective_on), col(Event.id))).all()
    overdue = overdue_lines(session, defs, as_of)
    escalated = session.execute(
        select(col(Notification.area_id), col(MilestoneInstance.milestone_id), col(Notification.recipient),
               col(Notification.as_of))
        .join(MilestoneInstance, col(MilestoneInstance.id) == col(Notification.milestone_instance_id))
        .where(col(Notification.kind) == "escalation", col(Notification.as_of) > since,
               col(Notification.as_of) <= as_of)
        .order_by(col(Notification.as_of), col(Notification.id))).all()
    failing = session.execute(
        select(col(Notification.recipient), col(Notification.reference), col(Notification.attempts),
               col(Notification.last_error),
               col(Notification.subject))
        .where(failing_sql())
        .order_by(col(Notification.attempts).desc(), col(Notification.id))).all()
    planned: list[Notice] = []
    for person in composer.directory.coordinators():
        lang = person.lang

        def title(milestone_id: str | None, lang: str = lang) -> str:
            return defs.name("milestone", milestone_id or "", lang)

        def phase(phase_id: str | None, lang: str = lang) -> str:
            return defs.name("phase", phase_id, lang) if phase_id else "–"

        context = {
            "person": person.name, "as_of": as_of, "since": since + timedelta(days=1), "week": week.week,
            "municipality": defs.org.municipality, "limit": LIST_LIMIT,
            "link": composer.links.page(person.id),
            "areas": [{"name": a.area_name, "phase": phase(a.phase_id), "cycle": a.cycle or 0,
                       "done": a.milestones_done, "total": a.milestones_total, "overdue": a.overdue} for a in areas],
            "done": [{"area": composer.directory.area_name(a or ""), "milestone": title(s), "on": on, "by": by}
                     for a, s, on, by in done],
            "overdue": [{"area": composer.directory.area_name(o.area_id), "milestone": title(o.milestone_id),
                         "due": o.due, "days": o.days, "owner": composer.role_title(o.owner, lang)}
                        for o in overdue],
            "escalated": [{"area": composer.directory.area_name(a or ""), "milestone": title(m), "to": to, "on": on}
                          for a, m, to, on in escalated],
            "failing": [{"recipient": r, "reference": ref, "attempts": n, "error": err or "", "subject": subj}
                        for r, ref, n, err, subj in failing],
        }
        planned.append(Notice(
            key=keys.digest(week.year, week.week, person.id), kind="digest", as_of=as_of, area_id=None,
            recipient=person.id, reference=person.notify, lang=lang, template="digest",
            context=partial(dict, context)))
    return planned
