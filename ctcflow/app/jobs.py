"""The scheduled jobs as plain functions — advance phases, sweep deadlines, compose the briefs
and deliver —
shared by the Prefect flows and the ``ctc`` command, so a replay from the command line does
exactly what the morning deployment does."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from ctcflow.app.evidence import forget_abandoned
from ctcflow.app.people import current_definitions
from ctcflow.core import calendar
from ctcflow.core.config import get_settings
from ctcflow.core.gcpause import cyclic_gc_paused
from ctcflow.core.streams import Counted
from ctcflow.definition.loader import Definitions
from ctcflow.engine.checks import evaluate, touched_areas
from ctcflow.engine.findings import Finding
from ctcflow.engine.mornings import record_morning
from ctcflow.engine.opening import advance, open_revisions
from ctcflow.engine.status import current_cell, phase_matrix
from ctcflow.notices.brief import compose_briefs
from ctcflow.notices.composer import Composer
from ctcflow.notices.deadlines import deadline_notices, phase_notices
from ctcflow.notices.findings import finding_notices
from ctcflow.notices.outbox import Notice, Planned, new_notices, write_new
from ctcflow.notices.stalls import stall_notices
from ctcflow.report.notices import report_notices
from db.engine import require_current_schema, session_scope
from db.models import Morning, PhaseInstance

if TYPE_CHECKING:  # delivery (apprise) and the report (its renderers) load when used: a sweep needs neither
    from ctcflow.delivery.sender import DeliveryReport


PREVIEW = 500  # a dry run renders (and the command line shows) this many of the notices it would add


@dataclass
class SweepResult:
    as_of: date
    dry_run: bool
    opened: list[tuple[str, str, int]] = field(default_factory=list)  # (area, phase, cycle)
    decided: int = 0  # how many notices the day calls for (most already in the outbox)
    enqueued: list[Planned] = field(default_factory=list)  # what this run added (dry run: the first PREVIEW it would)
    new: int = 0  # how many notices this run added (dry run: would add)
    findings: list[Finding] = field(default_factory=list)  # what the phases' own checks found lacking
    briefs: list[Planned] = field(default_factory=list)  # the briefs composed
    delivery: DeliveryReport | None = None
    morning: Morning | None = None  # the day's morning, recorded (with the working days missed before it)

    @property
    def business_day(self) -> bool:
        return calendar.is_business_day(self.as_of)


def open_phases_once(defs: Definitions, as_of: date) -> list[tuple[str, str, int]]:
    """Open what approved gates and elapsed cycles call for, in its own transaction. When a
    concurrent run opened the same phase first, the unique (area, phase, cycle) constraint
    refuses the second insert; the retry then finds nothing left to open."""
    for attempt in range(2):
        try:
            with session_scope() as session:
                opened = [*advance(session, defs, as_of), *open_revisions(session, defs, as_of)]
                return [(p.area_id, p.phase_id, p.cycle) for p in opened]
        except IntegrityError:
            if attempt:
                raise
    return []


@dataclass(frozen=True)
class MorningPlan:
    """Which parts of the morning to run: the command line runs them all, each scheduled flow
    its own part."""

    open_phases: bool = True
    deadlines: bool = True
    phase_work: bool = True
    dry_run: bool = False
    deliver: bool = True


OPEN_PHASES = MorningPlan(deadlines=False, phase_work=False, deliver=False)
DEADLINES = MorningPlan(open_phases=False, phase_work=False, deliver=False)


def sweep(as_of: date, plan: MorningPlan = MorningPlan(), defs: Definitions | None = None) -> SweepResult:
    """One transaction: open what the gates and cycles call for, decide the notices of the day
    and write the new ones to the outbox; then (not in a dry run) compose the briefs and
    deliver. A dry run decides the same and writes nothing."""
    require_current_schema()
    defs = defs or current_definitions()
    result = SweepResult(as_of, plan.dry_run)
    if plan.open_phases and not plan.dry_run:
        result.opened = open_phases_once(defs, as_of)
    with cyclic_gc_paused(), session_scope() as session:  # bulk work over a city's worth of small objects
        composer = Composer(defs, as_of)
        called_for: list[Iterable[Notice]] = []  # consumed a chunk at a time below, never all at once
        if plan.open_phases:
            if plan.dry_run:
                opened = [*advance(session, defs, as_of), *open_revisions(session, defs, as_of)]
                result.opened = [(p.area_id, p.phase_id, p.cycle) for p in opened]
            called_for.append(phase_notices(session, defs, as_of, composer))
        if plan.phase_work and result.business_day:
            result.findings = evaluate(session, defs, as_of)
            called_for.append(finding_notices(result.findings, defs, composer, as_of))
        if plan.deadlines:
            called_for += [deadline_notices(session, defs, as_of, composer),
                           report_notices(session, defs, as_of, composer), stall_notices(session, composer)]
        decided = Counted(chain.from_iterable(called_for))
        if plan.dry_run:
            fresh = new_notices(session, decided)
            result.decided, result.new = decided.count, len(fresh)
            result.enqueued = [n.render(composer.templates) for n in fresh[:PREVIEW]]
            session.rollback()
            return result
        result.enqueued = write_new(session, decided, composer.templates, defs.process.notification_policy.brief)
        result.decided, result.new = decided.count, len(result.enqueued)
    if plan.deliver and result.business_day:
        result.briefs, result.delivery = _brief_and_send(as_of, defs, briefs=True)
    forget_abandoned(get_settings())  # documents of refused forms nobody sent again
    if plan.deadlines and result.business_day:
        with session_scope() as session:  # the morning ran to its end: said, and a gap before it too
            result.morning = record_morning(session, as_of)
    return result


def _brief_and_send(day: date, defs: Definitions | None, briefs: bool) -> tuple[list[Planned], DeliveryReport]:
    """The day's briefs (if asked for, on a working day), then everything pending."""
    from ctcflow.delivery.sender import deliver_pending

    composed = compose(day, defs) if briefs and calendar.is_business_day(day) else []
    report = deliver_pending(sender_name=(defs or current_definitions()).org.sender_name)
    report.briefs = [b.recipient for b in composed]
    return composed, report


