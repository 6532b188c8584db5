"""Which milestone or phase instance a command means, and what it still waits for: the lookups
marking, undoing and approving share. A page names an instance; a command names a milestone,
and means the oldest round still open — an older round's work is owed first."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlmodel import Session, col

from ctcflow.core.errors import CtcError
from ctcflow.definition.loader import Definitions
from ctcflow.definition.organisation import UnknownArea
from ctcflow.definition.process import MilestoneDef
from ctcflow.engine import asof
from db.models import Area, MilestoneInstance, PhaseInstance
from db.statuses import MilestoneStatus


def known_area(session: Session, defs: Definitions, area_id: str, *, retired_too: bool = False) -> Area:
    """The area's row — one still in areas.yml, or (``retired_too``: its history, its calendar)
    one removed since — else the one refusal for an unknown area."""
    area = session.get(Area, area_id)
    if area is None or not (area.active or retired_too):
        raise UnknownArea(area_id, [a.id for a in defs.org.areas])
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


def refuse_dated_before(fact: str, fact_on: date | None, as_of: date) -> None:
    """Refuse a write dated ``as_of`` that depends on a fact of ``fact_on`` and would come before
    it (``asof.written_before``): it would put, in the history, an approval before the work that
    met its gate, or an undo before the work it undoes."""
    if fact_on is not None and asof.written_before(fact_on, as_of):
        raise Refused("dated_before", f"{fact} on {fact_on}; a change dated {as_of} would come before that — "
                      f"date it {fact_on} or later", (fact_on.isoformat(),))


def refuse_before_approval(pi: PhaseInstance, as_of: date) -> None:
    """No change to a phase dated before the day it was approved."""
    refuse_dated_before(f"phase '{pi.phase_id}' of {pi.area_id} was approved", pi.completed_on, as_of)


def open_phase_instances(session: Session, area_id: str, phase_id: str, as_of: date) -> list[PhaseInstance]:
    """The phase's rounds open on the day (usually one; an older one left open, too), oldest first."""
    return list(session.execute(select(PhaseInstance).where(
        col(PhaseInstance.area_id) == area_id, col(PhaseInstance.phase_id) == phase_id,
        asof.phase_started_sql(as_of), col(PhaseInstance.completed_on).is_(None))
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
        if latest is not None:
            refuse_before_approval(latest, as_of)
        if latest is not None and latest.completed_on is not None and latest.opened_on <= as_of:
            raise Refused("phase_approved", f"phase '{phase.id}' of {area_id} was approved on "
                          f"{latest.completed_on}; its milestones can no longer change")
        raise Refused("phase_not_open", f"milestone '{milestone_id}' belongs to phase '{phase.id}', "
                      f"which is not open in {area_id} on {as_of}")
    rows: list[MilestoneInstance] = list(session.execute(select(MilestoneInstance).where(
        col(MilestoneInstance.phase_instance_id).in_([p.id for p in phases]),
        col(MilestoneInstance.milestone_id) == milestone_id, col(MilestoneInstance.retired).is_(False))
        .order_by(col(MilestoneInstance.id))).scalars())
    if not rows:
        raise CtcError(f"milestone '{milestone_id}' is not part of {area_id}'s open phase; run `ctc sync`")
    cycle = {p.id: p.cycle for p in phases}
    rows.sort(key=lambda r: cycle[r.phase_instance_id])
    wanted = [r for r in rows if (r.status == MilestoneStatus.DONE) == done]
    if not wanted:
        return rows[-1] if done else rows[0]  # the refusal below says why
    return wanted[-1] if done else wanted[0]


class NotInArea(CtcError):
    """The milestone instance does not exist or belongs to another area."""


def open_instance(session: Session, defs: Definitions, area_id: str, instance_id: int,
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
    refuse_before_approval(pi, as_of)
    if pi.completed_on is not None:
        raise Refused("phase_approved", f"phase '{pi.phase_id}' of {area_id} was approved on {pi.completed_on}; "
                      "its milestones can no longer change")
    return pi, mi, located[1]


def done_pairs(session: Session, area_id: str, as_of: date | None = None) -> set[tuple[str, int]]:
    """(milestone, phase instance) of everything done in the area (by ``as_of``) — what
    dependencies are checked against, in one query for a whole page."""
    mi = MilestoneInstance
    done = asof.done_by_sql(as_of) if as_of is not None else col(mi.status) == MilestoneStatus.DONE
    query = select(col(mi.milestone_id), col(mi.phase_instance_id)).where(col(mi.area_id) == area_id, done)
    return set(session.execute(query).tuples().all())


def waiting_for(defs: Definitions, ms: MilestoneDef, phase_id: str, phase_instance_id: int,
                done: set[tuple[str, int]]) -> list[str]:
    """The milestones ``ms`` still waits for: a dependency within the phase must be done in this
    cycle; one on an earlier phase, in any of its instances."""
    same_phase = {m.id for m in defs.process.phase(phase_id).milestones}
    done_anywhere = {m for m, _ in done}
    return [d for d in ms.depends_on
            if ((d, phase_instance_id) not in done if d in same_phase else d not in done_anywhere)]
