"""Recording progress: milestones done and undone, phase approval, and opening what comes next.

Each function works inside the caller's transaction and appends to the event log, so the
command line, the flows and (later) the web page leave the same trail.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select
from sqlmodel import Session

from ctcflow import calendar
from ctcflow.definitions import Definitions
from ctcflow.errors import CtcError
from ctcflow.eventlog import NewEvent, record
from ctcflow.gates import GateStatus, gate_status
from ctcflow.organisation import PersonDef
from ctcflow.sync import open_phase_rows
from db.models import Area, MilestoneInstance, PhaseInstance

SYSTEM = "ctcflow"


def _area(session: Session, defs: Definitions, area_id: str) -> Area:
    area = session.get(Area, area_id)
    if area is None or not area.active:
        known = ", ".join(a.id for a in defs.org.areas)
        raise CtcError(f"unknown area '{area_id}'; known areas: {known}")
    return area


def actor(defs: Definitions, person_id: str, area_id: str, as_of: date) -> PersonDef:
    """The person acting: listed in areas.yml for this area or centrally, and active on ``as_of``."""
    found = defs.org.person(person_id)
    if found is None or (found[1] is not None and found[1].id != area_id):
        area = defs.org.area(area_id)
        local = [p.id for p in area.people] if area else []
        allowed = ", ".join([*local, *(p.id for p in defs.org.central)])
        raise CtcError(f"'{person_id}' is not a person of area '{area_id}' or the central organisation; "
                       f"use one of: {allowed}")
    person = found[0]
    if not person.active_on(as_of):
        raise CtcError(f"{person.id} ({person.name}) is not active on {as_of} according to areas.yml")
    return person


def latest_phase_instance(session: Session, area_id: str, phase_id: str) -> PhaseInstance | None:
    return session.execute(
        select(PhaseInstance).where(PhaseInstance.area_id == area_id, PhaseInstance.phase_id == phase_id)
        .order_by(PhaseInstance.cycle.desc())
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
        MilestoneInstance.phase_instance_id == pi.id, MilestoneInstance.milestone_id == milestone_id,
    )).scalars().first()
    if mi is None or mi.retired:
        raise CtcError(f"milestone '{milestone_id}' is not part of {area_id}'s open phase; run `ctc sync`")
    return pi, mi


def mark_done(session: Session, defs: Definitions, area_id: str, milestone_id: str, *, by: str,
              as_of: date, evidence: str | None = None, note: str | None = None) -> MilestoneInstance:
    _area(session, defs, area_id)
    person = actor(defs, by, area_id, as_of)
    pi, mi = _open_milestone(session, defs, area_id, milestone_id, as_of)
    _, ms = defs.milestone(milestone_id) or (None, None)
    assert ms is not None
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
    return mi


def _join(evidence: str | None, note: str | None) -> str | None:
    parts = [f"evidence: {evidence}" if evidence else None, note]
    return " | ".join(p for p in parts if p) or None


def _is_done(session: Session, area_id: str, milestone_id: str, phase_instance_id: int | None) -> bool:
    """Done in this phase instance (a dependency within the phase: this cycle's, not an
    earlier cycle's) or, for a dependency on an earlier phase, in any of its instances."""
    query = select(MilestoneInstance.id).where(
        MilestoneInstance.area_id == area_id, MilestoneInstance.milestone_id == milestone_id,
        MilestoneInstance.status == "done",
    )
    if phase_instance_id is not None:
        query = query.where(MilestoneInstance.phase_instance_id == phase_instance_id)
    return session.execute(query).first() is not None


def undo_done(session: Session, defs: Definitions, area_id: str, milestone_id: str, *, by: str,
              as_of: date, note: str | None = None) -> MilestoneInstance:
    """Reopen a milestone; the earlier 'done' stays in the event log."""
    _area(session, defs, area_id)
    person = actor(defs, by, area_id, as_of)
    _, mi = _open_milestone(session, defs, area_id, milestone_id, as_of)
    if mi.status != "done":
        raise CtcError(f"{milestone_id} in {area_id} is not done; nothing to undo")
    old = f"done {mi.done_on} by {mi.done_by}"
    mi.status, mi.done_on, mi.done_by, mi.evidence, mi.note = "open", None, None, None, None
    session.add(mi)
    record(session, [NewEvent("milestone_undone", person.id, as_of, area_id, milestone_id, old, "open", note)])
    return mi


def gate_for(session: Session, defs: Definitions, pi: PhaseInstance, as_of: date) -> GateStatus:
    from ctcflow.phasework import gate_blockers

    done = session.execute(select(MilestoneInstance.milestone_id).where(
        MilestoneInstance.phase_instance_id == pi.id, MilestoneInstance.status == "done",
        MilestoneInstance.retired.is_(False),
    )).scalars().all()
    return gate_status(defs.process.phase(pi.phase_id), done, gate_blockers(session, defs, pi, as_of))


def approve(session: Session, defs: Definitions, area_id: str, phase_id: str, *, by: str,
            as_of: date, note: str | None = None) -> list[PhaseInstance]:
    """Approve a phase whose gate is met, and open what follows; returns the phases opened."""
    _area(session, defs, area_id)
    if phase_id not in {p.id for p in defs.process.phases}:
        raise CtcError(f"unknown phase '{phase_id}'; phases: {', '.join(p.id for p in defs.process.phases)}")
    person = actor(defs, by, area_id, as_of)
    pi = latest_phase_instance(session, area_id, phase_id)
    if pi is None or pi.opened_on > as_of:
        raise CtcError(f"phase '{phase_id}' is not open in {area_id} on {as_of}")
    if pi.completed_on is not None:
        raise CtcError(f"phase '{phase_id}' of {area_id} was already approved on {pi.completed_on} by {pi.approved_by}")
    gate = gate_for(session, defs, pi, as_of)
    if person.role != gate.approver_role:
        raise CtcError(f"only the {gate.approver_role} may approve {phase_id}; {person.id} is {person.role}")
    if not gate.met:
        reasons = ([f"required milestones not done: {', '.join(gate.missing)}"] if gate.missing else []) \
            + list(gate.blockers)
        raise CtcError(f"{phase_id} in {area_id} cannot be approved yet; " + "; ".join(reasons))
    pi.completed_on, pi.approved_by = as_of, person.id
    session.add(pi)
    record(session, [NewEvent("phase_approved", person.id, as_of, area_id, phase_id,
                              "open", f"approved (cycle {pi.cycle})", note)])
    return advance(session, defs, as_of, [area_id])


def _open_phase(session: Session, defs: Definitions, area_id: str, phase_id: str, cycle: int,
                opened_on: date) -> PhaseInstance:
    pi = PhaseInstance(area_id=area_id, phase_id=phase_id, cycle=cycle, opened_on=opened_on)
    session.add(pi)
    session.flush()
    assert pi.id is not None
    session.execute(insert(MilestoneInstance), open_phase_rows(defs, area_id, phase_id, cycle, opened_on, pi.id))
    record(session, [NewEvent("phase_opened", SYSTEM, opened_on, area_id, phase_id, None, f"cycle {cycle}")])
    return pi


def advance(session: Session, defs: Definitions, as_of: date,
            area_ids: list[str] | None = None) -> list[PhaseInstance]:
    """Open the next phase after every approved one, and a new cycle of a recurring phase
    whose cycle length has passed by ``as_of``; returns what was opened."""
    query = select(PhaseInstance).join(Area).where(Area.active.is_(True))
    if area_ids is not None:
        query = query.where(PhaseInstance.area_id.in_(area_ids))
    latest: dict[str, PhaseInstance] = {}
    order = {p.id: i for i, p in enumerate(defs.process.phases)}
    for pi in session.execute(query).scalars():
        key = (order.get(pi.phase_id, -1), pi.cycle)
        current = latest.get(pi.area_id)
        if current is None or key > (order.get(current.phase_id, -1), current.cycle):
            latest[pi.area_id] = pi
    opened: list[PhaseInstance] = _advance_revisions(session, defs, area_ids)
    for area_id, pi in sorted(latest.items()):
        phase = defs.process.phase(pi.phase_id)
        successor = defs.process.next_phase(phase.id)
        if pi.completed_on is not None and successor is not None:
            opened.append(_open_phase(session, defs, area_id, successor.id, 1, pi.completed_on))
            pi = opened[-1]
            phase = successor
        while phase.recurs_every_years:
            next_start = calendar.next_business_day(calendar.add_years(pi.opened_on, phase.recurs_every_years))
            if next_start > as_of:
                break
            pi = _open_phase(session, defs, area_id, phase.id, pi.cycle + 1, next_start)
            opened.append(pi)
    return opened


def _advance_revisions(session: Session, defs: Definitions, area_ids: list[str] | None) -> list[PhaseInstance]:
    """A revision (cycle ≥ 2 of the phases a new survey reopens) moves on by itself when
    approved, up to the last revised phase; uppföljning goes on meanwhile."""
    revised = [p for p in defs.process.phases if p.revised_by_survey]
    if not revised:
        return []
    query = select(PhaseInstance).where(PhaseInstance.phase_id.in_([p.id for p in revised]),
                                        PhaseInstance.cycle > 1)
    if area_ids is not None:
        query = query.where(PhaseInstance.area_id.in_(area_ids))
    instances = list(session.execute(query).scalars())
    present = {(i.area_id, i.phase_id, i.cycle) for i in instances}
    opened = []
    for instance in sorted(instances, key=lambda i: (i.area_id, i.cycle, defs.process.phase_index(i.phase_id))):
        successor = defs.process.next_phase(instance.phase_id)
        if instance.completed_on is None or successor is None or not successor.revised_by_survey:
            continue
        if (instance.area_id, successor.id, instance.cycle) in present:
            continue
        opened.append(_open_phase(session, defs, instance.area_id, successor.id, instance.cycle, instance.completed_on))
        present.add((instance.area_id, successor.id, instance.cycle))
    return opened
