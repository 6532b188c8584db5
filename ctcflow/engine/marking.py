"""Recording a milestone done or undone, inside the caller's transaction, with the event log.

Who may is asked of the one permission rule (ctcflow.access.permissions); the same functions
serve the command line, the web and the flows, so all leave the same trail.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlmodel import Session, col

from ctcflow.access.permissions import Action, require
from ctcflow.core.errors import CtcError
from ctcflow.definition.loader import Definitions
from ctcflow.definition.process import MilestoneDef
from ctcflow.engine.eventlog import SYSTEM, NewEvent, record
from ctcflow.engine.rescheduling import reschedule
from db.engine import rows_affected
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


class Refused(CtcError):
    """Why a milestone cannot be marked or undone now, as a reason the pages translate
    (``reason``, with ``names`` of the milestones involved) and an English sentence for the CLI."""

    def __init__(self, reason: str, message: str, names: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.reason, self.names = reason, names


def open_phase_instances(session: Session, area_id: str, phase_id: str, as_of: date) -> list[PhaseInstance]:
    """The phase's rounds open on the day (usually one; an older one left open, too), oldest first."""
    return list(session.execute(select(PhaseInstance).where(
        col(PhaseInstance.area_id) == area_id, col(PhaseInstance.phase_id) == phase_id,
        col(PhaseInstance.opened_on) <= as_of, col(PhaseInstance.completed_on).is_(None))
        .order_by(col(PhaseInstance.cycle))).scalars())


def find_instance(session: Session, defs: Definitions, area_id: str, milestone_id: str, as_of: date, *,
                  done: bool) -> MilestoneInstance:
    """The milestone's instance a by-name command means: of the phase instances open on the day,
    the oldest one still open (marking) or the newest one done (undoing). An older cycle left
    open is work still owed, so it comes first — never hidden behind the newer cycle's copy."""
    located = defs.milestone(milestone_id)
    if located is None:
        raise CtcError(f"unknown milestone '{milestone_id}'; `ctc status --area {area_id}` lists them")
    phase, _ = located
    phases = open_phase_instances(session, area_id, phase.id, as_of)
    if not phases:
        latest = latest_phase_instance(session, area_id, phase.id)
        if latest is not None and latest.completed_on is not None and latest.opened_on <= as_of:
            raise Refused("phase_approved", f"phase '{phase.id}' of {area_id} was approved on "
                          f"{latest.completed_on}; its milestones can no longer change")
        raise Refused("phase_not_open", f"milestone '{milestone_id}' belongs to phase '{phase.id}', "
                      f"which is not open in {area_id} on {as_of}")
    rows = list(session.execute(select(MilestoneInstance).where(
        col(MilestoneInstance.phase_instance_id).in_([p.id for p in phases]),
        col(MilestoneInstance.milestone_id) == milestone_id, col(MilestoneInstance.retired).is_(False))
        .order_by(col(MilestoneInstance.id))).scalars())
    if not rows:
        raise CtcError(f"milestone '{milestone_id}' is not part of {area_id}'s open phase; run `ctc sync`")
    cycle = {p.id: p.cycle for p in phases}
    rows.sort(key=lambda r: cycle[r.phase_instance_id])
    wanted = [r for r in rows if (r.status == "done") == done]
    if not wanted:
        return rows[-1] if done else rows[0]  # the refusal below says why
    return wanted[-1] if done else wanted[0]


class NotInArea(CtcError):
    """The milestone instance does not exist or belongs to another area."""


def _instance(session: Session, defs: Definitions, area_id: str, instance_id: int,
              as_of: date) -> tuple[PhaseInstance, MilestoneInstance, MilestoneDef]:
    """The instance of this area, its phase instance (open on the day) and its definition."""
    mi = session.get(MilestoneInstance, instance_id)
    if mi is None or mi.area_id != area_id:
        raise NotInArea(f"no milestone {instance_id} in {area_id}")
    pi = session.get(PhaseInstance, mi.phase_instance_id)
    located = defs.milestone(mi.milestone_id)
    if pi is None or located is None or mi.retired:
        raise Refused("retired", f"milestone '{mi.milestone_id}' is no longer part of {area_id}'s process")
    if pi.opened_on > as_of:
        raise Refused("phase_not_open", f"phase '{pi.phase_id}' is not open in {area_id} on {as_of}")
    if pi.completed_on is not None:
        raise Refused("phase_approved", f"phase '{pi.phase_id}' of {area_id} was approved on {pi.completed_on}; "
                      "its milestones can no longer change")
    return pi, mi, located[1]


