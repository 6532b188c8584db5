"""What an area has to do now, in the order a person should do it: overdue (oldest first), due
soon, then waiting for other work (and for what) — the first thing an area's page shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlmodel import Session

from ctcflow.definition.loader import Definitions
from ctcflow.engine.instances import done_pairs, waiting_for
from ctcflow.engine.status import MilestoneStatus, area_milestones

SOON_DAYS = 21  # "due soon": within three weeks


class Urgency(StrEnum):
    OVERDUE = "overdue"
    SOON = "soon"
    WAITING = "waiting"
    LATER = "later"
    DONE = "done"


@dataclass(frozen=True)
class Task:
    status: MilestoneStatus
    urgency: Urgency
    waiting: tuple[str, ...]  # milestones it waits for

    @property
    def now(self) -> bool:
        """Belongs on the "to do now" list."""
        return self.urgency in (Urgency.OVERDUE, Urgency.SOON, Urgency.WAITING)


def urgency(status: MilestoneStatus, waiting: list[str], as_of: date) -> Urgency:
    if status.state == "done":
        return Urgency.DONE
    if status.state == "overdue":
        return Urgency.OVERDUE  # overdue stays overdue, waiting or not: somebody owes it
    if waiting:
        return Urgency.WAITING
    if status.due_date is not None and status.due_date <= as_of + timedelta(days=SOON_DAYS):
        return Urgency.SOON
    return Urgency.LATER


def area_tasks(session: Session, defs: Definitions, area_id: str, as_of: date) -> list[Task]:
    """Every milestone of the area's open phases as a task, most urgent first."""
    milestones = area_milestones(session, defs, area_id, as_of, include_retired=False)
    done = done_pairs(session, area_id, as_of)
    tasks = []
    for status in milestones:
        located = defs.milestone(status.milestone_id)
        waiting = (waiting_for(defs, located[1], status.phase_id, status.phase_instance_id, done)
                   if located and status.state != "done" else [])
        tasks.append(Task(status, urgency(status, waiting, as_of), tuple(waiting)))
    rank = list(Urgency)
    return sorted(tasks, key=lambda t: (rank.index(t.urgency), t.status.due_date or date.max, t.status.instance_id))

