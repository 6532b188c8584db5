"""An area's event log as sentences a person reads: who (by name; the system's own steps as
"automatiskt"), did what, to which milestone, phase, programme or theme (by title), with the
evidence as links and the note as written — never ids or the log's internal notation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ctcflow.core.words import Words
from ctcflow.engine.eventlog import SYSTEM
from ctcflow.engine.sync import SYSTEM as SYNC
from ctcflow.report.delivered import BEFORE_PERIOD_END
from ctcflow.web.terms import HISTORY_LINES
from db.models import Event

EVIDENCE_MARK = "evidence: "
# notes the system writes for itself (a hash, "cycle 2"): not for reading
SILENT_NOTES = frozenset({"phase_opened", "report_sent", "due_changed", "survey_imported", "costs_imported"})


@dataclass(frozen=True)
class HistoryLine:
    day: date
    who: str
    what: str
    evidence: str | None  # shown through the page's evidence links
    note: str | None


def subject_name(event: Event, names: dict[str, dict[str, str]]) -> str:
    """The title of what the event is about, from the kind of thing its kind concerns."""
    subject = event.subject or ""
    kinds = {"plan_programme": "programme", "implementation": "programme", "mandate_entry": "theme",
             "plan_goal": "factor", "phase_opened": "phase", "phase_approved": "phase",
             "person_joined": "person", "person_left": "person",
             "person_address": "person"}
    kind = kinds.get(event.kind)
    if kind:
        return names.get(kind, {}).get(subject, subject)
    return names["milestone"].get(subject) or names["phase"].get(subject) or subject


def _evidence_and_note(event: Event) -> tuple[str | None, str | None]:
    if event.kind != "milestone_done" or not event.note:
        return None, event.note
    evidence, note = None, []
    for part in event.note.split(" | "):
        if part.startswith(EVIDENCE_MARK):
            evidence = part[len(EVIDENCE_MARK):]
        else:
            note.append(part)
    return evidence, " | ".join(note) or None


def describe(event: Event, names: dict[str, dict[str, str]], words: Words) -> HistoryLine:
    who = words("Automatically") if event.actor in (SYSTEM, SYNC) else names["person"].get(event.actor, event.actor)
    template = words(HISTORY_LINES.get(event.kind, HISTORY_LINES["other"]))
    factor = names.get("factor", {})
    details = {
        "plan_programme": factor.get(event.new or "", event.new or ""),
        "priorities_decided": ", ".join(factor.get(f, f) for f in (event.new or "").split(", ")),
        "mandate_entry": event.new or "", "plan_goal": event.new or "", "due_changed": event.new or "",
        "report_sent": (event.new or "").split(" → ")[0]
        + (words(" – before the period was over") if (event.new or "").endswith(BEFORE_PERIOD_END) else ""),
        "person_joined": event.new or "", "person_left": event.new or "",
        "person_address": event.new or "", "wave_corrected": event.old or "",
    }
    what = template.format(what=subject_name(event, names), detail=details.get(event.kind, ""),
                           role=names["role"].get(event.old or "", event.old or ""))
    evidence, note = _evidence_and_note(event)
    if event.kind == "mandate_entry":
        evidence, note = event.note, None
    elif event.kind in SILENT_NOTES:
        note = None
    return HistoryLine(event.effective_on, who, what, evidence, note)
