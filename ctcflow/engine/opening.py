"""Opening phases: the next one after an approval, a new cycle of a recurring phase, and the
revision a new survey wave calls for. Each opened phase gets its milestones and due dates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import insert, select
from sqlmodel import Session, col

from ctcflow.core import calendar
from ctcflow.definition.loader import Definitions
from ctcflow.engine.eventlog import SYSTEM, NewEvent, record
from ctcflow.engine.surveydata import areas_with_wave
from ctcflow.engine.sync import open_phase_rows
from db.models import Area, MilestoneInstance, PhaseInstance, SurveyWave


def open_phase(session: Session, defs: Definitions, area_id: str, phase_id: str, cycle: int,
                opened_on: date) -> PhaseInstance:
    pi = PhaseInstance(area_id=area_id, phase_id=phase_id, cycle=cycle, opened_on=opened_on)
    session.add(pi)
    session.flush()
    assert pi.id is not None
    session.execute(insert(MilestoneInstance), open_phase_rows(defs, area_id, phase_id, cycle, opened_on, pi.id))
    record(session, [NewEvent("phase_opened", SYSTEM, opened_on, area_id, phase_id, None, f"cycle {cycle}")])
    return pi


@dataclass(frozen=True)
class Phase:
    """What ``advance`` reads of a phase instance."""

    area_id: str
    phase_id: str
    cycle: int
    opened_on: date
    completed_on: date | None


def advance(session: Session, defs: Definitions, as_of: date,
            area_ids: list[str] | None = None) -> list[PhaseInstance]:
    """Open the next phase after every approved one, and a new cycle of a recurring phase
    whose cycle length has passed by ``as_of``; returns what was opened."""
    ph = PhaseInstance
    query = (select(col(ph.area_id), col(ph.phase_id), col(ph.cycle), col(ph.opened_on), col(ph.completed_on))
             .join(Area).where(col(Area.active).is_(True)))  # plain rows: a big city's phases, no ORM objects
    if area_ids is not None:
        query = query.where(col(PhaseInstance.area_id).in_(area_ids))
    latest: dict[str, Phase] = {}
    order = {p.id: i for i, p in enumerate(defs.process.phases)}
    for pi in (Phase(*row) for row in session.execute(query)):
        key = (order.get(pi.phase_id, -1), pi.cycle)
        current = latest.get(pi.area_id)
        if current is None or key > (order.get(current.phase_id, -1), current.cycle):
            latest[pi.area_id] = pi
    opened: list[PhaseInstance] = _advance_revisions(session, defs, area_ids)
    for area_id, last in sorted(latest.items()):
        phase = defs.process.phase(last.phase_id)
        successor = defs.process.next_phase(phase.id)
        cycle, opened_on = last.cycle, last.opened_on
        if last.completed_on is not None and successor is not None:
            opened.append(open_phase(session, defs, area_id, successor.id, 1, last.completed_on))
            phase, cycle, opened_on = successor, 1, last.completed_on
        while phase.recurs_every_years:
            next_start = calendar.next_business_day(calendar.add_years(opened_on, phase.recurs_every_years))
            if next_start > as_of:
                break
            cycle, opened_on = cycle + 1, next_start
            opened.append(open_phase(session, defs, area_id, phase.id, cycle, next_start))
    return opened


def _advance_revisions(session: Session, defs: Definitions, area_ids: list[str] | None) -> list[PhaseInstance]:
    """A revision (cycle ≥ 2 of the phases a new survey reopens) moves on by itself when
    approved, up to the last revised phase; uppföljning goes on meanwhile."""
    revised = [p for p in defs.process.phases if p.revised_by_survey]
    if not revised:
        return []
    query = select(PhaseInstance).where(col(PhaseInstance.phase_id).in_([p.id for p in revised]),
                                        col(PhaseInstance.cycle) > 1)
    if area_ids is not None:
        query = query.where(col(PhaseInstance.area_id).in_(area_ids))
    instances = list(session.execute(query).scalars())
    present = {(i.area_id, i.phase_id, i.cycle) for i in instances}
    opened = []
    for instance in sorted(instances, key=lambda i: (i.area_id, i.cycle, defs.process.phase_index(i.phase_id))):
        successor = defs.process.next_phase(instance.phase_id)
        if instance.completed_on is None or successor is None or not successor.revised_by_survey:
            continue
        if (instance.area_id, successor.id, instance.cycle) in present:
            continue
        opened.append(open_phase(session, defs, instance.area_id, successor.id, instance.cycle, instance.completed_on))
        present.add((instance.area_id, successor.id, instance.cycle))
    return opened


def open_revisions(session: Session, defs: Definitions, as_of: date,
                   area_ids: Iterable[str] | None = None) -> list[PhaseInstance]:
    """A survey wave newer than an area's last analysis reopens the phases it revises (a new
    cycle of lägesanalys → prioritering → handlingsplan) while uppföljning goes on; the earlier
    cycles stay as they were."""
    revised = [p for p in defs.process.phases if p.revised_by_survey]
    last = defs.process.phases[-1]
    if not revised or last.revised_by_survey:
        return []
    first = revised[0]
    pi = PhaseInstance
    query = select(col(pi.area_id), col(pi.phase_id), col(pi.cycle), col(pi.opened_on), col(pi.completed_on)).where(
        col(pi.phase_id).in_([first.id, last.id]), col(pi.opened_on) <= as_of)
    if area_ids is not None:
        query = query.where(col(pi.area_id).in_(list(area_ids)))
    latest_first: dict[str, tuple[int, date, date | None]] = {}
    following: set[str] = set()
    for area_id, phase_id, cycle, opened_on, completed_on in session.execute(query):
        if phase_id == last.id:
            following.add(area_id)
        elif area_id not in latest_first or cycle > latest_first[area_id][0]:
            latest_first[area_id] = (cycle, opened_on, completed_on)
    if session.execute(select(col(SurveyWave.id)).where(col(SurveyWave.as_of) <= as_of)).first() is None:
        return []
    opened = []
    for area_id in sorted(following):
        cycle, _opened_on, completed_on = latest_first.get(area_id, (0, as_of, None))
        if completed_on is None:
            continue  # the analysis is still open (or never ran): nothing to revise yet
        if areas_with_wave(session, [area_id], since=completed_on + timedelta(days=1), until=as_of):
            opened.append(open_phase(session, defs, area_id, first.id, cycle + 1, as_of))
    return opened
