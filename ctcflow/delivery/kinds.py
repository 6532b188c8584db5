"""The kinds of notice, grouped by what delivery and the brief do with them — one list each."""

from __future__ import annotations

MILESTONE_KINDS = ("reminder", "due", "overdue", "escalation", "unassigned", "waiting")
REPORT_KINDS = ("report_reminder", "report_due", "report_overdue", "report_escalation", "report_gap")
STALL_KINDS = ("not_started", "inactive", "vacancy")  # each notice is a rung of its ladder
# Every kind that tells someone above the owner: what "escalated" counts, whatever the thing.
ESCALATION_KINDS = ("escalation", "report_escalation", *STALL_KINDS, "area_late")
# How much an escalated thing weighs, heaviest first: a brief and every list of open escalations
# rank by it — a missed report, then an area stalled, a vacancy, an area's late work rolled up,
# a single milestone.
WEIGHT = ("report_escalation", "not_started", "inactive", "vacancy", "area_late", "escalation")


def weight(kind: str) -> int:
    """How heavy a kind of escalated thing is: 0 the heaviest; what is not escalated, the lightest."""
    return WEIGHT.index(kind) if kind in WEIGHT else len(WEIGHT)


ACKNOWLEDGED = "acknowledged"  # those already told hear that someone has taken the thing
# Messages that carry something the reader needs now — a sign-in link, the report itself, the
# brief — go out at once, never into a brief.
ALWAYS_AT_ONCE = ("login", "report", "brief")
BRIEF = "brief"
