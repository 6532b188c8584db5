"""What an area's page shows, as plain data: the tasks most urgent first, each open phase
instance with its round said and its gate, the approved phases, the latest history. No web code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel import Session, col

from ctcflow.definition.loader import Definitions
from ctcflow.engine.approval import gate_for
from ctcflow.engine.gates import GateStatus
from ctcflow.engine.status import MilestoneStatus, area_milestones, open_current_cell, phase_matrix
from ctcflow.engine.todo import Task, area_tasks
from db.models import Area, Event, PhaseInstance, SurveyWave


@dataclass
class PhaseBlock:
    """One open phase instance on the area's page: the cycle said in words, its tasks."""

    phase_id: str
    cycle: int
    opened_on: date
    after_wave: str | None  # a revision's cycle: the survey wave that reopened it
    tasks: list[Task]
    gate: GateStatus | None = None


@dataclass
class AreaPage:
    area_id: str
    name: str
    current_phase: str | None
    todo: list[Task]  # overdue, due soon, waiting — the first thing shown
    phases: list[PhaseBlock]
    approved: list[tuple[str, int, date, date]]  # phase, cycle, opened, approved
    history: list[Event]
    older: bool = False  # the history goes on beyond this page

    def named_round(self, task: Task) -> bool:
        """Say the round: a later one, or one of two rounds of the phase open at once."""
        return task.status.cycle > 1 or sum(b.phase_id == task.status.phase_id for b in self.phases) > 1


HISTORY_PAGE = 60


def area_page(session: Session, defs: Definitions, area_id: str, as_of: date, lang: str = "sv",
              history: int = HISTORY_PAGE, history_page: int = 1) -> AreaPage | None:
    """The area as its page shows it; the history ``history`` events at a time, newest first,
    page ``history_page`` of them (the whole history is there, a page at a time)."""
    area = session.get(Area, area_id)
    if area is None or not area.active:
        return None
    cells = phase_matrix(session, as_of).get(area_id, [])
    current = open_current_cell(cells, defs.process.order, as_of)
    events = list(session.execute(select(Event).where(col(Event.area_id) == area_id, col(Event.effective_on) <= as_of)
                                  .order_by(col(Event.id).desc()).offset((history_page - 1) * history)
                                  .limit(history + 1)).scalars())
    approved = [(c.phase_id, c.cycle, c.opened_on, c.approved_on) for c in cells if c.approved_on]
    tasks = area_tasks(session, defs, area_id, as_of)
    waves = list(session.execute(select(col(SurveyWave.id), col(SurveyWave.as_of)).where(col(SurveyWave.as_of) <= as_of)
                                 .order_by(col(SurveyWave.as_of))).tuples())
    blocks: dict[int, PhaseBlock] = {}
    for cell in sorted(cells, key=lambda c: (c.opened_on, c.instance_id or 0)):
        if cell.approved_on is None and cell.instance_id:
            recurs = defs.process.phase(cell.phase_id).recurs_every_years
            after = [w for w, day in waves if day <= cell.opened_on] if cell.cycle > 1 and not recurs else []
            instance = session.get(PhaseInstance, cell.instance_id)
            assert instance is not None
            blocks[cell.instance_id] = PhaseBlock(cell.phase_id, cell.cycle, cell.opened_on,
                                                  after[-1] if after else None, [],
                                                  gate_for(session, defs, instance, as_of, lang))
    for task in tasks:
        block = blocks.get(task.status.phase_instance_id)
        if block is not None:
            block.tasks.append(task)
    return AreaPage(area_id, area.name, current.phase_id if current else None, [t for t in tasks if t.now],
                    list(blocks.values()), approved, events[:history], len(events) > history)


def done_milestone(session: Session, defs: Definitions, area_id: str, instance_id: int,
                   as_of: date) -> MilestoneStatus | None:
    """A milestone done in one of the area's open phases (what an undo would reopen)."""
    found = [m for m in area_milestones(session, defs, area_id, as_of, include_retired=False)
             if m.instance_id == instance_id and m.state == "done"]
    return found[0] if found else None
