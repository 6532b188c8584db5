"""The deadline sweep on a synthetic city: every phase of every area open (≈ 42 milestones per
area), most past deadlines met, a fifth of them overdue — then the morning's evaluation timed
beside the bare SQL query it rests on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlmodel import col

from bench.timing import clock
from ctcflow.core import calendar
from ctcflow.definition.loader import Definitions
from ctcflow.engine.sync import open_phase_rows
from ctcflow.notices.composer import Composer
from ctcflow.notices.deadlines import deadline_notices
from ctcflow.notices.open_work import open_milestones_query
from ctcflow.notices.outbox import write_new
from ctcflow.notices.policy import horizon
from db.engine import session_scope
from db.models import MilestoneInstance, PhaseInstance

PHASE_START_MONTHS = {"lagesanalys": 6, "prioritering": 12, "handlingsplan": 15, "uppfoljning": 24}


def open_every_phase(defs: Definitions, as_of: date) -> int:
    """Set-based: one INSERT for the phase instances and one for their milestones."""
    with session_scope() as session:
        starts = dict(session.execute(select(col(PhaseInstance.area_id), col(PhaseInstance.opened_on))).tuples().all())
        next_id = (session.execute(select(func.max(PhaseInstance.id))).scalar() or 0) + 1
        phases: list[dict[str, Any]] = []
        milestones: list[dict[str, Any]] = []
        for area_id, start in sorted(starts.items()):
            for phase_id, months in PHASE_START_MONTHS.items():
                opened = calendar.next_business_day(calendar.add_months(start, months))
                phases.append({"id": next_id, "area_id": area_id, "phase_id": phase_id, "cycle": 1,
                               "opened_on": min(opened, as_of)})
                milestones += open_phase_rows(defs, area_id, phase_id, 1, min(opened, as_of), next_id)
                next_id += 1
        session.execute(insert(PhaseInstance), phases)
        session.execute(insert(MilestoneInstance), milestones)
        # four in five deadlines already passed were met on the day; the rest are overdue
        session.execute(text("UPDATE milestone_instance SET status = 'done', done_on = due_date, "
                             "done_by = 'bench' WHERE due_date < :day AND id % 5 != 0"), {"day": as_of})
        return int(session.execute(select(func.count(col(MilestoneInstance.id)))).scalar() or 0)


def bench_sweep(defs: Definitions, as_of: date) -> None:
    total, _ = clock("open every phase in every area (setup)", lambda: open_every_phase(defs, as_of))
    print(f"    {total} milestone instances")
    due_until = calendar.add_business_days(as_of, horizon(defs.process.notification_policy))

    def bare_sql() -> int:
        with session_scope() as session:
            return len(session.execute(open_milestones_query(as_of, due_until)).all())

    def evaluate(day: date) -> Callable[[], list[Any]]:
        def run() -> list[Any]:
            with session_scope() as session:  # decided lazily: counted here, as the outbox takes them
                return list(deadline_notices(session, defs, day, composer))
        return run

    def write(planned: list[Any]) -> Callable[[], list[Any]]:
        def run() -> list[Any]:
            with session_scope() as session:
                return write_new(session, planned, composer.templates, defs.process.notification_policy.brief)
        return run

    composer = Composer(defs, as_of)

    rows, sql_s = clock("bare SQL: open milestones due by the horizon", bare_sql)
    print(f"    {rows} rows")
    planned, eval_s = clock("sweep evaluation (query + policy + keys)", evaluate(as_of))
    print(f"    {len(planned)} notices decided — ratio to bare SQL {eval_s / sql_s:.1f}×")
    new, _ = clock("render the new ones and write them to the outbox", write(planned))
    print(f"    {len(new)} new rows")
    again, _ = clock("the same morning again (all already in the outbox)", lambda: write(evaluate(as_of)())())
    print(f"    {len(again)} new rows")
    next_day = calendar.add_business_days(as_of, 1)
    composer = Composer(defs, next_day)
    planned, next_s = clock(f"next working day ({next_day}): evaluation", evaluate(next_day))
    new, _ = clock("next working day: write", write(planned))
    print(f"    {len(planned)} notices decided, {len(new)} new (stage changes only)")


def bench_phase_work(defs: Definitions, as_of: date) -> None:
    """The phases' own checks over every open phase of every area, in one batch."""
    from ctcflow.app.jobs import phase_work

    work, _ = clock("phase work, all areas (first run: everything is news)", lambda: phase_work(as_of, defs=defs))
    print(f"    {len(work.findings)} findings, {len(work.enqueued)} notices, {len(work.active_areas)} active areas")
    next_day = calendar.add_business_days(as_of, 1)
    quiet, _ = clock("phase work the next working day (a quiet day)", lambda: phase_work(next_day, defs=defs))
    print(f"    {len(quiet.findings)} findings still open, {len(quiet.enqueued)} new notices, "
          f"{len(quiet.active_areas)} areas get a phase step")
