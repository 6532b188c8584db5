"""What the overview shows, as plain data from a few set-based queries: every area × phase,
what is escalated, deliveries failing, vacancies, the latest reports. No web code here."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlmodel import Session, col

from ctcflow.access.vacancies import Vacancy, vacancies
from ctcflow.core.gcpause import cyclic_gc_paused
from ctcflow.definition.loader import Definitions
from ctcflow.delivery.state import failing_sql
from ctcflow.engine.asof import open_on_sql
from ctcflow.engine.status import open_current_cell, phase_matrix
from ctcflow.report.archive import ArchivedReport, archived, grouped
from ctcflow.report.model import PhaseSpan
from db.models import Area, Event, MilestoneInstance, Notification

TIMELINES_UP_TO = 40  # areas shown with a timeline (more: filter first)
ESCALATION_DAYS = 30


@dataclass
class Cell:
    state: str  # approved | current | open (an older phase still open) | none
    cycle: int = 0
    opened_on: date | None = None
    completed_on: date | None = None
    total: int = 0
    done: int = 0
    overdue: int = 0

    @property
    def share(self) -> float:
        return self.done / self.total if self.total else 0.0


@dataclass
class OverviewRow:
    area_id: str
    name: str
    current_phase: str | None
    cells: dict[str, Cell]
    overdue: int
    last_activity: date | None
    spans: list[PhaseSpan] = field(default_factory=list)

    @property
    def share(self) -> float:
        cell = self.cells.get(self.current_phase or "")
        return cell.share if cell else 0.0


@dataclass
class Escalated:
    area_id: str
    milestone_id: str
    due: date
    first_on: date
    recipients: str


@dataclass
class Failing:
    id: int
    recipient: str
    subject: str
    attempts: int
    error: str | None


@dataclass
class Overview:
    rows: list[OverviewRow]
    total_areas: int
    escalated: list[Escalated]
    failing: list[Failing]
    reports: list[ArchivedReport]
    vacancies: list[Vacancy]


def overview(session: Session, defs: Definitions, as_of: date, *, phase: str | None = None,
             overdue_only: bool = False, query: str = "") -> Overview:
    """Every area's row of the matrix, filtered; the collector is paused while thousands of
    rows are built (it would rescan the city's definitions each time it runs)."""
    with cyclic_gc_paused():
        return _overview(session, defs, as_of, phase, overdue_only, query)


def _overview(session: Session, defs: Definitions, as_of: date, phase: str | None, overdue_only: bool,
              query: str) -> Overview:
    matrix = phase_matrix(session, as_of)
    order = defs.process.order
    activity: dict[str, date] = dict(session.execute(select(col(Event.area_id), func.max(col(Event.effective_on)))
                                    .where(col(Event.effective_on) <= as_of, col(Event.area_id).is_not(None))
                                    .group_by(col(Event.area_id))).tuples().all())
    areas = session.execute(select(col(Area.id), col(Area.name)).where(col(Area.active).is_(True))
                            .order_by(col(Area.name))).all()
    result = []
    needle = query.strip().lower()
    for area_id, name in areas:
        cells = matrix.get(area_id, [])
        current = open_current_cell(cells, order, as_of)
        by_phase: dict[str, Cell] = {}
        for cell in cells:  # the latest cycle of each phase shows
            state = "approved" if cell.approved_on else ("current" if cell is current else "open")
            by_phase[cell.phase_id] = Cell(state, cell.cycle, cell.opened_on, cell.approved_on,
                                           cell.total, cell.done, cell.overdue)
        row = OverviewRow(area_id, name, current.phase_id if current else None, by_phase,
                          sum(c.overdue for c in cells), activity.get(area_id))
        if needle and needle not in name.lower() and needle not in area_id:
            continue
        if phase and row.current_phase != phase:
            continue
        if overdue_only and not row.overdue:
            continue
        row.spans = [PhaseSpan(c.phase_id, c.cycle, c.opened_on, None, c.approved_on, c.instance_id) for c in cells]
        result.append(row)
    if len(result) <= TIMELINES_UP_TO:
        mi = MilestoneInstance
        shown = [s.instance_id for row in result for s in row.spans]
        planned: dict[int, date] = dict(session.execute(
            select(col(mi.phase_instance_id), func.max(col(mi.due_date))).where(
                col(mi.phase_instance_id).in_(shown), col(mi.retired).is_(False))
            .group_by(col(mi.phase_instance_id))).tuples().all())
        for row in result:
            row.spans = [replace(s, planned_end=planned.get(s.instance_id or 0)) for s in row.spans]
    else:
        for row in result:
            row.spans = []
    return Overview(result, len(areas), escalated(session, defs, as_of), failing(session),
                    grouped(archived(session))[:15], vacancies(defs, as_of))


def escalated(session: Session, defs: Definitions, as_of: date) -> list[Escalated]:
    """Milestones escalated in the last month and still not done."""
    n, mi = Notification, MilestoneInstance
    rows = session.execute(
        select(col(n.area_id), col(mi.milestone_id), col(mi.due_date), func.min(col(n.as_of)),
               func.count(col(n.id).distinct()))
        .join(mi, col(mi.id) == col(n.milestone_instance_id))
        .where(col(n.kind) == "escalation", col(n.as_of) <= as_of,
               col(n.as_of) >= as_of - timedelta(days=ESCALATION_DAYS),
               open_on_sql(as_of))
        .group_by(col(n.area_id), col(mi.id), col(mi.milestone_id), col(mi.due_date))
        .order_by(func.min(col(n.as_of)), col(n.area_id)).limit(200)).all()
    return [Escalated(a or "", m, due, first, str(count))
            for a, m, due, first, count in rows]


def failing(session: Session) -> list[Failing]:
    rows = session.execute(select(col(Notification.id), col(Notification.recipient), col(Notification.subject),
                                  col(Notification.attempts), col(Notification.last_error))
                           .where(failing_sql())
                           .order_by(col(Notification.attempts).desc(), col(Notification.id)).limit(100)).all()
    return [Failing(*row) for row in rows]
