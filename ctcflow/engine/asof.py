"""The temporal rules, each written once: what "done by day D", "open on day D", "overdue on
day D" and "the current phase" mean. Every query and page asks these, so a replay of any past
day (``--as-of``) sees the same state everywhere: a milestone done after D is open on D, a phase
approved after D is open on D, a phase opened after D does not exist yet.

Each rule comes twice, as a SQL condition (for set-based queries) and as a plain function (for
rows already read); the pair is tested against each other."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col

from db.models import MilestoneInstance, PhaseInstance
from db.statuses import MilestoneStatus

MI, PI = MilestoneInstance, PhaseInstance


class MilestoneState(StrEnum):
    DONE = "done"
    OPEN = "open"
    OVERDUE = "overdue"
    RETIRED = "retired"


# -- milestones ------------------------------------------------------------------------------

def done_by_sql(day: date) -> ColumnElement[bool]:
    """Done on or before ``day``."""
    return and_(col(MI.status) == MilestoneStatus.DONE, col(MI.done_on) <= day)


def open_on_sql(day: date) -> ColumnElement[bool]:
    """Not done by ``day`` (open now, or done only later)."""
    return or_(col(MI.status) == MilestoneStatus.OPEN, col(MI.done_on) > day)


def overdue_on_sql(day: date) -> ColumnElement[bool]:
    """Not done by ``day`` and due before it."""
    return and_(open_on_sql(day), col(MI.due_date) < day)


def still_open_sql() -> ColumnElement[bool]:
    """Open today, whatever day is asked: what a write can still change (a milestone done later
    than the day asked is done; undoing or marking it again is refused, not replayed)."""
    return col(MI.status) == MilestoneStatus.OPEN


def done_date(status: str, done_on: date | None, day: date) -> date | None:
    """The day it was done, if that was by ``day``; None while it is open on ``day``."""
    return done_on if status == MilestoneStatus.DONE and done_on is not None and done_on <= day else None


def milestone_state(status: str, done_on: date | None, due: date | None, day: date,
                    retired: bool = False) -> MilestoneState:
    if retired:
        return MilestoneState.RETIRED
    if done_date(status, done_on, day) is not None:
        return MilestoneState.DONE
    return MilestoneState.OVERDUE if due is not None and due < day else MilestoneState.OPEN


# -- phases ----------------------------------------------------------------------------------

def phase_started_sql(day: date) -> ColumnElement[bool]:
    return col(PI.opened_on) <= day


def phase_not_approved_sql(day: date) -> ColumnElement[bool]:
    """Not approved by ``day`` (still open, or approved only later)."""
    return or_(col(PI.completed_on).is_(None), col(PI.completed_on) > day)


def phase_open_sql(day: date) -> ColumnElement[bool]:
    """Opened by ``day`` and not approved by it."""
    return and_(phase_started_sql(day), phase_not_approved_sql(day))


def approved_date(completed_on: date | None, day: date) -> date | None:
    """The day the phase was approved, if that was by ``day``."""
    return completed_on if completed_on is not None and completed_on <= day else None


def written_before(fact_on: date | None, day: date) -> bool:
    """A write dated ``day`` that depends on a fact recorded on ``fact_on`` would come before
    its cause: the history would show, say, a phase approved before the work that met its gate."""
    return fact_on is not None and fact_on > day


def phase_open(opened_on: date, completed_on: date | None, day: date) -> bool:
    return opened_on <= day and approved_date(completed_on, day) is None


@dataclass(frozen=True)
class PhaseOnDay:
    """What the current-phase rule needs of a phase instance."""

    phase_id: str
    cycle: int
    opened_on: date
    completed_on: date | None


def current_phase(instances: Iterable[PhaseOnDay], order: dict[str, int], day: date) -> PhaseOnDay | None:
    """The area's current phase on ``day``: of the phases open then, the one latest in the
    process (a later cycle wins); with none open, the latest one approved."""
    started = [i for i in instances if i.opened_on <= day]
    open_now = [i for i in started if phase_open(i.opened_on, i.completed_on, day)]
    return max(open_now or started, key=lambda i: (order.get(i.phase_id, -1), i.cycle), default=None)
