"""At once or in the brief: the one rule for how a notice reaches its reader.

A person gets one ranked brief per working day (or week); only what cannot wait goes out alone —
a sign-in link, the report itself, the kinds phases.yml lists, and an escalation to a role it
names on the day it happens — and of those at most ``max_immediate_per_day`` per person (the
rest waits for the brief). Counting what already went out today makes the cap hold across the
day's runs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Protocol

from sqlalchemy import func, select
from sqlmodel import Session, col

from ctcflow.definition.policy import BriefPolicy
from ctcflow.delivery.kinds import ALWAYS_AT_ONCE, ESCALATION_KINDS
from db.models import Notification
from db.statuses import NoticeStatus


def wants_at_once(kind: str, role: str | None, policy: BriefPolicy) -> bool:
    if kind in ALWAYS_AT_ONCE or kind in policy.immediate:
        return True
    return kind in ESCALATION_KINDS and role is not None and role in policy.immediate_escalations_to


class Addressed(Protocol):
    """What routing needs to know of a notice."""

    @property
    def kind(self) -> str: ...
    @property
    def role(self) -> str | None: ...
    @property
    def recipient(self) -> str: ...
    @property
    def as_of(self) -> date: ...


def route(session: Session, notices: Sequence[Addressed], policy: BriefPolicy) -> list[str]:
    """Each notice's status, in order: ``pending`` (sent at once) or ``held`` (the next brief)."""
    capped = [p for p in notices if p.kind not in ALWAYS_AT_ONCE and wants_at_once(p.kind, p.role, policy)]
    sent_today = _at_once_today(session, {(p.recipient, p.as_of) for p in capped})
    statuses: list[str] = []
    for p in notices:
        whose = (p.recipient, p.as_of)
        if p.kind in ALWAYS_AT_ONCE:
            statuses.append(NoticeStatus.PENDING)
        elif wants_at_once(p.kind, p.role, policy) and sent_today[whose] < policy.max_immediate_per_day:
            sent_today[whose] += 1
            statuses.append(NoticeStatus.PENDING)
        else:
            statuses.append(NoticeStatus.HELD)
    return statuses


def _at_once_today(session: Session, wanted: set[tuple[str, date]]) -> Counter[tuple[str, date]]:
    """How many capped notices went to each (person, day) at once already."""
    counts: Counter[tuple[str, date]] = Counter()
    if not wanted:
        return counts
    n = Notification
    rows = session.execute(
        select(col(n.recipient), col(n.as_of), func.count())
        .where(col(n.recipient).in_({r for r, _ in wanted}), col(n.as_of).in_({d for _, d in wanted}),
               col(n.status).in_((NoticeStatus.PENDING, NoticeStatus.SENDING, NoticeStatus.SENT, NoticeStatus.FAILED)),
               col(n.kind).not_in(ALWAYS_AT_ONCE))
        .group_by(col(n.recipient), col(n.as_of)))
    for recipient, day, count in rows:
        counts[(recipient, day)] = count
    return counts
