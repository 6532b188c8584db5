"""The kinds of notice, grouped by what delivery and the brief do with them — one list each."""

from __future__ import annotations

MILESTONE_KINDS = ("reminder", "due", "overdue", "escalation", "unassigned")
REPORT_KINDS = ("report_reminder", "report_due", "report_overdue", "report_escalation", "report_gap")
STALL_KINDS = ("not_started", "inactive", "vacancy")  # each notice is a rung of its ladder
# Every kind that tells someone above the owner: what "escalated" counts, whatever the thing.
ESCALATION_KINDS = ("escalation", "report_escalation", *STALL_KINDS)
# Messages that carry something the reader needs now — a sign-in link, the report itself, the
# brief — go out at once, never into a brief.
ALWAYS_AT_ONCE = ("login", "report", "brief")
BRIEF = "brief"
