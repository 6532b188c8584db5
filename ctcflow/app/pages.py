"""What the overview shows, as plain data from a few set-based queries: every area × phase,
what is escalated, deliveries failing, vacancies, the latest reports. No web code here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session, col

from ctcflow.access.vacancies import Vacancy, vacancies
from ctcflow.core.gcpause import cyclic_gc_paused
from ctcflow.definition.loader import Definitions
from ctcflow.delivery.state import failing_sql
from ctcflow.engine.eventlog import SYSTEM
from ctcflow.engine.mornings import last_morning, recent_gap
from ctcflow.engine.status import MilestoneStatus, area_milestones, open_current_cell, phase_matrix
from ctcflow.report.archive import ArchivedReport, listed, occasion_sendings
from ctcflow.report.delivered import Sending
from ctcflow.report.escalated import Escalated, open_escalations
from ctcflow.report.model import PhaseSpan
from ctcflow.report.schedule import ReportOccasion, open_occasions
from db.models import Area, Event, MilestoneInstance, Morning, Notification, ReportArchive

TIMELINES_UP_TO = 40  # areas shown with a timeline (more: filter first)


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
    escalated: list[Escalated]  # open, heaviest first: the same rule as the briefs and the report
    failing: list[Failing]
    reports: list[ArchivedReport]
    vacancies: list[Vacancy]
    late_reports: list[ReportOccasion] = field(default_factory=list)  # due and not sent: first on the page
    # handed over, but a mail server refused a copy or it keeps failing: not delivered either
    undelivered: list[tuple[str, str, Sending]] = field(default_factory=list)  # (report id, year, sending)
    morning: Morning | None = None  # the last morning that ran to its end
    morning_gap: Morning | None = None  # a recent morning that followed working days without one


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
    activity: dict[str, date] = dict(session.execute(  # what people recorded, not what the process did
        select(col(Event.area_id), func.max(col(Event.effective_on)))
        .where(col(Event.effective_on) <= as_of, col(Event.area_id).is_not(None), col(Event.actor) != SYSTEM)
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
    return Overview(result, len(areas), open_escalations(session, defs, as_of), failing(session),
                    listed(session, as_of, drafts=False, scopes=lambda _: True)[:15], vacancies(defs, as_of),
                    late_reports(session, defs, as_of), undelivered_reports(session, as_of),
                    last_morning(session, as_of), recent_gap(session, as_of))


def late_reports(session: Session, defs: Definitions, as_of: date) -> list[ReportOccasion]:
    """Reports to the board whose due date has passed and that have not gone out."""
    return [o for o in open_occasions(session, defs, as_of, as_of) if o.due < as_of]


def undelivered_reports(session: Session, as_of: date) -> list[tuple[str, str, Sending]]:
    """Reports handed over whose newest sending no server has accepted yet: refused, failing,
    or still on its way."""
    found = []
    for key, sending in sorted(occasion_sendings(session, as_of).items()):
        if not sending.sent:
            report_id, _, year = key.partition("/")
            found.append((report_id, year, sending))
    return found


def failing(session: Session) -> list[Failing]:
    rows = session.execute(select(col(Notification.id), col(Notification.recipient), col(Notification.subject),
                                  col(Notification.attempts), col(Notification.last_error))
                           .where(failing_sql())
                           .order_by(col(Notification.attempts).desc(), col(Notification.id)).limit(100)).all()
    return [Failing(*row) for row in rows]


def reports_shown(session: Session, as_of: date, *, drafts: bool,
                  scopes: Callable[[str], bool]) -> list[ArchivedReport]:
    """The archived reports a page lists: sent ones (and drafts, for whoever sends reports) of
    the scopes the viewer may see."""
    return listed(session, as_of, drafts=drafts, scopes=scopes)


def archived_file(session: Session, archive_id: int) -> ReportArchive | None:
    return session.get(ReportArchive, archive_id)


def area_deadlines(session: Session, defs: Definitions, area_id: str, as_of: date, *,
                   include_completed: bool = False, include_retired: bool = True) -> list[MilestoneStatus]:
    """The area's milestones on the day (a calendar's deadlines, a report's input)."""
    return area_milestones(session, defs, area_id, as_of, include_completed=include_completed,
                           include_retired=include_retired)
