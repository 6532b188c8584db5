"""Use cases of the phase engine: where areas stand, milestones done and undone, approvals,
the history, the calendar feed, what the phases' checks find."""

from __future__ import annotations

from datetime import date

from ctcflow.access.permissions import Scope
from ctcflow.access.vacancies import Vacancy, vacancies
from ctcflow.app.context import ready
from ctcflow.app.people import current_definitions
from ctcflow.core.config import Settings
from ctcflow.definition.loader import Definitions
from ctcflow.engine import marking
from ctcflow.engine.approval import approve
from ctcflow.engine.checks import evaluate
from ctcflow.engine.findings import Finding
from ctcflow.engine.ics import area_calendar
from ctcflow.engine.instances import NotInArea, known_area
from ctcflow.engine.marking import mark_done, undo_done
from ctcflow.engine.status import AreaStatus, MilestoneStatus, area_history, area_milestones, city_status
from db.engine import session_scope
from db.models import Event, MilestoneInstance, PhaseInstance

__all__ = ["NotInArea"]


def status_report(as_of: date, area_id: str | None) -> tuple[Definitions, list[AreaStatus], list[MilestoneStatus]]:
    defs = ready()
    with session_scope() as session:
        areas = city_status(session, defs, as_of)
        if area_id is None:
            return defs, areas, []
        known_area(session, defs, area_id, retired_too=True)
        return defs, [a for a in areas if a.area_id == area_id], area_milestones(session, defs, area_id, as_of)


def vacant_roles(as_of: date, defs: Definitions | None = None) -> list[Vacancy]:
    """Roles nobody holds on ``as_of``, in areas and centrally, each since when."""
    return vacancies(defs or current_definitions(), as_of)


def record_done(area_id: str, milestone_id: str, *, by: str, as_of: date, evidence: str | None,
                note: str | None, defs: Definitions | None = None,
                settings: Settings | None = None) -> MilestoneInstance:
    """A milestone done, by its name (the command line, a script): the oldest round still open."""
    defs = defs or ready(settings)
    with session_scope(settings) as session:
        return mark_done(session, defs, area_id, milestone_id, by=by, as_of=as_of, evidence=evidence, note=note)


def record_undo(area_id: str, milestone_id: str, *, by: str, as_of: date, note: str | None,
                defs: Definitions | None = None, settings: Settings | None = None) -> MilestoneInstance:
    defs = defs or ready(settings)
    with session_scope(settings) as session:
        return undo_done(session, defs, area_id, milestone_id, by=by, as_of=as_of, note=note)


def history(area_id: str) -> list[Event]:
    defs = ready()
    with session_scope() as session:
        known_area(session, defs, area_id, retired_too=True)
        return area_history(session, area_id)


def calendar_file(area_id: str, as_of: date, lang: str) -> str:
    defs = ready()
    with session_scope() as session:
        known_area(session, defs, area_id, retired_too=True)
        milestones = area_milestones(session, defs, area_id, as_of)
    return area_calendar(defs, area_id, milestones, lang)


def phase_findings(as_of: date, area_id: str | None) -> tuple[Definitions, list[Finding]]:
    """What the phases' own checks find, without acting on it (the transaction is rolled back)."""
    defs = ready()
    with session_scope() as session:
        if area_id is not None:
            known_area(session, defs, area_id, retired_too=True)
        findings = evaluate(session, defs, as_of, [area_id] if area_id else None)
        session.rollback()
    return defs, findings


def mark_instance(defs: Definitions, settings: Settings, area_id: str, instance_id: int, *, by: str, as_of: date,
                  evidence: str | None, note: str | None, scope: Scope | None = None) -> MilestoneInstance:
    """The web's "done" on one milestone instance (the page shows instances, not names)."""
    with session_scope(settings) as session:
        return marking.mark_instance(session, defs, area_id, instance_id, by=by, as_of=as_of, evidence=evidence,
                                     note=note, scope=scope)


def undo_instance(defs: Definitions, settings: Settings, area_id: str, instance_id: int, *, by: str, as_of: date,
                  note: str | None, scope: Scope | None = None) -> MilestoneInstance:
    with session_scope(settings) as session:
        return marking.undo_instance(session, defs, area_id, instance_id, by=by, as_of=as_of, note=note,
                                     scope=scope)


def close_instance(defs: Definitions, settings: Settings, area_id: str, instance_id: int, *, by: str, as_of: date,
                   reason: str, scope: Scope | None = None) -> MilestoneInstance:
    with session_scope(settings) as session:
        return marking.close_instance(session, defs, area_id, instance_id, by=by, as_of=as_of, reason=reason,
                                      scope=scope)


def approve_phase(area_id: str, phase_id: str, *, by: str, as_of: date, note: str | None = None,
                  cycle: int | None = None, scope: Scope | None = None, defs: Definitions | None = None,
                  settings: Settings | None = None) -> list[PhaseInstance]:
    """A phase approved — the round ``cycle`` (the one a page shows), or the oldest one open —
    and what opens next: for the command line, the web and the tests alike."""
    defs = defs or ready(settings)
    with session_scope(settings) as session:
        return approve(session, defs, area_id, phase_id, by=by, as_of=as_of, note=note, cycle=cycle, scope=scope)


def milestone_of_instance(settings: Settings, instance_id: int) -> str | None:
    """Which milestone an instance is (what a reminder's link says it opens)."""
    with session_scope(settings) as session:
        found = session.get(MilestoneInstance, instance_id)
    return found.milestone_id if found else None