def done_pairs(session: Session, area_id: str, as_of: date | None = None) -> set[tuple[str, int]]:
    """(milestone, phase instance) of everything done in the area (by ``as_of``) — what
    dependencies are checked against, in one query for a whole page."""
    mi = MilestoneInstance
    query = select(col(mi.milestone_id), col(mi.phase_instance_id)).where(col(mi.area_id) == area_id,
                                                                          col(mi.status) == "done")
    if as_of is not None:
        query = query.where(col(mi.done_on) <= as_of)
    return set(session.execute(query).tuples().all())


def waiting_for(defs: Definitions, ms: MilestoneDef, phase_id: str, phase_instance_id: int,
                done: set[tuple[str, int]]) -> list[str]:
    """The milestones ``ms`` still waits for: a dependency within the phase must be done in this
    cycle; one on an earlier phase, in any of its instances."""
    same_phase = {m.id for m in defs.process.phase(phase_id).milestones}
    done_anywhere = {m for m, _ in done}
    return [d for d in ms.depends_on
            if ((d, phase_instance_id) not in done if d in same_phase else d not in done_anywhere)]


def mark_done(session: Session, defs: Definitions, area_id: str, milestone_id: str, *, by: str,
              as_of: date, evidence: str | None = None, note: str | None = None) -> MilestoneInstance:
    """By name (the command line, the flows): the oldest open instance of the milestone."""
    known_area(session, defs, area_id)
    found = find_instance(session, defs, area_id, milestone_id, as_of, done=False)
    return mark_instance(session, defs, area_id, found.id or 0, by=by, as_of=as_of, evidence=evidence, note=note)


def mark_instance(session: Session, defs: Definitions, area_id: str, instance_id: int, *, by: str,
                  as_of: date, evidence: str | None = None, note: str | None = None) -> MilestoneInstance:
    """Mark this very instance done. The claim is one conditional UPDATE, so of two people
    marking at once exactly one succeeds; the other is told it is already done."""
    pi, mi, ms = _instance(session, defs, area_id, instance_id, as_of)
    person = require(defs, by, Action.CHANGE_MILESTONE, as_of, area_id, role=ms.owner).person
    if mi.status == "done":
        raise _already_done(mi, area_id)
    if ms.evidence_required and not (evidence or "").strip():
        raise Refused("evidence_required", f"{ms.id} requires evidence: pass --evidence with a link or a "
                      "document reference")
    waiting = waiting_for(defs, ms, pi.phase_id, pi.id or 0, done_pairs(session, area_id))
    if waiting:
        raise Refused("waiting", f"{ms.id} depends on milestones not yet done: {', '.join(waiting)}",
                      tuple(waiting))
    claimed = rows_affected(session.execute(
        update(MilestoneInstance).where(col(MilestoneInstance.id) == mi.id, col(MilestoneInstance.status) == "open")
        .values(status="done", done_on=as_of, done_by=person.id, evidence=evidence, note=note)))
    session.refresh(mi)
    if not claimed:
        raise _already_done(mi, area_id)
    record(session, [NewEvent("milestone_done", person.id, as_of, area_id, ms.id,
                              "open", "done", _join(evidence, note))])
    session.flush()
    reschedule(session, defs, pi, as_of)  # what counts from it now counts from today
    return mi


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
                  as_of: date, note: str | None = None) -> MilestoneInstance:
    """Reopen this instance; the earlier 'done' stays in the event log."""
    pi, mi, ms = _instance(session, defs, area_id, instance_id, as_of)
    person = require(defs, by, Action.CHANGE_MILESTONE, as_of, area_id, role=ms.owner).person
    old = f"done {mi.done_on} by {mi.done_by}"
    reopened = rows_affected(session.execute(
        update(MilestoneInstance).where(col(MilestoneInstance.id) == mi.id, col(MilestoneInstance.status) == "done")
        .values(status="open", done_on=None, done_by=None, evidence=None, note=None)))
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
                col(MilestoneInstance.phase_instance_id) == phase.id, col(MilestoneInstance.status) == "open",
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
