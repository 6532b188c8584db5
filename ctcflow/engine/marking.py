"""Recording a milestone done or undone, inside the caller's transaction, with the event log.

Who may is asked of the one permission rule (ctcflow.access.permissions); the same functions
serve the command line, the web and the flows, so all leave the same trail.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, update
from sqlmodel import Session, col

from ctcflow.access.permissions import Action, Scope, require
from ctcflow.core.errors import CtcError, Invalid
from ctcflow.definition.loader import Definitions
from ctcflow.engine import asof
from ctcflow.engine.eventlog import SYSTEM, NewEvent, record
from ctcflow.engine.instances import (
    Refused,
    done_pairs,
    find_instance,
    known_area,
    latest_phase_instance,
    open_instance,
    refuse_dated_before,
    waiting_for,
)
from ctcflow.engine.rescheduling import reschedule
from db.engine import rows_affected
from db.models import MilestoneInstance
from db.statuses import MilestoneStatus


def mark_done(session: Session, defs: Definitions, area_id: str, milestone_id: str, *, by: str,
              as_of: date, evidence: str | None = None, note: str | None = None) -> MilestoneInstance:
    """By name (the command line, the flows): the oldest open instance of the milestone."""
    known_area(session, defs, area_id)
    found = find_instance(session, defs, area_id, milestone_id, as_of, done=False)
    return mark_instance(session, defs, area_id, found.id or 0, by=by, as_of=as_of, evidence=evidence, note=note)


def mark_instance(session: Session, defs: Definitions, area_id: str, instance_id: int, *, by: str,
                  as_of: date, evidence: str | None = None, note: str | None = None,
                  scope: Scope | None = None) -> MilestoneInstance:
    """Mark this very instance done. The claim is one conditional UPDATE, so of two people
    marking at once exactly one succeeds; the other is told it is already done. ``scope``: what
    the web session acting for ``by`` covers."""
    pi, mi, ms = open_instance(session, defs, area_id, instance_id, as_of)
    person = require(defs, by, Action.CHANGE_MILESTONE, as_of, area_id, role=ms.owner, subject=instance_id,
                     scope=scope).person
    if mi.status == MilestoneStatus.DONE:
        raise _already_done(mi, area_id)
    if ms.evidence_required and not (evidence or "").strip():
        raise Refused("evidence_required", f"{ms.id} requires evidence: pass --evidence with a link or a "
                      "document reference")
    waiting = waiting_for(defs, ms, pi.phase_id, pi.id or 0, done_pairs(session, area_id, as_of))
    still = waiting_for(defs, ms, pi.phase_id, pi.id or 0, done_pairs(session, area_id)) if waiting else []
    later = [d for d in waiting if d not in still]
    if later:
        refuse_dated_before(f"{ms.id} depends on {', '.join(later)}, done only later",
                            _last_done(session, area_id, later), as_of)
    if waiting:
        raise Refused("waiting", f"{ms.id} depends on milestones not yet done: {', '.join(waiting)}",
                      tuple(waiting))
    claimed = rows_affected(session.execute(
        update(MilestoneInstance).where(col(MilestoneInstance.id) == mi.id, asof.still_open_sql())
        .values(status=MilestoneStatus.DONE, done_on=as_of, done_by=person.id, evidence=evidence, note=note)))
    session.refresh(mi)
    if not claimed:
        raise _already_done(mi, area_id)
    record(session, [NewEvent("milestone_done", person.id, as_of, area_id, ms.id,
                              "open", "done", _join(evidence, note))])
    session.flush()
    reschedule(session, defs, pi, as_of)  # what counts from it now counts from today
    return mi


REASON_MAX = 500


def close_instance(session: Session, defs: Definitions, area_id: str, instance_id: int, *, by: str,
                   as_of: date, reason: str, scope: Scope | None = None) -> MilestoneInstance:
    """Close an open milestone as no longer relevant — an old round's item nobody will do now,
    which would otherwise head a team's list for ever. The coordinator's decision, with its
    reason: it leaves the to-do lists, the stalls and the gate, and the report says it was
    closed, when, by whom and why. One conditional UPDATE: of two closing at once, one does."""
    _, mi, ms = open_instance(session, defs, area_id, instance_id, as_of)
    person = require(defs, by, Action.CLOSE_MILESTONE, as_of, area_id, scope=scope).person
    reason = reason.strip()
    if not reason:
        raise Invalid("reason", "no_reason", "say why it is no longer relevant (--reason)")
    if len(reason) > REASON_MAX:
        raise Invalid("reason", "too_long", f"a reason of {len(reason)} characters: at most {REASON_MAX}")
    closed = rows_affected(session.execute(
        update(MilestoneInstance).where(col(MilestoneInstance.id) == mi.id, asof.still_open_sql(),
                                        col(MilestoneInstance.retired).is_(False))
        .values(retired=True, closed_on=as_of, closed_by=person.id, closed_reason=reason)))
    session.refresh(mi)
    if not closed:
        raise Refused("not_open", f"{ms.id} in {area_id} is no longer open; nothing to close")
    record(session, [NewEvent("milestone_closed", person.id, as_of, area_id, ms.id, "open", "closed", reason)])
    return mi


def _last_done(session: Session, area_id: str, milestone_ids: list[str]) -> date | None:
    """The latest day one of these was done — what a write depending on them must not precede."""
    mi = MilestoneInstance
    return session.execute(select(func.max(col(mi.done_on))).where(
        col(mi.area_id) == area_id, col(mi.milestone_id).in_(milestone_ids),
        col(mi.status) == MilestoneStatus.DONE)).scalar()


def _already_done(mi: MilestoneInstance, area_id: str) -> Refused:
    return Refused("already_done", f"{mi.milestone_id} in {area_id} is already done ({mi.done_on}, {mi.done_by})",
                   (mi.done_by or "",))


def _join(evidence: str | None, note: str | None) -> str | None:
    parts = [f"evidence: {evidence}" if evidence else None, note]
    return " | ".join(p for p in parts if p) or None


def undo_done(session: Session, defs: Definitions, area_id: str, milestone_id: str, *, by: str,
              as_of: date, note: str | None = None) -> MilestoneInstance:
    """By name: the newest done instance of the milestone."""
    known_area(session, defs, area_id)
    found = find_instance(session, defs, area_id, milestone_id, as_of, done=True)
    return undo_instance(session, defs, area_id, found.id or 0, by=by, as_of=as_of, note=note)


def undo_instance(session: Session, defs: Definitions, area_id: str, instance_id: int, *, by: str,
                  as_of: date, note: str | None = None, scope: Scope | None = None) -> MilestoneInstance:
    """Reopen this instance; the earlier 'done' stays in the event log."""
    pi, mi, ms = open_instance(session, defs, area_id, instance_id, as_of)
    person = require(defs, by, Action.CHANGE_MILESTONE, as_of, area_id, role=ms.owner, subject=instance_id,
                     scope=scope).person
    refuse_dated_before(f"{ms.id} in {area_id} was done", mi.done_on, as_of)
    old = f"done {mi.done_on} by {mi.done_by}"
    reopened = rows_affected(session.execute(
        update(MilestoneInstance).where(col(MilestoneInstance.id) == mi.id,
                                        col(MilestoneInstance.status) == MilestoneStatus.DONE)
        .values(status=MilestoneStatus.OPEN, done_on=None, done_by=None, evidence=None, note=None)))
    session.refresh(mi)
    if not reopened:
        raise Refused("not_done", f"{ms.id} in {area_id} is not done; nothing to undo")
    record(session, [NewEvent("milestone_undone", person.id, as_of, area_id, ms.id, old, "open", note)])
    session.flush()
    reschedule(session, defs, pi, as_of)  # what counted from it counts from its due date again
    return mi


def mark_proven(session: Session, defs: Definitions, milestone_ids: list[str], areas: list[str], *, by: str,
                as_of: date, evidence: str, note: str) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """Mark the milestones the data proves (a survey wave proves the analysis), in areas whose
    phase is open, with that data as evidence. One still waiting for other work (say, the
    register data) is left open and reported. Returns (done, waiting with why)."""
    done: list[tuple[str, str]] = []
    waiting: list[tuple[str, str, str]] = []
    for area_id in areas:
        for milestone_id in milestone_ids:
            located = defs.milestone(milestone_id)
            if located is None:
                continue
            phase = latest_phase_instance(session, area_id, located[0].id)
            if phase is None or phase.completed_on is not None or phase.opened_on > as_of:
                continue
            instance_id = session.execute(select(col(MilestoneInstance.id)).where(
                col(MilestoneInstance.phase_instance_id) == phase.id, asof.still_open_sql(),
                col(MilestoneInstance.milestone_id) == milestone_id)).scalar()
            if instance_id is None:
                continue
            try:
                with session.begin_nested():
                    mark_instance(session, defs, area_id, instance_id, by=by, as_of=as_of, evidence=evidence,
                                  note=note)
            except CtcError as exc:
                waiting.append((area_id, milestone_id, str(exc)))
            else:
                done.append((area_id, milestone_id))
    return done, waiting


def analyst(defs: Definitions, as_of: date) -> str:
    """Who marks what survey data proves: the analysis function, who imports it (else the system)."""
    role = defs.process.role_of("analyst")
    people = defs.org.people_with_role(role, as_of, None) if role else []
    return people[0].id if people else SYSTEM
