"""What the pages show, as plain data from a few set-based queries: the city overview (every
area × phase), an area's milestones and history, the report archive. No web code here."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlmodel import Session

from ctcflow.definitions import Definitions
from ctcflow.delivery import FAILING_AFTER
from ctcflow.gcpause import cyclic_gc_paused
from ctcflow.report.archive import Archived, archived
from ctcflow.report.content import PhaseSpan
from db.models import Area, Event, MilestoneInstance, Notification, PhaseInstance

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
    area_name: str
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
    reports: list[Archived]


def overview(session: Session, defs: Definitions, as_of: date, *, phase: str | None = None,
             overdue_only: bool = False, query: str = "") -> Overview:
    """Every area's row of the matrix, filtered; the collector is paused while thousands of
    rows are built (it would rescan the city's definitions each time it runs)."""
    with cyclic_gc_paused():
        return _overview(session, defs, as_of, phase, overdue_only, query)


def _overview(session: Session, defs: Definitions, as_of: date, phase: str | None, overdue_only: bool,
              query: str) -> Overview:
    mi, pi = MilestoneInstance, PhaseInstance
    done = and_(mi.status == "done", mi.done_on <= as_of)
    still_open = or_(pi.completed_on.is_(None), pi.completed_on > as_of)
    # milestones are counted for the phases open on the day only: an approved phase shows its date
    rows = session.execute(
        select(pi.id, pi.area_id, pi.phase_id, pi.cycle, pi.opened_on, pi.completed_on, func.count(mi.id),
               func.coalesce(func.sum(case((done, 1), else_=0)), 0),
               func.coalesce(func.sum(case((and_(~done, mi.due_date < as_of), 1), else_=0)), 0))
        .select_from(pi)
        .join(mi, and_(mi.phase_instance_id == pi.id, mi.retired.is_(False), still_open), isouter=True)
        .where(pi.opened_on <= as_of)
        .group_by(pi.id)
        .order_by(pi.area_id, pi.opened_on, pi.id)).all()
    order = {p.id: i for i, p in enumerate(defs.process.phases)}
    cells: dict[str, dict[str, Cell]] = {}
    spans: dict[str, list[PhaseSpan]] = {}
    overdue: dict[str, int] = {}  # over every open phase, an earlier cycle's included
    for instance_id, area_id, phase_id, cycle, opened, completed, total, n_done, n_overdue in rows:
        approved = completed is not None and completed <= as_of
        cell = Cell("approved" if approved else "open", cycle, opened, completed if approved else None,
                    int(total), int(n_done), 0 if approved else int(n_overdue))
        overdue[area_id] = overdue.get(area_id, 0) + cell.overdue
        by_phase = cells.setdefault(area_id, {})
        if phase_id not in by_phase or by_phase[phase_id].cycle <= cycle:
            by_phase[phase_id] = cell
        spans.setdefault(area_id, []).append(PhaseSpan(phase_id, cycle, opened, None,
                                                       completed if approved else None, instance_id))
    activity: dict[str, date] = dict(session.execute(select(Event.area_id, func.max(Event.effective_on))
                                    .where(Event.effective_on <= as_of, Event.area_id.is_not(None))
                                    .group_by(Event.area_id)).tuples().all())
    areas = session.execute(select(Area.id, Area.name).where(Area.active.is_(True)).order_by(Area.name)).all()
    result = []
    needle = query.strip().lower()
    for area_id, name in areas:
        by_phase = cells.get(area_id, {})
        open_phases = [p for p, c in by_phase.items() if c.state == "open"]
        current = max(open_phases, key=lambda p: (order.get(p, -1), by_phase[p].cycle), default=None)
        if current:
            by_phase[current].state = "current"
        row = OverviewRow(area_id, name, current, by_phase, overdue.get(area_id, 0), activity.get(area_id))
        if needle and needle not in name.lower() and needle not in area_id:
            continue
        if phase and current != phase:
            continue
        if overdue_only and not row.overdue:
            continue
        result.append(row)
    if len(result) <= TIMELINES_UP_TO:
        shown = [s for row in result for s in spans.get(row.area_id, [])]
        planned: dict[int, date] = dict(session.execute(
            select(mi.phase_instance_id, func.max(mi.due_date)).where(
                mi.phase_instance_id.in_([s.instance_id for s in shown]), mi.retired.is_(False))
            .group_by(mi.phase_instance_id)).tuples().all())
        for row in result:
            row.spans = [replace(s, planned_end=planned.get(s.instance_id)) for s in spans.get(row.area_id, [])]
    return Overview(result, len(areas), escalated(session, defs, as_of), failing(session), archived(session)[:30])


def escalated(session: Session, defs: Definitions, as_of: date) -> list[Escalated]:
    """Milestones escalated in the last month and still not done."""
    n, mi = Notification, MilestoneInstance
    names = {a.id: a.name for a in defs.org.areas}
    rows = session.execute(
        select(n.area_id, mi.milestone_id, mi.due_date, func.min(n.as_of), func.count(n.id.distinct()))
        .join(mi, mi.id == n.milestone_instance_id)
        .where(n.kind == "escalation", n.as_of <= as_of, n.as_of >= as_of - timedelta(days=ESCALATION_DAYS),
               or_(mi.status == "open", mi.done_on > as_of))
        .group_by(n.area_id, mi.id, mi.milestone_id, mi.due_date)
        .order_by(func.min(n.as_of), n.area_id).limit(200)).all()
    return [Escalated(a or "", names.get(a or "", a or ""), m, due, first, str(count))
            for a, m, due, first, count in rows]


def failing(session: Session) -> list[Failing]:
    rows = session.execute(select(Notification.id, Notification.recipient, Notification.subject,
                                  Notification.attempts, Notification.last_error)
                           .where(Notification.status == "pending", Notification.attempts >= FAILING_AFTER)
                           .order_by(Notification.attempts.desc(), Notification.id).limit(100)).all()
    return [Failing(*row) for row in rows]


@dataclass
class MilestoneRow:
    instance_id: int
    milestone_id: str
    phase_id: str
    cycle: int
    due: date | None
    state: str  # done | open | overdue
    done_on: date | None
    done_by: str | None
    evidence: str | None
    note: str | None


@dataclass
class AreaPage:
    area_id: str
    name: str
    current_phase: str | None
    milestones: list[MilestoneRow]  # of the phases open on the day
    approved: list[tuple[str, int, date, date | None]]  # phase, cycle, opened, approved
    history: list[Event]


def area_page(session: Session, area_id: str, as_of: date, history: int = 60) -> AreaPage | None:
    area = session.get(Area, area_id)
    if area is None or not area.active:
        return None
    mi, pi = MilestoneInstance, PhaseInstance
    phases = session.execute(select(pi).where(pi.area_id == area_id, pi.opened_on <= as_of)
                             .order_by(pi.opened_on, pi.id)).scalars().all()
    open_ids = [p.id for p in phases if p.completed_on is None or p.completed_on > as_of]
    rows = session.execute(select(mi, pi.phase_id, pi.cycle).join(pi, pi.id == mi.phase_instance_id)
                           .where(mi.phase_instance_id.in_(open_ids), mi.retired.is_(False))
                           .order_by(pi.opened_on, mi.due_date, mi.id)).all() if open_ids else []
    milestones = []
    for m, phase_id, cycle in rows:
        done = m.status == "done" and m.done_on is not None and m.done_on <= as_of
        state = "done" if done else ("overdue" if m.due_date and m.due_date < as_of else "open")
        milestones.append(MilestoneRow(m.id, m.milestone_id, phase_id, cycle, m.due_date, state,
                                       m.done_on if done else None, m.done_by if done else None,
                                       m.evidence if done else None, m.note if done else None))
    current = next((p.phase_id for p in reversed(phases) if p.id in open_ids), None)
    events = list(session.execute(select(Event).where(Event.area_id == area_id, Event.effective_on <= as_of)
                                  .order_by(Event.id.desc()).limit(history)).scalars())
    approved = [(p.phase_id, p.cycle, p.opened_on, p.completed_on) for p in phases if p.id not in open_ids]
    return AreaPage(area_id, area.name, current, milestones, approved, events)
