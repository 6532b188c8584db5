"""Approving a phase: the gate (required milestones done, blocking checks satisfied), only by
its approver role (the permission rule), and what opens next."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlmodel import Session, col

from ctcflow.access.permissions import Action, Scope, require
from ctcflow.core.errors import CtcError
from ctcflow.definition.loader import Definitions
from ctcflow.engine import asof
from ctcflow.engine.checks import gate_blockers
from ctcflow.engine.eventlog import NewEvent, record
from ctcflow.engine.gates import GateStatus, gate_status
from ctcflow.engine.instances import (
    Refused,
    known_area,
    latest_phase_instance,
    open_phase_instances,
    refuse_before_approval,
    refuse_dated_before,
)
from ctcflow.engine.opening import advance
from db.engine import rows_affected
from db.models import MilestoneInstance, PhaseInstance
from db.statuses import MilestoneStatus


def gate_for(session: Session, defs: Definitions, pi: PhaseInstance, as_of: date, lang: str = "sv") -> GateStatus:
    """The gate as it stood on ``as_of``: a milestone done after that day does not count."""
    done = session.execute(select(col(MilestoneInstance.milestone_id)).where(
        col(MilestoneInstance.phase_instance_id) == pi.id, asof.done_by_sql(as_of),
        col(MilestoneInstance.retired).is_(False),
    )).scalars().all()
    return gate_status(defs.process.phase(pi.phase_id), done, gate_blockers(session, defs, pi, as_of, lang))


def _done_later(session: Session, pi: PhaseInstance, missing: tuple[str, ...], as_of: date) -> dict[str, date]:
    """Of the milestones the gate misses on ``as_of``, those done only after it, with the day."""
    mi = MilestoneInstance
    return {m: d for m, d in session.execute(select(col(mi.milestone_id), col(mi.done_on)).where(
        col(mi.phase_instance_id) == pi.id, col(mi.milestone_id).in_(missing),
        col(mi.status) == MilestoneStatus.DONE, col(mi.retired).is_(False))).tuples()
        if asof.written_before(d, as_of)}


def approve(session: Session, defs: Definitions, area_id: str, phase_id: str, *, by: str,
            as_of: date, note: str | None = None, cycle: int | None = None,
            scope: Scope | None = None) -> list[PhaseInstance]:
    """Approve a phase whose gate is met — the round ``cycle``, or the oldest one open — and open
    what follows; returns the phases opened. The approval is one conditional UPDATE: of two
    approving at once, one succeeds and the other is told who got there first."""
    known_area(session, defs, area_id)
    if phase_id not in {p.id for p in defs.process.phases}:
        raise CtcError(f"unknown phase '{phase_id}'; phases: {', '.join(p.id for p in defs.process.phases)}")
    candidates = [p for p in open_phase_instances(session, area_id, phase_id, as_of) if cycle in (None, p.cycle)]
    if not candidates:
        latest = latest_phase_instance(session, area_id, phase_id)
        if latest is not None and cycle in (None, latest.cycle):
            refuse_before_approval(latest, as_of)
        if latest is not None and latest.completed_on is not None and cycle in (None, latest.cycle):
            raise Refused("phase_approved_by", f"phase '{phase_id}' of {area_id} was already approved on "
                          f"{latest.completed_on} by {latest.approved_by}", (latest.approved_by or "",))
        raise Refused("phase_not_open", f"phase '{phase_id}' is not open in {area_id} on {as_of}")
    pi = candidates[0]  # of two rounds open at once, the older one is owed first
    gate = gate_for(session, defs, pi, as_of)
    person = require(defs, by, Action.APPROVE_GATE, as_of, area_id, role=gate.approver_role, scope=scope).person
    later = _done_later(session, pi, gate.missing, as_of)
    if later:
        milestone, day = max(later.items(), key=lambda item: item[1])
        refuse_dated_before(f"the gate of {phase_id} in {area_id} was met when {milestone} was done", day, as_of)
    if not gate.met:
        reasons = ([f"required milestones not done: {', '.join(gate.missing)}"] if gate.missing else []) \
            + list(gate.blockers)
        raise Refused("gate_not_met", f"{phase_id} in {area_id} cannot be approved yet; " + "; ".join(reasons),
                      tuple(gate.missing))
    claimed = rows_affected(session.execute(
        update(PhaseInstance).where(col(PhaseInstance.id) == pi.id, col(PhaseInstance.completed_on).is_(None))
        .values(completed_on=as_of, approved_by=person.id)))
    session.refresh(pi)
    if not claimed:
        raise Refused("phase_approved_by", f"phase '{phase_id}' of {area_id} was already approved on "
                      f"{pi.completed_on} by {pi.approved_by}", (pi.approved_by or "",))
    record(session, [NewEvent("phase_approved", person.id, as_of, area_id, phase_id,
                              "open", f"approved (cycle {pi.cycle})", note)])
    return advance(session, defs, as_of, [area_id])