def compose(as_of: date, defs: Definitions | None = None) -> list[Planned]:
    """The day's briefs, in their own transaction (nothing before the brief's hour today)."""
    defs = defs or current_definitions()
    with session_scope() as session:
        return compose_briefs(session, Composer(defs, as_of))


def deliver(as_of: date | None = None, force: bool = False, briefs: bool = True) -> DeliveryReport | None:
    """Compose the day's briefs once their hour has come, then send what is pending — not on
    weekends and Swedish holidays unless ``force``."""
    require_current_schema()
    day = as_of or calendar.today()
    if not force and not calendar.is_business_day(day):
        return None
    return _brief_and_send(day, None, briefs)[1]


@dataclass
class PhaseWork:
    as_of: date
    opened: list[tuple[str, str, int]]
    findings: list[Finding]
    enqueued: list[Planned]
    active_areas: list[str]  # areas where something happened: a phase opened, new notices, new data
    runs: list[tuple[str, str]] = field(default_factory=list)  # (area, phase): the per-area phase steps to run


def phase_work(as_of: date, area_ids: list[str] | None = None, defs: Definitions | None = None) -> PhaseWork:
    """The phases' own checks for all areas (or some), in one transaction: revisions a new
    survey calls for are opened, what the data proves is marked, what is missing is told.
    Nothing on weekends and holidays."""
    require_current_schema()
    defs = defs or current_definitions()
    if not calendar.is_business_day(as_of):
        return PhaseWork(as_of, [], [], [], [])
    with session_scope() as session:
        opened = open_revisions(session, defs, as_of, area_ids)
        composer = Composer(defs, as_of)
        findings = evaluate(session, defs, as_of, area_ids)
        enqueued = write_new(session, finding_notices(findings, defs, composer, as_of), composer.templates,
                             defs.process.notification_policy.brief)
        active = touched_areas(session, as_of) | {p.area_id for p in opened} | {p.area_id or "" for p in enqueued}
        active.discard("")
        if area_ids is not None:
            active &= set(area_ids)
        runs = phase_runs(session, defs, as_of, sorted(active), findings, opened)
    return PhaseWork(as_of, [(p.area_id, p.phase_id, p.cycle) for p in opened], findings, enqueued, sorted(active),
                     runs)


def phase_runs(session: Session, defs: Definitions, as_of: date, active: list[str], findings: list[Finding],
               opened: list[PhaseInstance]) -> list[tuple[str, str]]:
    """Which per-area phase steps show a day's work: in each area where something happened, the
    phases with a finding or just opened — or, with neither, the area's current phase."""
    touched: dict[str, set[str]] = {}
    for area_id, phase_id in [*((f.area_id, f.phase_id) for f in findings), *((p.area_id, p.phase_id) for p in opened)]:
        touched.setdefault(area_id, set()).add(phase_id)
    quiet = [a for a in active if a not in touched]
    matrix = phase_matrix(session, as_of) if quiet else {}
    runs = []
    for area_id in active:
        phases = sorted(touched.get(area_id, ()))
        if not phases:
            current = current_cell(matrix.get(area_id, []), defs.process.order, as_of)
            phases = [current.phase_id] if current else []
        runs += [(area_id, phase_id) for phase_id in phases]
    return runs


@dataclass
class ReportsSent:
    as_of: date
    sent: list[tuple[str, list[str]]]  # (occasion key, recipients)
    gaps: int
    delivery: DeliveryReport | None = None


def send_due_reports(as_of: date, *, defs: Definitions | None = None, deliver: bool = True) -> ReportsSent:
    """The ks-report deployment: every report due by today and not sent yet is rendered,
    archived and sent now — on time, its gaps stated. Nothing on weekends and holidays (a due
    date never falls on one)."""

    require_current_schema()
    defs = defs or current_definitions()
    if not calendar.is_business_day(as_of):
        return ReportsSent(as_of, [], 0)
    from ctcflow.delivery.sender import deliver_pending
    from ctcflow.report.service import send_due

    with session_scope() as session:
        done = send_due(session, defs, get_settings(), as_of)
    result = ReportsSent(as_of, [(o.key, people) for o, people, _ in done], sum(g for _, _, g in done))
    if done and deliver:
        result.delivery = deliver_pending(sender_name=defs.org.sender_name)
    return result
