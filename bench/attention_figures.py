"""What the attention replay counts, from the outbox and the mail as delivered: the load on each
role, whether every notice decided reached a delivered mail and was shown there, whether any
escalation went down or sideways, what reached the board by kind, who knew of each planted
failure when, how often the board was reminded, and false "not started" alarms."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from ctcflow.core import calendar

ROLES = {"samordnare": "central_samordnare", "chef": "avdelningschef", "ks": "kommunstyrelsen"}


@dataclass
class Figures:
    days: list[date]
    mails: dict[str, Counter[date]]  # person → mails on each working day
    briefs: dict[str, Counter[date]]  # person → briefs on each working day
    lines: dict[str, list[int]]  # person → lines of each brief they got
    role_of: dict[str, str] = field(default_factory=dict)  # person → role
    people: dict[str, Any] = field(default_factory=dict)  # person → their entry (when they held the role)
    knew: dict[str, dict[str, int | None]] = field(default_factory=dict)  # failure → level → working days
    reminded: dict[str, int] = field(default_factory=dict)  # failure → reminders to the board while open
    decided: int = 0  # notices decided (every kind but the brief itself)
    items: int = 0  # notices carried by a delivered brief
    sent_alone: int = 0  # notices delivered on their own, at once
    held: int = 0  # notices waiting for the next brief at the end (decided since, or folded)
    cancelled: int = 0  # notices resolved before their brief
    twice: int = 0  # notices carried by more than one delivered brief (must be 0)
    unshown: int = 0  # notices marked delivered by a brief that did not show them (must be 0)
    lost: list[str] = field(default_factory=list)  # notices in no brief and not waiting (must be empty)
    downward: int = 0  # escalations to a role at or below the owner's level (must be 0)
    board: Counter[str] = field(default_factory=Counter)  # kind → things that reached the board
    false_not_started: int = 0  # "not started" told of an area that had started or was not yet late

    def per_day(self, person: str) -> list[int]:
        return [self.mails[person][d] for d in self.days]

    def per_role_day(self, role: str) -> list[int]:
        """Mails per person of the role and working day they held it (people with any mail)."""
        people = [p for p, r in self.role_of.items() if r == role and self.mails.get(p)]
        return [self.mails[p][d] for p in people for d in self.days if self.people[p].active_on(d)]

    def lines_of(self, role: str) -> list[int]:
        return [n for p, r in self.role_of.items() if r == role for n in self.lines.get(p, [])]


def count(figures: Figures, defs: Any, failures: dict[str, tuple[list[str], date]]) -> Figures:
    from db.engine import session_scope

    figures.role_of = {p.id: p.role for p in defs.org.everyone()}
    figures.people = {p.id: p for p in defs.org.everyone()}
    with session_scope() as session:
        _delivery(session, figures)
        _direction(session, figures, defs)
        _who_knew(session, figures, defs, failures)
        _false_not_started(session, figures)
    return figures


def _delivery(session: Any, figures: Figures) -> None:
    """Every notice decided: shown in a delivered brief (and its line there), sent alone, resolved
    before its brief, or waiting — never lost, never twice."""
    from db.models import Area, Notification

    n, brief = Notification, aliased(Notification)
    rows = session.execute(
        select(col(n.key), col(n.status), col(n.topic), col(n.subject), col(n.brief_id), col(brief.status),
               col(brief.body), col(Area.name))
        .outerjoin(brief, col(brief.id) == col(n.brief_id)).outerjoin(Area, col(Area.id) == col(n.area_id))
        .where(col(n.kind) != "brief")).all()
    keys: Counter[str] = Counter()
    shown: dict[int, dict[str, bool]] = defaultdict(dict)  # brief → topic → a line of it is in the body
    for key, status, topic, subject, brief_id, brief_status, body, area in rows:
        figures.decided += 1
        if status == "briefed" and brief_status == "sent":
            keys[key] += 1
            figures.items += 1
            seen = shown[brief_id]
            # under an area's heading a line leaves out the area it names: "… (Område 3) …"
            seen[topic or key] = seen.get(topic or key, False) or subject in body \
                or (area is not None and subject.replace(f" ({area})", "") in body)
        elif status == "sent":
            figures.sent_alone += 1
        elif status == "held":
            figures.held += 1
        elif status == "cancelled":
            figures.cancelled += 1
        else:
            figures.lost.append(key)
    figures.twice = sum(1 for c in keys.values() if c > 1)
    figures.unshown = sum(1 for topics in shown.values() for seen in topics.values() if not seen)


def _direction(session: Any, figures: Figures, defs: Any) -> None:
    """Escalations told to a role not above the owner's level; what reached the board, by kind."""
    from ctcflow.delivery.kinds import ESCALATION_KINDS
    from db.models import MilestoneInstance, Notification

    n, mi = Notification, MilestoneInstance
    levels = defs.process.levels
    owner = {m.id: m.owner for p in defs.process.phases for m in p.milestones}
    report_owner = {r.id: r.owner for r in defs.process.reports}
    rows = session.execute(select(col(n.kind), col(n.role), col(n.topic), col(mi.milestone_id))
                           .outerjoin(mi, col(mi.id) == col(n.milestone_instance_id))
                           .where(col(n.kind).in_(("escalation", "report_escalation")))).all()
    for kind, role, topic, milestone_id in rows:
        whose = owner.get(milestone_id or "") if kind == "escalation" else \
            report_owner.get((topic or "").split("/")[1] if topic else "", "")
        if whose and levels.get(role or "", -1) <= levels.get(whose, -1):
            figures.downward += 1
    board = defs.process.role_of("board")
    for kind, topics in session.execute(select(col(n.kind), func.count(col(n.topic).distinct()))
                                        .where(col(n.role) == board, col(n.kind).in_(ESCALATION_KINDS))
                                        .group_by(col(n.kind))).all():
        figures.board[kind] = topics


