"""The scheduled jobs as plain functions — advance phases, sweep deadlines, deliver, digest —
shared by the Prefect flows and the ``ctc`` command, so a replay from the command line does
exactly what the morning deployment does."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.exc import IntegrityError

from ctcflow import calendar
from ctcflow.definitions import Definitions, load_definitions
from ctcflow.delivery import DeliveryReport, deliver_pending
from ctcflow.digest import digest_notices
from ctcflow.outbox import Notice, Planned, render_new, write_new
from ctcflow.phasework import Finding, evaluate, finding_notices, open_revisions, touched_areas
from ctcflow.progress import advance
from ctcflow.report.notices import report_notices
from ctcflow.sweep import Composer, deadline_notices, phase_notices
from db.engine import require_current_schema, session_scope


@dataclass
class SweepResult:
    as_of: date
    dry_run: bool
    opened: list[tuple[str, str, int]] = field(default_factory=list)  # (area, phase, cycle)
    planned: list[Notice] = field(default_factory=list)  # everything the day calls for
    enqueued: list[Planned] = field(default_factory=list)  # what this run added (dry run: would add)
    findings: list[Finding] = field(default_factory=list)  # what the phases' own checks found lacking
    delivery: DeliveryReport | None = None

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


def sweep(as_of: date, *, open_phases: bool = True, deadlines: bool = True, digest: bool = False,
          phase_work: bool = True, dry_run: bool = False, deliver: bool = True,
          defs: Definitions | None = None) -> SweepResult:
    """One transaction: open what the gates and cycles call for, decide the notices of the day
    and write the new ones to the outbox; then (not in a dry run) deliver. A dry run decides
    the same and writes nothing."""
    require_current_schema()
    defs = defs or load_definitions()
    result = SweepResult(as_of, dry_run)
    if open_phases and not dry_run:
        result.opened = open_phases_once(defs, as_of)
    with session_scope() as session:
        composer = Composer(defs, as_of)
        if open_phases:
            if dry_run:
                opened = [*advance(session, defs, as_of), *open_revisions(session, defs, as_of)]
                result.opened = [(p.area_id, p.phase_id, p.cycle) for p in opened]
            result.planned += phase_notices(session, defs, as_of, composer)
        if phase_work and result.business_day:
            result.findings = evaluate(session, defs, as_of)
            result.planned += finding_notices(result.findings, defs, composer, as_of)
        if deadlines:
            result.planned += deadline_notices(session, defs, as_of, composer)
            result.planned += report_notices(session, defs, as_of, composer)
        if digest:
            result.planned += digest_notices(session, defs, as_of, composer)
        if dry_run:
            result.enqueued = render_new(session, result.planned, composer.templates)
            session.rollback()
            return result
        result.enqueued = write_new(session, result.planned, composer.templates)
    if deliver and result.business_day:
        result.delivery = deliver_pending()
    return result


def deliver(as_of: date | None = None, force: bool = False) -> DeliveryReport | None:
    """Send what is pending — not on weekends and Swedish holidays unless ``force``."""
    require_current_schema()
    if not force and not calendar.is_business_day(as_of or calendar.today()):
        return None
    return deliver_pending()


@dataclass
class PhaseWork:
    as_of: date
    opened: list[tuple[str, str, int]]
    findings: list[Finding]
    enqueued: list[Planned]
    active_areas: list[str]  # areas where something happened: a phase opened, new notices, new data


def phase_work(as_of: date, area_ids: list[str] | None = None, defs: Definitions | None = None) -> PhaseWork:
    """The phases' own checks for all areas (or some), in one transaction: revisions a new
    survey calls for are opened, what the data proves is marked, what is missing is told.
    Nothing on weekends and holidays."""
    require_current_schema()
    defs = defs or load_definitions()
    if not calendar.is_business_day(as_of):
        return PhaseWork(as_of, [], [], [], [])
    with session_scope() as session:
        opened = open_revisions(session, defs, as_of, area_ids)
        composer = Composer(defs, as_of)
        findings = evaluate(session, defs, as_of, area_ids)
        enqueued = write_new(session, finding_notices(findings, defs, composer, as_of), composer.templates)
        active = touched_areas(session, as_of) | {p.area_id for p in opened} | {p.area_id or "" for p in enqueued}
    active.discard("")
    if area_ids is not None:
        active &= set(area_ids)
    return PhaseWork(as_of, [(p.area_id, p.phase_id, p.cycle) for p in opened], findings, enqueued, sorted(active))


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
    from ctcflow.config import get_settings
    from ctcflow.report.service import send_due

    require_current_schema()
    defs = defs or load_definitions()
    if not calendar.is_business_day(as_of):
        return ReportsSent(as_of, [], 0)
    with session_scope() as session:
        done = send_due(session, defs, get_settings(), as_of)
    result = ReportsSent(as_of, [(o.key, people) for o, people, _ in done], sum(g for _, _, g in done))
    if done and deliver:
        result.delivery = deliver_pending()
    return result
