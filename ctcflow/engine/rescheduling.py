"""Moving open milestones when work they count from is done or undone (``after X + N`` counts
from the day X was done), in the caller's transaction and the event log."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlmodel import Session, col

from ctcflow.definition.loader import Definitions
from ctcflow.engine.eventlog import SYSTEM, NewEvent, record
from ctcflow.engine.steps import StepKind
from ctcflow.engine.sync import apply_step, milestone_steps
from db.models import MilestoneInstance, PhaseInstance


def reschedule(session: Session, defs: Definitions, pi: PhaseInstance, as_of: date) -> None:
    """Move the open milestones whose ``after`` rule counts from work just done (or undone), in
    the caller's transaction; each move is in the event log."""
    instances = list(session.execute(select(MilestoneInstance).where(
        col(MilestoneInstance.phase_instance_id) == pi.id)).scalars())
    steps = [s for s in milestone_steps(defs, pi, pi.opened_on, instances) if s.kind == StepKind.DUE_CHANGED]
    for step in steps:
        apply_step(session, defs, step, {})
    record(session, [NewEvent(kind=s.kind, actor=SYSTEM, effective_on=as_of, area_id=s.area_id,
                              subject=s.subject, old=s.old, new=s.new) for s in steps])