def _who_knew(session: Any, figures: Figures, defs: Any, failures: dict[str, tuple[list[str], date]]) -> None:
    """For each failure, the working days from the day it happened until a holder of each level
    first got a delivered message about it (at once or in a brief); the board's reminders."""
    from db.models import Notification

    brief, n = aliased(Notification), Notification
    holders = {level: [p for p, r in figures.role_of.items() if r == role] for level, role in ROLES.items()}
    for name, (topics, happened) in failures.items():
        told_on = dict(session.execute(
            select(col(n.recipient), func.min(func.coalesce(brief.as_of, n.as_of)))
            .outerjoin(brief, and_(col(brief.id) == col(n.brief_id), col(brief.status) == "sent"))
            .where(col(n.topic).in_(topics),
                   (col(n.status) == "sent") | ((col(n.status) == "briefed") & (col(brief.id).is_not(None))),
                   func.coalesce(brief.as_of, col(n.as_of)) >= happened)  # told it had happened, not reminded
            .group_by(col(n.recipient))).tuples().all())
        start = calendar.business_ordinal(happened)
        first = {level: min((told_on[p] for p in people if p in told_on), default=None)
                 for level, people in holders.items()}
        figures.knew[name] = {level: (calendar.business_ordinal(d) - start) if d else None
                              for level, d in first.items()}
        figures.reminded[name] = session.execute(
            select(func.count(col(n.key).distinct())).where(col(n.topic).in_(topics), col(n.role) == ROLES["ks"],
                                                            col(n.key).like("%-again-%"))).scalar_one()


def _false_not_started(session: Any, figures: Figures) -> None:
    """'Not started' told of an area whose first due date had not passed, or that had done something."""
    from db.models import MilestoneInstance, Notification

    mi, n = MilestoneInstance, Notification
    first_due = dict(session.execute(select(col(mi.area_id), func.min(col(mi.due_date)))
                                     .group_by(col(mi.area_id))).tuples().all())
    first_done = dict(session.execute(select(col(mi.area_id), func.min(col(mi.done_on)))
                                      .where(col(mi.status) == "done").group_by(col(mi.area_id))).tuples().all())
    for area_id, told in session.execute(select(col(n.area_id), col(n.as_of)).where(col(n.kind) == "not_started")):
        due, done = first_due.get(area_id), first_done.get(area_id)
        if due is None or told <= due or (done is not None and done < told):
            figures.false_not_started += 1


def _spread(values: list[int]) -> str:
    values = sorted(values)
    if not values:
        return "   –"
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    return f"p50 {statistics.median(values):>4g}  p95 {p95:>3}  max {max(values):>3}"


def report(figures: Figures) -> list[str]:
    """The lines ``./run bench`` prints."""
    shown = figures.items + figures.sent_alone
    lines = [f"    {len(figures.days)} working days; {figures.decided} notices decided = {shown} shown in a delivered "
             f"mail ({figures.items} in briefs, {figures.sent_alone} alone) + {figures.cancelled} resolved first + "
             f"{figures.held} waiting for the next brief; lost {len(figures.lost)}, in two briefs {figures.twice}, "
             f"marked delivered unshown {figures.unshown}"]
    for role, label in (("central_samordnare", "samordnare"), ("utvecklingsledare", "utvecklingsledare"),
                        ("avdelningschef", "avdelningschef"), ("ansvarig_direktor", "direktör"),
                        ("kommunstyrelsen", "the board")):
        lines.append(f"    {label:<24} mails/person/working day {_spread(figures.per_role_day(role))}   "
                     f"lines/brief {_spread(figures.lines_of(role))}")
    lines.append(f"    escalations down or sideways: {figures.downward}; false 'not started' alarms: "
                 f"{figures.false_not_started}")
    board = ", ".join(f"{kind} {n}" for kind, n in sorted(figures.board.items()))
    lines.append(f"    reached the board (things, by kind): {board}; single milestones "
                 f"{figures.board.get('escalation', 0)}")
    for failure, who in figures.knew.items():
        told = ", ".join(f"{w} {d if d is not None else 'never'}" for w, d in who.items())
        lines.append(f"    {failure:<21} working days until known: {told}; the board reminded "
                     f"{figures.reminded.get(failure, 0)} times while open")
    return lines
