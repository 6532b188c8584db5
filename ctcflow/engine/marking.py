"""Recording a milestone done or undone, inside the caller's transaction, with the event log.

Who may is asked of the one permission rule (ctcflow.access.permissions); the same functions
serve the command line, the web and the flows, so all leave the same trail.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlmodel import Session, col

from ctcflow.access.permissions import Action, require
from ctcflow.core.errors import CtcError
from ctcflow.definition.loader import Definitions
from ctcflow.engine.eventlog import SYSTEM, NewEvent, record
from ctcflow.engine.rescheduling import reschedule
from db.models import Area, MilestoneInstance, PhaseInstance


def known_area(session: Session, defs: Definitions, area_id: str) -> Area:
    area = session.get(Area, area_id)
    if area is None or not area.active:
        known = ", ".join(a.id for a in defs.org.areas)
        raise CtcError(f"unknown area '{area_id}'; known areas: {known}")
    return area


def latest_phase_instance(session: Session, area_id: str, phase_id: str) -> PhaseInstance | None:
    return session.execute(
        select(PhaseInstance).where(col(PhaseInstance.area_id) == area_id, col(PhaseInstance.phase_id) == phase_id)
        .order_by(col(PhaseInstance.cycle).desc())
    ).scalars().first()


def _open_milestone(session: Session, defs: Definitions, area_id: str, milestone_id: str,
                    as_of: date) -> tuple[PhaseInstance, MilestoneInstance]:
    located = defs.milestone(milestone_id)
    if located is None:
        raise CtcError(f"unknown milestone '{milestone_id}'; `ctc status --area {area_id}` lists them")
    phase, _ = located
    pi = latest_phase_instance(session, area_id, phase.id)
    if pi is None or pi.opened_on > as_of:
        raise CtcError(f"milestone '{milestone_id}' belongs to phase '{phase.id}', "
                       f"which is not open in {area_id} on {as_of}")
    if pi.completed_on is not None:
        raise CtcError(f"phase '{phase.id}' of {area_id} was approved on {pi.completed_on}; "
                       "its milestones can no longer change")
    mi = session.execute(select(MilestoneInstance).where(
        col(MilestoneInstance.phase_instance_id) == pi.id, col(MilestoneInstance.milestone_id) == milestone_id,
    )).scalars().first()
    if mi is None or mi.retired:
        raise CtcError(f"milestone '{milestone_id}' is not part of {area_id}'s open phase; run `ctc sync`")
    return pi, mi


def mark_done(session: Session, defs: Definitions, area_id: str, milestone_id: str, *, by: str,
              as_of: date, evidence: str | None = None, note: str | None = None) -> MilestoneInstance:
    known_area(session, defs, area_id)
    pi, mi = _open_milestone(session, defs, area_id, milestone_id, as_of)
    _, ms = defs.milestone(milestone_id) or (None, None)
    assert ms is not None
    person = require(defs, by, Action.CHANGE_MILESTONE, as_of, area_id, role=ms.owner).person
    if mi.status == "done":
        raise CtcError(f"{milestone_id} in {area_id} is already done ({mi.done_on}, {mi.done_by})")
    if ms.evidence_required and not (evidence or "").strip():
        raise CtcError(f"{milestone_id} requires evidence: pass --evidence with a link or a document reference")
    same_phase = {m.id for m in defs.process.phase(pi.phase_id).milestones}
    waiting = [d for d in ms.depends_on
               if not _is_done(session, area_id, d, pi.id if d in same_phase else None)]
    if waiting:
        raise CtcError(f"{milestone_id} depends on milestones not yet done: {', '.join(waiting)}")
    mi.status, mi.done_on, mi.done_by = "done", as_of, person.id
    mi.evidence, mi.note = evidence, note
    session.add(mi)
    record(session, [NewEvent("milestone_done", person.id, as_of, area_id, milestone_id,
                              "open", "done", _join(evidence, note))])
    session.flush()
    reschedule(session, defs, pi, as_of)  # what counts from it now counts from today
    return mi


def _join(evidence: str | None, note: str | None) -> str | None:
    parts = [f"evidence: {evidence}" if evidence else None, note]
    return " | ".join(p for p in parts if p) or None


def _is_done(session: Session, area_id: str, milestone_id: str, phase_instance_id: int | None) -> bool:
    """Done in this phase instance (a dependency within the phase: this cycle's, not an
    earlier cycle's) or, for a dependency on an earlier phase, in any of its instances."""
    query = select(col(MilestoneInstance.id)).where(
        col(MilestoneInstance.area_id) == area_id, col(MilestoneInstance.milestone_id) == milestone_id,
        col(MilestoneInstance.status) == "done",
    )
    if phase_instance_id is not None:
        query = query.where(col(MilestoneInstance.phase_instance_id) == phase_instance_id)
    return session.execute(query).first() is not None


def undo_done(session: Session, defs: Definitions, area_id: str, milestone_id: str, *, by: str,
              as_of: date, note: str | None = None) -> MilestoneInstance:
    """Reopen a milestone; the earlier 'done' stays in the event log."""
    known_area(session, defs, area_id)
    pi, mi = _open_milestone(session, defs, area_id, milestone_id, as_of)
    owner = defs.milestone(milestone_id)[1].owner  # type: ignore[index]  # _open_milestone found it
    person = require(defs, by, Action.CHANGE_MILESTONE, as_of, area_id, role=owner).person
    if mi.status != "done":
        raise CtcError(f"{milestone_id} in {area_id} is not done; nothing to undo")
    old = f"done {mi.done_on} by {mi.done_by}"
    mi.status, mi.done_on, mi.done_by, mi.evidence, mi.note = "open", None, None, None, None
    session.add(mi)
    record(session, [NewEvent("milestone_undone", person.id, as_of, area_id, milestone_id, old, "open", note)])
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
            state = session.execute(select(col(MilestoneInstance.status)).where(
                col(MilestoneInstance.phase_instance_id) == phase.id,
                col(MilestoneInstance.milestone_id) == milestone_id)).scalar()
            if state != "open":
                continue
            try:
                with session.begin_nested():
                    mark_done(session, defs, area_id, milestone_id, by=by, as_of=as_of, evidence=evidence, note=note)
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
