"""Use cases shared by the CLI, the flows and the web: load the definitions, open one
transaction, call the domain functions. Each is all-or-nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, select, update

from ctcflow.definitions import Definitions, load_definitions
from ctcflow.errors import CtcError
from ctcflow.ics import area_calendar
from ctcflow.phasework import Finding
from ctcflow.progress import advance, approve, mark_done, undo_done
from ctcflow.status import AreaStatus, MilestoneStatus, area_history, area_milestones, city_status
from ctcflow.sync import SyncPlan, apply_sync, plan_sync
from db.engine import get_engine, require_current_schema, session_scope, upgrade
from db.models import Area, Event, MandateEntry, MilestoneInstance, Notification, PhaseInstance, SurveyWave

if TYPE_CHECKING:
    from ctcflow.records import CostImport


def init_database(as_of: date) -> SyncPlan:
    defs = load_definitions()  # refuse bad definitions before touching the database
    upgrade()
    return sync_database(as_of, defs=defs)


def sync_database(as_of: date, dry_run: bool = False, defs: Definitions | None = None) -> SyncPlan:
    defs = defs or load_definitions()
    require_current_schema()
    with session_scope() as session:
        plan = plan_sync(session, defs)
        if not dry_run:
            apply_sync(session, defs, plan, as_of)
            advance(session, defs, as_of)
    return plan


def check_database(defs: Definitions) -> SyncPlan | None:
    """The changes `ctc sync` would make, or None when there is no database yet."""
    if not inspect(get_engine()).has_table("alembic_version"):
        return None
    require_current_schema()
    with session_scope() as session:
        plan = plan_sync(session, defs)
        session.rollback()
    return plan


def _ready() -> Definitions:
    defs = load_definitions()
    require_current_schema()
    return defs


def status_report(as_of: date, area_id: str | None) -> tuple[Definitions, list[AreaStatus], list[MilestoneStatus]]:
    defs = _ready()
    with session_scope() as session:
        areas = city_status(session, defs, as_of)
        if area_id is None:
            return defs, areas, []
        if session.get(Area, area_id) is None:
            raise CtcError(f"unknown area '{area_id}'; known areas: {', '.join(a.area_id for a in areas)}")
        return defs, [a for a in areas if a.area_id == area_id], area_milestones(session, defs, area_id, as_of)


def record_done(area_id: str, milestone_id: str, *, by: str, as_of: date,
                evidence: str | None, note: str | None) -> MilestoneInstance:
    defs = _ready()
    with session_scope() as session:
        return mark_done(session, defs, area_id, milestone_id, by=by, as_of=as_of, evidence=evidence, note=note)


def record_undo(area_id: str, milestone_id: str, *, by: str, as_of: date, note: str | None) -> MilestoneInstance:
    defs = _ready()
    with session_scope() as session:
        return undo_done(session, defs, area_id, milestone_id, by=by, as_of=as_of, note=note)


def record_approval(area_id: str, phase_id: str, *, by: str, as_of: date, note: str | None) -> list[PhaseInstance]:
    defs = _ready()
    with session_scope() as session:
        return approve(session, defs, area_id, phase_id, by=by, as_of=as_of, note=note)


def history(area_id: str) -> list[Event]:
    _ready()
    with session_scope() as session:
        if session.get(Area, area_id) is None:
            raise CtcError(f"unknown area '{area_id}'")
        return area_history(session, area_id)


def calendar_file(area_id: str, as_of: date, lang: str) -> str:
    defs = _ready()
    with session_scope() as session:
        if session.get(Area, area_id) is None:
            raise CtcError(f"unknown area '{area_id}'")
        milestones = area_milestones(session, defs, area_id, as_of)
    return area_calendar(defs, area_id, milestones, lang)


def outbox_rows(status: str | None, area_id: str | None, limit: int) -> list[Notification]:
    """Newest first; ``failing`` means pending after at least one failed attempt."""
    require_current_schema()
    query = select(Notification).order_by(Notification.id.desc()).limit(limit)
    if status == "failing":
        query = query.where(Notification.status == "pending", Notification.attempts > 0)
    elif status:
        query = query.where(Notification.status == status)
    if area_id:
        query = query.where(Notification.area_id == area_id)
    with session_scope() as session:
        return list(session.execute(query).scalars())


def retry_now(ids: list[int]) -> int:
    """Make pending deliveries due at once (all that have failed when ``ids`` is empty)."""
    require_current_schema()
    query = update(Notification).where(Notification.status == "pending")
    query = query.where(Notification.id.in_(ids)) if ids else query.where(Notification.attempts > 0)
    with session_scope() as session:
        return int(session.execute(query.values(next_attempt_at=datetime.now(tz=UTC))).rowcount or 0)


def survey_profile(area_id: str, wave_id: str, lang: str) -> str:
    return survey_profiles([area_id], wave_id, lang)[area_id]


def survey_profiles(area_ids: list[str], wave_id: str, lang: str) -> dict[str, str]:
    """Områdesprofiler as HTML, the definitions loaded once for all of them."""
    from ctcflow.survey.definition import load_survey
    from ctcflow.survey.profile import render_profile

    defs, survey = _ready(), load_survey()
    with session_scope() as session:
        return {area_id: render_profile(session, defs, survey, area_id, wave_id, lang) for area_id in area_ids}


def survey_waves() -> list[SurveyWave]:
    require_current_schema()
    with session_scope() as session:
        return list(session.execute(select(SurveyWave).order_by(SurveyWave.id)).scalars())


def plan_goal(area_id: str, subject: str, target: str, *, by: str, as_of: date) -> None:
    from ctcflow.plan import add_goal
    from ctcflow.survey.definition import load_survey

    defs = _ready()
    with session_scope() as session:
        add_goal(session, defs, load_survey(), area_id, subject, target, by=by, as_of=as_of)


def plan_programme(area_id: str, factor_id: str, programme_id: str, *, by: str, as_of: date,
                   note: str | None) -> None:
    from ctcflow.plan import add_programme
    from ctcflow.programmes import load_programmes

    defs = _ready()
    with session_scope() as session:
        add_programme(session, defs, load_programmes(), area_id, factor_id, programme_id, by=by, as_of=as_of,
                      note=note)


def plan_document(area_id: str, lang: str) -> str:
    from ctcflow.config import get_settings
    from ctcflow.messages import renderer
    from ctcflow.plan import plan_context
    from ctcflow.programmes import load_programmes
    from ctcflow.survey.definition import load_survey

    defs = _ready()
    with session_scope() as session:
        context = plan_context(session, defs, load_survey(), load_programmes(), area_id, lang)
    return renderer(get_settings().templates_dir).page("handlingsplan", lang, **context)


def implementation(area_id: str, programme_id: str, *, period_end: date, sessions_planned: int,
                   sessions_held: int, participants: int, adherence: float, by: str, as_of: date,
                   note: str | None) -> bool:
    """Records one period; returns whether its fidelity is below the programme's minimum."""
    from ctcflow.plan import record_implementation
    from ctcflow.programmes import load_programmes

    defs = _ready()
    with session_scope() as session:
        _, low = record_implementation(session, defs, load_programmes(), area_id, programme_id,
                                       period_end=period_end, sessions_planned=sessions_planned,
                                       sessions_held=sessions_held, participants=participants,
                                       adherence=adherence, by=by, as_of=as_of, note=note)
    return low


