"""The words of what flows publish in the Prefect UI (artifacts): each summary's title, its
sections, its lines and the status table's columns — in CTC_LANG, from the catalogues."""

from __future__ import annotations

from typing import Any

from ctcflow.core import words
from ctcflow.core.config import get_settings
from ctcflow.core.words import N_

FLOW_WORDS: dict[str, dict[str, str]] = {
    "titles": {
        "advance-phases": N_("Phase transitions"),
        "deadline-sweep": N_("Deadline sweep"),
        "deliveries": N_("Deliveries"),
        "ks-report": N_("Report to the municipal board"),
        "phase-work": N_("The phases' own work"),
        "survey-wave": N_("CTC survey {wave}"),
    },
    "sections": {
        "opened_phases": N_("Phases opened"),
        "opened_revisions": N_("Revisions opened"),
        "new_notices": N_("New notices"),
        "sent": N_("Delivered"),
        "failed": N_("Failed (retried later)"),
        "nothing_sent": N_("Nothing sent"),
        "reports_sent": N_("Reports sent"),
        "missing": N_("Missing"),
        "suggested": N_("Suggested priority factors"),
        "profiles": N_("Area profiles"),
        "milestones_done": N_("Milestones done"),
        "milestones_waiting": N_("Milestones waiting"),
    },
    "lines": {
        "cycle": N_("cycle {n}"),
        "attempts": N_("{n} attempts"),
        "gaps": N_("{n} gaps"),
        "no_report_due": N_("No report is due today."),
        "not_business_day": N_("weekend or Swedish holiday"),
        "another_run": N_("another delivery is running ({holder}) and sends the outbox"),
        "more": N_("… {n} more"),
    },
    "status": {
        "description": N_("CTC status per area, {day}"),
        "area": N_("area"),
        "phase": N_("phase"),
        "cycle": N_("cycle"),
        "since": N_("since"),
        "done": N_("complete"),
        "overdue": N_("overdue"),
        "not_started": N_("not started"),
    },
}


def flow_text(group: str, key: str, **context: Any) -> str:
    """``flow_text("sections", "sent")`` → "Skickade"; ``flow_text("lines", "cycle", n=2)`` → "cykel 2"."""
    return words.say(get_settings().lang, FLOW_WORDS[group][key], **context)
