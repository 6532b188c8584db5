"""Bring the database in line with phases.yml and areas.yml without losing recorded progress.

``plan_sync`` compares and returns the steps (pure, so ``ctc sync --dry-run`` can print them);
``apply_sync`` carries them out in one transaction. Only open phases follow definition changes:
approved phases are history and stay as they were recorded.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select, update
from sqlmodel import Session, col

from ctcflow.core.errors import CtcError
from ctcflow.definition.duerules import schedule
from ctcflow.definition.loader import Definitions
from ctcflow.definition.organisation import AreaDef
from ctcflow.engine.eventlog import NewEvent, record
from ctcflow.engine.steps import Step, StepKind, SyncPlan
from db.models import Area, MilestoneInstance, PhaseInstance
from db.statuses import MilestoneStatus

SYSTEM = "ctc sync"


def plan_sync(session: Session, defs: Definitions) -> SyncPlan:
    plan = SyncPlan()
    areas = {a.id: a for a in session.execute(select(Area)).scalars()}
    defined = {a.id: a for a in defs.org.areas}
    for area_def in defs.org.areas:
        existing = areas.get(area_def.id)
        if existing is None:
            plan.new_areas.append(area_def.id)
            plan.steps.append(Step(StepKind.AREA_ADDED, area_def.id, new=str(area_def.start)))
            continue
        if existing.name != area_def.name:
            plan.steps.append(Step(StepKind.AREA_RENAMED, area_def.id, old=existing.name, new=area_def.name))
        if not existing.active:
            plan.steps.append(Step(StepKind.AREA_REACTIVATED, area_def.id))
    for area_id, existing_area in areas.items():
        if area_id not in defined and existing_area.active:
            plan.steps.append(Step(StepKind.AREA_DEACTIVATED, area_id))

    open_phases = list(session.execute(
        select(PhaseInstance).where(col(PhaseInstance.completed_on).is_(None))
    ).scalars())
    known_phases = {p.id for p in defs.process.phases}
    stray = sorted({p.phase_id for p in open_phases if p.phase_id not in known_phases})
    if stray:
        raise CtcError(
            f"phases.yml no longer defines phase(s) {', '.join(stray)}, which are open in the database; "
            "put them back (an open phase cannot be removed) and approve or close them first"
        )
    by_phase_instance: dict[int, list[MilestoneInstance]] = {}
    for mi in session.execute(select(MilestoneInstance).join(  # a join, not a list of ids: no limit on the city
        PhaseInstance, col(PhaseInstance.id) == col(MilestoneInstance.phase_instance_id)
    ).where(col(PhaseInstance.completed_on).is_(None))).scalars():
        by_phase_instance.setdefault(mi.phase_instance_id, []).append(mi)

    for pi in open_phases:
        start = pi.opened_on
        defined_area = defined.get(pi.area_id)
        first_phase = defs.process.phases[0].id
        if defined_area and pi.phase_id == first_phase and pi.cycle == 1 and defined_area.start != start:
            plan.steps.append(Step(StepKind.AREA_START_CHANGED, pi.area_id, pi.phase_id,
                                   str(start), str(defined_area.start), row_id=pi.id))
            start = defined_area.start
        plan.steps += milestone_steps(defs, pi, start, by_phase_instance.get(pi.id or 0, []))
    return plan


def milestone_steps(defs: Definitions, pi: PhaseInstance, start: date,
                     instances: list[MilestoneInstance]) -> list[Step]:
    phase = defs.process.phase(pi.phase_id)
    due = schedule(defs.phase_rules(phase), start, done_dates(instances))
    have = {mi.milestone_id: mi for mi in instances}
    steps: list[Step] = []
    claimed: set[str] = set()
    for ms in phase.milestones:
        mi = have.get(ms.id)
        if mi is None:
            old = next((have[o] for o in ms.renamed_from if o in have and o not in claimed), None)
            if old is not None:
                claimed.add(old.milestone_id)
                steps.append(Step(StepKind.MILESTONE_RENAMED, pi.area_id, ms.id, old.milestone_id, ms.id, old.id))
                mi = old
            else:
                steps.append(Step(StepKind.MILESTONE_ADDED, pi.area_id, ms.id, None, _iso(due[ms.id]), pi.id))
                continue
        if mi.retired and mi.closed_on is None:  # a closed one stays closed: the coordinator decided
            steps.append(Step(StepKind.MILESTONE_RESTORED, pi.area_id, ms.id, row_id=mi.id))
        if mi.status != MilestoneStatus.DONE and mi.due_date != due[ms.id]:
            steps.append(Step(StepKind.DUE_CHANGED, pi.area_id, ms.id, _iso(mi.due_date), _iso(due[ms.id]), mi.id))
    defined_ids = {m.id for m in phase.milestones}
    for mi in instances:
        if mi.milestone_id not in defined_ids and mi.milestone_id not in claimed and not mi.retired:
            steps.append(Step(StepKind.MILESTONE_RETIRED, pi.area_id, mi.milestone_id, row_id=mi.id))
    return steps


def done_dates(instances: list[MilestoneInstance]) -> dict[str, date]:
    """When each milestone of a phase instance that is done was done (what ``after`` counts from)."""
    return {mi.milestone_id: mi.done_on for mi in instances
            if mi.status == MilestoneStatus.DONE and mi.done_on and not mi.retired}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def open_phase_rows(defs: Definitions, area_id: str, phase_id: str, cycle: int,
                    opened_on: date, phase_instance_id: int) -> list[dict[str, object]]:
    """Milestone rows for a newly opened phase instance, due dates computed from its start."""
    phase = defs.process.phase(phase_id)
    due = schedule(defs.phase_rules(phase), opened_on)
    return [
        {"phase_instance_id": phase_instance_id, "area_id": area_id, "milestone_id": ms.id,
         "due_date": due[ms.id], "planned_due_date": due[ms.id], "status": MilestoneStatus.OPEN, "retired": False}
        for ms in phase.milestones
    ]


def apply_sync(session: Session, defs: Definitions, plan: SyncPlan, as_of: date, actor: str = SYSTEM,
               note: str | None = None) -> None:
    """Carry out ``plan`` in the caller's transaction (all or nothing); ``actor`` and ``note``:
    who decided it and why (a moved start is a decision the next report to the board states)."""
    defined = {a.id: a for a in defs.org.areas}
    _add_areas(session, defs, [defined[a] for a in plan.new_areas])
    # a start moved is a decision (dated, by whom, in the next report): the area's new plan is
    # what its work is measured against from then on; a move caused by late work never is
    replanned = {s.area_id for s in plan.steps if s.kind == StepKind.AREA_START_CHANGED}
    for step in plan.steps:
        apply_step(session, defs, step, defined, replan=step.area_id in replanned)
    record(session, [
        NewEvent(kind=s.kind, actor=actor, effective_on=as_of, area_id=s.area_id,
                 subject=s.subject, old=s.old, new=s.new, note=note)
        for s in plan.steps
    ])


def _add_areas(session: Session, defs: Definitions, new: list[AreaDef]) -> None:
    if not new:
        return
    first = defs.process.phases[0].id
    session.execute(insert(Area), [
        {"id": a.id, "name": a.name, "start_date": a.start, "active": True} for a in new
    ])
    session.execute(insert(PhaseInstance), [
        {"area_id": a.id, "phase_id": first, "cycle": 1, "opened_on": a.start} for a in new
    ])
    ids: dict[str, int] = dict(session.execute(
        select(col(PhaseInstance.area_id), col(PhaseInstance.id)).where(
            col(PhaseInstance.area_id).in_([a.id for a in new]),
            col(PhaseInstance.phase_id) == first, col(PhaseInstance.cycle) == 1)
    ).tuples().all())
    rows = [row for a in new for row in open_phase_rows(defs, a.id, first, 1, a.start, ids[a.id])]
    session.execute(insert(MilestoneInstance), rows)


def apply_step(session: Session, defs: Definitions, step: Step, defined: dict[str, AreaDef], *,
               replan: bool = False) -> None:
    mi = MilestoneInstance
    if step.kind == StepKind.AREA_RENAMED:
        session.execute(update(Area).where(col(Area.id) == step.area_id).values(name=step.new))
    elif step.kind in (StepKind.AREA_DEACTIVATED, StepKind.AREA_REACTIVATED):
        session.execute(update(Area).where(col(Area.id) == step.area_id)
                        .values(active=step.kind == StepKind.AREA_REACTIVATED))
    elif step.kind == StepKind.AREA_START_CHANGED:
        start = defined[step.area_id].start
        session.execute(update(Area).where(col(Area.id) == step.area_id).values(start_date=start))
        session.execute(update(PhaseInstance).where(col(PhaseInstance.id) == step.row_id).values(opened_on=start))
    elif step.kind == StepKind.MILESTONE_ADDED:
        due = date.fromisoformat(step.new) if step.new else None
        session.execute(insert(mi).values(
            phase_instance_id=step.row_id, area_id=step.area_id, milestone_id=step.subject,
            due_date=due, planned_due_date=due, status=MilestoneStatus.OPEN, retired=False))
    elif step.kind == StepKind.MILESTONE_RENAMED:
        session.execute(update(mi).where(col(mi.id) == step.row_id).values(milestone_id=step.new))
    elif step.kind == StepKind.MILESTONE_RETIRED:
        session.execute(update(mi).where(col(mi.id) == step.row_id).values(retired=True))
    elif step.kind == StepKind.MILESTONE_RESTORED:
        session.execute(update(mi).where(col(mi.id) == step.row_id).values(retired=False))
    elif step.kind == StepKind.DUE_CHANGED:
        due = date.fromisoformat(step.new) if step.new else None
        session.execute(update(mi).where(col(mi.id) == step.row_id).values(
            due_date=due, **({"planned_due_date": due} if replan else {})))
