"""The open work the deadline sweep rests on: one query over every open milestone in every
active area whose due date is within the reminders' reach."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, select
from sqlmodel import Session, col

from ctcflow.core import calendar
from ctcflow.definition.loader import Definitions
from ctcflow.engine.asof import open_on_sql, phase_open_sql
from ctcflow.notices.policy import horizon
from db.models import Area, MilestoneInstance, PhaseInstance


@dataclass(frozen=True)
class OpenMilestone:
    instance_id: int
    area_id: str
    milestone_id: str
    due_date: date
    phase_instance_id: int
    phase_id: str
    cycle: int


def open_milestones_query(as_of: date, due_until: date) -> Any:
    """Milestones open on ``as_of`` (a later 'done' or approval counts as not yet) in active
    areas whose due date is at most ``due_until``: the bare SQL the sweep rests on."""
    mi, pi = MilestoneInstance, PhaseInstance
    return (
        select(col(mi.id), col(mi.area_id), col(mi.milestone_id), col(mi.due_date), col(pi.id), col(pi.phase_id),
               col(pi.cycle))
        .join(pi, col(mi.phase_instance_id) == col(pi.id))
        .join(Area, and_(col(Area.id) == col(mi.area_id), col(Area.active).is_(True)))
        .where(
            col(mi.retired).is_(False), col(mi.due_date).is_not(None), col(mi.due_date) <= due_until,
            open_on_sql(as_of), phase_open_sql(as_of),
        )
    )


def open_milestones(session: Session, defs: Definitions, as_of: date) -> list[OpenMilestone]:
    due_until = calendar.add_business_days(as_of, horizon(defs.process.notification_policy))
    return [OpenMilestone(*row) for row in session.execute(open_milestones_query(as_of, due_until))]
