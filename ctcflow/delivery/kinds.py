"""The kinds of notice, named once (``NoticeKind``) and grouped by what delivery and the brief do
with them — one list each."""

from __future__ import annotations

from enum import StrEnum


class NoticeKind(StrEnum):
    """``notification.kind``: what a notice is about, for whom and how it is sent."""

    REMINDER = "reminder"
    DUE = "due"
    OVERDUE = "overdue"
    ESCALATION = "escalation"
    UNASSIGNED = "unassigned"
    WAITING = "waiting"
    REPORT_REMINDER = "report_reminder"
    REPORT_DUE = "report_due"
    REPORT_OVERDUE = "report_overdue"
    REPORT_ESCALATION = "report_escalation"
    REPORT_GAP = "report_gap"
    NOT_STARTED = "not_started"
    INACTIVE = "inactive"
    VACANCY = "vacancy"
    AREA_LATE = "area_late"
    ACKNOWLEDGED = "acknowledged"
    LOGIN = "login"
    REPORT = "report"
    BRIEF = "brief"


K = NoticeKind
MILESTONE_KINDS = (K.REMINDER, K.DUE, K.OVERDUE, K.ESCALATION, K.UNASSIGNED, K.WAITING)
REPORT_KINDS = (K.REPORT_REMINDER, K.REPORT_DUE, K.REPORT_OVERDUE, K.REPORT_ESCALATION, K.REPORT_GAP)
STALL_KINDS = (K.NOT_STARTED, K.INACTIVE, K.VACANCY)  # each notice is a rung of its ladder
# Every kind that tells someone above the owner: what "escalated" counts, whatever the thing.
ESCALATION_KINDS = (K.ESCALATION, K.REPORT_ESCALATION, *STALL_KINDS, K.AREA_LATE)
# How much an escalated thing weighs, heaviest first: a brief and every list of open escalations
# rank by it — a missed report, then an area stalled, a vacancy, an area's late work rolled up,
# a single milestone.
WEIGHT = (K.REPORT_ESCALATION, K.NOT_STARTED, K.INACTIVE, K.VACANCY, K.AREA_LATE, K.ESCALATION)


def weight(kind: str) -> int:
    """How heavy a kind of escalated thing is: 0 the heaviest; what is not escalated, the lightest."""
    return WEIGHT.index(kind) if kind in WEIGHT else len(WEIGHT)


ACKNOWLEDGED = K.ACKNOWLEDGED  # those already told hear that someone has taken the thing
# Messages that carry something the reader needs now — a sign-in link, the report itself, the
# brief — go out at once, never into a brief.
ALWAYS_AT_ONCE = (K.LOGIN, K.REPORT, K.BRIEF)
BRIEF = K.BRIEF
