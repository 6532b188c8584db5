"""The main job on embedded defaults: Malmö's five areas replayed day by day from autumn 2018
on a fresh local SQLite database, with some milestones done late and some never.

The simulated teams are deterministic (a hash of area and milestone picks how late they are),
so every run tells the same story.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from ctcflow import calendar
from ctcflow.config import PROJECT_ROOT, reset_settings
from ctcflow.definitions import Definitions, load_definitions
from ctcflow.errors import CtcError
from ctcflow.progress import advance, approve, gate_for, mark_done
from db.engine import session_scope
from db.models import MilestoneInstance, PhaseInstance

START = date(2018, 8, 1)
LATENESS = (-4, -1, 0, 0, 2, 5, 9, 20, 45)  # working days relative to the due date
# What Malmö's history says slipped: the area inputs to the 2022 report to KS, among others.
NEVER = {
    ("kirsebergsstaden_rostorp_segevang_segemolla", "underlag_ks_rapport", 1),
    ("hermodsdal_nydala_gullviksborg", "underlag_ks_rapport", 1),
    ("mollevangen_radmansvangen_sodervarn", "programtrohet_foljd", 2),
    ("bunkeflostrand_vintrie", "deltagarutfall", 3),
}


def _lateness(area_id: str, milestone_id: str, cycle: int) -> int:
    digest = hashlib.sha256(f"{area_id}/{milestone_id}/{cycle}".encode()).digest()
    return LATENESS[digest[0] % len(LATENESS)]


def _person(defs: Definitions, role: str, area_id: str, day: date) -> str:
    people = defs.org.people_with_role(role, day, area_id)
    if not people:
        raise CtcError(f"nobody holds role {role} in {area_id} on {day}")
    return people[0].id


def simulate_day(defs: Definitions, day: date) -> tuple[int, int]:
    """The simulated teams' work on ``day``: milestones they finish and gates they approve."""
    done = approved = 0
    with session_scope() as session:
        advance(session, defs, day)
        rows = session.execute(
            select(PhaseInstance, MilestoneInstance)
            .join(MilestoneInstance, MilestoneInstance.phase_instance_id == PhaseInstance.id)
            .where(PhaseInstance.completed_on.is_(None), PhaseInstance.opened_on <= day,
                   MilestoneInstance.status == "open", MilestoneInstance.retired.is_(False),
                   MilestoneInstance.due_date.is_not(None))
            .order_by(MilestoneInstance.due_date, MilestoneInstance.id)
        ).tuples().all()
        for pi, mi in rows:
            assert mi.due_date is not None
            if (pi.area_id, mi.milestone_id, pi.cycle) in NEVER:
                continue
            planned = calendar.add_business_days(mi.due_date, _lateness(pi.area_id, mi.milestone_id, pi.cycle))
            if planned > day:
                continue
            _, ms = defs.milestone(mi.milestone_id) or (None, None)
            if ms is None:
                continue
            try:
                mark_done(session, defs, pi.area_id, mi.milestone_id, by=_person(defs, ms.owner, pi.area_id, day),
                          as_of=day, evidence=f"dokument {mi.milestone_id} {day}" if ms.evidence_required else None)
                done += 1
            except CtcError:
                continue  # a dependency is not done yet: the team gets to it later
        open_phases = session.execute(select(PhaseInstance).where(
            PhaseInstance.completed_on.is_(None), PhaseInstance.opened_on <= day)).scalars().all()
        for pi in open_phases:
            if gate_for(session, defs, pi).met:
                approver = defs.process.phase(pi.phase_id).gate.approver
                approve(session, defs, pi.area_id, pi.phase_id, by=_person(defs, approver, pi.area_id, day), as_of=day)
                approved += 1
    return done, approved


def prepare(workdir: Path) -> Definitions:
    """A fresh database in ``workdir``, loaded from the shipped phases.yml and areas.yml."""
    from ctcflow.commands import init_database

    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    os.environ["CTC_DATA_DIR"] = str(workdir)
    reset_settings()
    init_database(START)
    return load_definitions()


def run_demo(until: date, lang: str, workdir: Path | None = None) -> int:
    from ctcflow.cli import main as cli_main

    workdir = (workdir or PROJECT_ROOT / ".ctc" / "demo").resolve()
    started = time.monotonic()
    defs = prepare(workdir)
    print(f"ctcflow demo: Malmö's five CTC areas, {START} → {until}, database {workdir / 'ctc.db'}")
    total_done = total_approved = 0
    day = START
    while day <= until:
        if calendar.is_business_day(day):
            done, approved = simulate_day(defs, day)
            total_done += done
            total_approved += approved
        day += timedelta(days=1)
    print(f"simulated {total_done} milestones done and {total_approved} phase approvals "
          f"in {time.monotonic() - started:.1f} s\n")
    cli_main(["status", "--as-of", until.isoformat(), "--lang", lang])
    print(f"\nTry: CTC_DATA_DIR={workdir} ./run status --as-of {until} --area hermodsdal_nydala_gullviksborg")
    return 0