def phase_findings(as_of: date, area_id: str | None) -> tuple[Definitions, list[Finding]]:
    """What the phases' own checks find, without acting on it (the transaction is rolled back)."""
    from ctcflow.phasework import evaluate

    defs = _ready()
    with session_scope() as session:
        if area_id is not None and session.get(Area, area_id) is None:
            raise CtcError(f"unknown area '{area_id}'")
        findings = evaluate(session, defs, as_of, [area_id] if area_id else None)
        session.rollback()
    return defs, findings


def cost_import(path: Path, *, by: str, as_of: date) -> CostImport:
    from ctcflow.records import import_costs

    defs = _ready()
    with session_scope() as session:
        return import_costs(session, defs, path, by=by, as_of=as_of)


def cost_add(**fields: Any) -> None:
    from ctcflow.records import add_cost

    defs = _ready()
    with session_scope() as session:
        add_cost(session, defs, **fields)


def cost_table(years: list[int] | None) -> list[tuple[int, str | None, str, int]]:
    from ctcflow.records import cost_totals

    _ready()
    with session_scope() as session:
        return cost_totals(session, years)


def mandate_add(area_id: str, kind: str, **fields: Any) -> None:
    from ctcflow.records import add_mandate_entry

    defs = _ready()
    with session_scope() as session:
        if session.get(Area, area_id) is None:
            raise CtcError(f"unknown area '{area_id}'")
        add_mandate_entry(session, defs, area_id, kind, **fields)


def mandate_list(area_id: str | None, kind: str | None) -> list[MandateEntry]:
    from ctcflow.records import mandate_entries

    _ready()
    with session_scope() as session:
        return mandate_entries(session, area_id, kind)


def report_make(report_id: str, period: str | None, *, as_of: date, lang: str, area_id: str | None,
                formats: tuple[str, ...], send: bool, by: str) -> tuple[Any, list[Any], list[str]]:
    """Render (and archive) a report; with ``send``, put it in the outbox for its recipients in
    the same transaction. Returns the content, the files, and whom it was sent to."""
    from ctcflow.config import get_settings
    from ctcflow.report.render import FORMATS
    from ctcflow.report.service import produce, request_for
    from ctcflow.report.service import send as send_report

    defs = _ready()
    settings = get_settings()
    request = request_for(defs, report_id, period, as_of, lang, area_id)
    with session_scope() as session:
        if session.get(Area, area_id or "") is None and area_id is not None:
            raise CtcError(f"area '{area_id}' is not in the database; run `ctc sync`")
        wanted = tuple(f for f in FORMATS if f in formats or (send and f == "pdf"))
        content, files = produce(session, defs, settings, request, by=by, formats=wanted)
        sent_to = send_report(session, defs, settings, request, files, by=by) if send else []
    return content, [f for f, _ in files if f.format in formats], sent_to


def report_archive(report_id: str | None = None) -> list[Any]:
    from ctcflow.report.archive import archived

    _ready()
    with session_scope() as session:
        return archived(session, report_id)


def report_file(archive_id: int) -> tuple[str, bytes]:
    from db.models import ReportArchive

    _ready()
    with session_scope() as session:
        row = session.get(ReportArchive, archive_id)
        if row is None:
            raise CtcError(f"no archived report with id {archive_id}; see `ctc report list`")
        return row.filename, bytes(row.content)


def report_calendar(as_of: date) -> list[tuple[Any, Any]]:
    """Every report occasion up to a year ahead: (occasion, the day it was sent or None)."""
    from ctcflow.report.archive import sent_on
    from ctcflow.report.schedule import occasions

    defs = _ready()
    with session_scope() as session:
        sent = sent_on(session, as_of)
        return [(o, sent.get(o.key)) for o in occasions(defs, date(as_of.year + 1, 12, 31))]
