"""Where every area stands on a given day: one grouped query, then plain bookkeeping.

"As of" replays the past: a milestone done after that day counts as open, a phase approved
after it counts as open, a phase opened after it does not exist yet.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlmodel import Session

from ctcflow.definitions import Definitions
from db.models import Area, Event, MilestoneInstance, PhaseInstance


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
        data = asdict(self)
        data["phase_opened_on"] = self.phase_opened_on.isoformat() if self.phase_opened_on else None
        data["share_done"] = round(self.share_done, 3)
        return data


def _done_as_of(as_of: date) -> Any:
    return and_(MilestoneInstance.status == "done", MilestoneInstance.done_on <= as_of)


def city_status(session: Session, defs: Definitions, as_of: date) -> list[AreaStatus]:
    mi, pi = MilestoneInstance, PhaseInstance
    done = _done_as_of(as_of)
    rows = session.execute(
        select(
            pi.area_id, pi.phase_id, pi.cycle, pi.opened_on, pi.completed_on,
            func.count(mi.id),
            func.coalesce(func.sum(case((done, 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(~done, mi.due_date < as_of), 1), else_=0)), 0),
        )
        .select_from(pi)
        .join(mi, and_(mi.phase_instance_id == pi.id, mi.retired.is_(False)), isouter=True)
        .where(pi.opened_on <= as_of)
        .group_by(pi.id)
    ).all()
    order = {p.id: i for i, p in enumerate(defs.process.phases)}
    current: dict[str, tuple[Any, ...]] = {}
    overdue: dict[str, int] = {}
    for row in rows:
        area_id, phase_id, cycle, _opened, completed = row[:5]
        if completed is None or completed > as_of:
            overdue[area_id] = overdue.get(area_id, 0) + int(row[7])
        best = current.get(area_id)
        if best is None or (order.get(phase_id, -1), cycle) > (order.get(best[1], -1), best[2]):
            current[area_id] = tuple(row)
    result = []
    areas = session.execute(select(Area).where(Area.active.is_(True)).order_by(Area.id)).scalars()
    for area in areas:
        best = current.get(area.id)
        if best is None:
            result.append(AreaStatus(area.id, area.name, None, None, None, 0, 0, 0))
        else:
            result.append(AreaStatus(area.id, area.name, best[1], best[2], best[3], int(best[5]), int(best[6]),
                                     overdue.get(area.id, 0)))
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

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("due_date", "done_on"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


def area_milestones(session: Session, defs: Definitions, area_id: str, as_of: date,
                    include_completed: bool = False) -> list[MilestoneStatus]:
    """The milestones of the area's phases open on ``as_of`` (all phases with ``include_completed``)."""
    mi, pi = MilestoneInstance, PhaseInstance
    query = (select(pi, mi).join(mi, mi.phase_instance_id == pi.id)
             .where(pi.area_id == area_id, pi.opened_on <= as_of)
             .order_by(pi.opened_on, pi.id, mi.due_date, mi.id))
    owners = {m.id: m for p in defs.process.phases for m in p.milestones}
    result = []
    for phase_row, row in session.execute(query).tuples():
        if not include_completed and phase_row.completed_on is not None and phase_row.completed_on <= as_of:
            continue
        done = row.status == "done" and row.done_on is not None and row.done_on <= as_of
        if row.retired:
            state = "retired"
        elif done:
            state = "done"
        elif row.due_date is not None and row.due_date < as_of:
            state = "overdue"
        else:
            state = "open"
        ms = owners.get(row.milestone_id)
        result.append(MilestoneStatus(
            phase_row.phase_id, phase_row.cycle, row.milestone_id, ms.owner if ms else "?", row.due_date,
            state, row.done_on if done else None, row.done_by if done else None,
            row.evidence if done else None, ms.required if ms else False))
    return result


def area_history(session: Session, area_id: str) -> list[Event]:
    return list(session.execute(
        select(Event).where(Event.area_id == area_id).order_by(Event.id)
    ).scalars())
