"""Where every area stands on a given day — the one producer of the status matrix (area ×
phase instance with its milestone counts) that the command line, the overview page, the
digest and the flows' status artifact all read. One grouped query, then plain bookkeeping;
the temporal rules are those of ``engine.asof``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlmodel import Session, col

from ctcflow.core.flat import flat
from ctcflow.definition.loader import Definitions
from ctcflow.engine.asof import (
    PhaseOnDay,
    approved_date,
    current_phase,
    done_by_sql,
    done_date,
    milestone_state,
    overdue_on_sql,
    phase_started_sql,
)
from db.models import Area, Event, MilestoneInstance, PhaseInstance


@dataclass(frozen=True)
class PhaseCell:
    """One phase instance of an area on the day: its milestones counted (retired ones left out);
    overdue counts only while the phase is open."""

    instance_id: int
    area_id: str
    phase_id: str
    cycle: int
    opened_on: date
    approved_on: date | None  # approved by the day
    total: int
    done: int
    overdue: int

    @property
    def on_day(self) -> PhaseOnDay:
        return PhaseOnDay(self.phase_id, self.cycle, self.opened_on, self.approved_on)

    @property
    def share(self) -> float:
        return self.done / self.total if self.total else 0.0


def phase_matrix_query(as_of: date) -> Any:
    """Every phase instance started by ``as_of`` with its milestones counted (total, done, overdue):
    the bare SQL the status of the city rests on."""
    mi, pi = MilestoneInstance, PhaseInstance
    return (
        select(col(pi.id), col(pi.area_id), col(pi.phase_id), col(pi.cycle), col(pi.opened_on), col(pi.completed_on),
               func.count(col(mi.id)),
               func.coalesce(func.sum(case((done_by_sql(as_of), 1), else_=0)), 0),
               func.coalesce(func.sum(case((overdue_on_sql(as_of), 1), else_=0)), 0))
        .select_from(pi)
        .join(mi, and_(col(mi.phase_instance_id) == col(pi.id), col(mi.retired).is_(False)), isouter=True)
        .where(phase_started_sql(as_of))
        .group_by(col(pi.id))
        .order_by(col(pi.area_id), col(pi.opened_on), col(pi.id)))


def phase_matrix(session: Session, as_of: date) -> dict[str, list[PhaseCell]]:
    """Area → its phase instances started by ``as_of``, in the order they opened."""
    matrix: dict[str, list[PhaseCell]] = {}
    for instance_id, area_id, phase_id, cycle, opened, completed, total, n_done, n_overdue in session.execute(
            phase_matrix_query(as_of)):
        approved = approved_date(completed, as_of)
        matrix.setdefault(area_id, []).append(PhaseCell(
            instance_id, area_id, phase_id, cycle, opened, approved, int(total), int(n_done),
            0 if approved else int(n_overdue)))
    return matrix


def current_cell(cells: list[PhaseCell], order: dict[str, int], as_of: date) -> PhaseCell | None:
    current = current_phase([c.on_day for c in cells], order, as_of)
    return next((c for c in cells if c.on_day == current), None) if current else None


def open_current_cell(cells: list[PhaseCell], order: dict[str, int], as_of: date) -> PhaseCell | None:
    """The current phase where one is open; None for an area with nothing open (the pages show
    no current phase then, only approved ones)."""
    current = current_cell(cells, order, as_of)
    return current if current is not None and current.approved_on is None else None


@dataclass(frozen=True)
class AreaStatus:
    area_id: str
    area_name: str
    phase_id: str | None
    cycle: int | None
    phase_opened_on: date | None
    milestones_total: int
    milestones_done: int
    overdue: int

    @property
    def share_done(self) -> float:
        return self.milestones_done / self.milestones_total if self.milestones_total else 0.0

    def as_json(self) -> dict[str, Any]:
        data = flat(self)
        data["phase_opened_on"] = self.phase_opened_on.isoformat() if self.phase_opened_on else None
        data["share_done"] = round(self.share_done, 3)
        return data


def city_status(session: Session, defs: Definitions, as_of: date) -> list[AreaStatus]:
    """Every active area: its current phase with that phase's progress, and everything overdue
    in its open phases (an earlier cycle's included)."""
    matrix = phase_matrix(session, as_of)
    order = defs.process.order
    result = []
    areas = session.execute(select(col(Area.id), col(Area.name)).where(col(Area.active).is_(True))
                            .order_by(col(Area.id))).all()
    for area_id, name in areas:
        cells = matrix.get(area_id, [])
        current = current_cell(cells, order, as_of)
        overdue = sum(c.overdue for c in cells)
        if current is None:
            result.append(AreaStatus(area_id, name, None, None, None, 0, 0, 0))
        else:
            result.append(AreaStatus(area_id, name, current.phase_id, current.cycle, current.opened_on,
                                     current.total, current.done, overdue))
    return result


@dataclass(frozen=True)
class MilestoneStatus:
    phase_id: str
    cycle: int
    milestone_id: str
    owner: str
    due_date: date | None
    state: str  # done | open | overdue | retired
    done_on: date | None
    done_by: str | None
    evidence: str | None
    required: bool
    instance_id: int = 0
    note: str | None = None
    phase_instance_id: int = 0

    def as_json(self) -> dict[str, Any]:
        data = flat(self)
        for key in ("due_date", "done_on"):
            data[key] = data[key].isoformat() if data[key] else None
        del data["instance_id"], data["note"], data["phase_instance_id"]
        return data


def area_milestones(session: Session, defs: Definitions, area_id: str, as_of: date,
                    include_completed: bool = False, include_retired: bool = True) -> list[MilestoneStatus]:
    """The milestones of the area's phases open on ``as_of`` (all phases with ``include_completed``)."""
    mi, pi = MilestoneInstance, PhaseInstance
    query = (select(pi, mi).join(mi, col(mi.phase_instance_id) == col(pi.id))
             .where(col(pi.area_id) == area_id, phase_started_sql(as_of))
             .order_by(col(pi.opened_on), col(pi.id), col(mi.due_date), col(mi.id)))
    if not include_retired:
        query = query.where(col(mi.retired).is_(False))
    owners = {m.id: m for p in defs.process.phases for m in p.milestones}
    result = []
    for phase_row, row in session.execute(query).tuples():
        if not include_completed and approved_date(phase_row.completed_on, as_of) is not None:
            continue
        done = done_date(row.status, row.done_on, as_of)
        state = milestone_state(row.status, row.done_on, row.due_date, as_of, row.retired)
        ms = owners.get(row.milestone_id)
        result.append(MilestoneStatus(
            phase_row.phase_id, phase_row.cycle, row.milestone_id, ms.owner if ms else "?", row.due_date,
            state.value, done, row.done_by if done else None, row.evidence if done else None,
            ms.required if ms else False, row.id or 0, row.note if done else None, phase_row.id or 0))
    return result


def area_history(session: Session, area_id: str) -> list[Event]:
    return list(session.execute(
        select(Event).where(col(Event.area_id) == area_id).order_by(col(Event.id))
    ).scalars())
