"""Appending to the event log: every change of recorded state goes through here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import insert
from sqlmodel import Session

from ctcflow.core.flat import flat
from db.models import Event

SYSTEM = "ctcflow"  # the actor of what the process does by itself

# Events that change what a phase's checks see: a day with one of them is a day of phase work.
PHASE_DATA_EVENTS = ("phase_opened", "phase_approved", "priorities_decided", "plan_programme", "plan_goal",
                     "implementation", "survey_imported", "milestone_done", "milestone_undone")


@dataclass(frozen=True)
class NewEvent:
    kind: str
    actor: str
    effective_on: date
    area_id: str | None = None
    subject: str | None = None
    old: str | None = None
    new: str | None = None
    note: str | None = None


def record(session: Session, events: list[NewEvent]) -> None:
    """Append ``events`` in one statement, stamped with the same wall-clock time."""
    if not events:
        return
    now = datetime.now(tz=UTC)
    session.execute(insert(Event), [{**flat(e), "recorded_at": now} for e in events])
