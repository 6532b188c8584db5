"""Whether the right person acts: a city of the shape Malmö lived through, replayed every working
day through the morning (open phases, sweep, briefs, delivery through a real SMTP server on
loopback), with failures planted — nine areas planned that never start, an utvecklingsledare
who leaves and is not replaced, a report to the board that is never sent — and the turns Malmö
lived: a reorganisation (a new samordnare and a new avdelningschef on one day), milestones that
wait on others, and an acknowledgement that lapses unsolved.

It prints (and returns) per role the mails per working day and the lines per brief; whether
every notice decided was shown in a delivered mail; escalations that went down or sideways; what
reached the board, by kind; for each planted failure the working days until each level knew and
how often the board was reminded while it stayed open; and false "not started" alarms. Used by
the test suite on a short window and by ``./run bench`` on a long one (``bench.attention_figures``
counts).
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlmodel import col

from bench.attention_figures import Figures, count
from ctcflow.core import calendar
from ctcflow.core.config import PROJECT_ROOT, reset_settings

RUNNING, PLANNED = 5, 9
ACKED = RUNNING + 1  # the planned area whose stall the avdelningschef takes on, and lets lapse


@dataclass(frozen=True)
class CityShape:
    """The dates of one replay: the running areas' start, the planned start that never happens,
    the day the lead of the fourth area leaves, the report that is never sent, the day of the
    reorganisation (new holders of the samordnare's and the chief's roles), the window."""

    running_start: date
    planned_start: date
    lead_leaves: date
    report_year: int
    reorganisation: date
    start: date
    until: date


SHORT = CityShape(date(2019, 9, 2), date(2020, 3, 2), date(2020, 3, 31), 2020, date(2020, 5, 4),
                  date(2020, 2, 3), date(2020, 6, 30))
LONG = CityShape(date(2019, 9, 2), date(2021, 3, 1), date(2021, 6, 30), 2022, date(2021, 9, 1),
                 date(2020, 1, 2), date(2022, 12, 30))


def header(shape: CityShape) -> str:
    before = calendar.add_business_days(shape.reorganisation, -1)
    return f"""municipality: Replaystad
administrations:
  - {{id: stadskontoret, name: Stadskontoret}}
responsibilities:
  - {{role: central_samordnare, administration: stadskontoret, from: 2017-01-01}}
central:
  - {{id: samordnare, name: Samordnaren, role: central_samordnare, until: {before}, notify: "env:CTC_R_SAMORDNARE"}}
  - {{id: samordnare2, name: Nya samordnaren, role: central_samordnare, from: {shape.reorganisation},
     notify: "env:CTC_R_SAMORDNARE2"}}
  - {{id: analys, name: Analysfunktionen, role: analysfunktionen, notify: "env:CTC_R_ANALYS"}}
  - {{id: chef, name: Avdelningschefen, role: avdelningschef, until: {before}, notify: "env:CTC_R_CHEF"}}
  - {{id: chef2, name: Nya avdelningschefen, role: avdelningschef, from: {shape.reorganisation},
     notify: "env:CTC_R_CHEF2"}}
  - {{id: direktor, name: Direktören, role: ansvarig_direktor, notify: "env:CTC_R_DIREKTOR"}}
  - {{id: ks, name: Kommunstyrelsens kansli, role: kommunstyrelsen, notify: "env:CTC_R_KS"}}
areas:
"""


def area_id(index: int) -> str:
    return f"omrade_{index:02d}"


def write_city(folder: Path, shape: CityShape) -> None:
    """14 areas: five running, nine planned; the fourth running area's lead leaves."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "phases.yml").write_text((PROJECT_ROOT / "phases.yml").read_text(encoding="utf-8"), encoding="utf-8")
    lines = [header(shape)]
    for i in range(RUNNING + PLANNED):
        start = shape.running_start if i < RUNNING else shape.planned_start
        until = f", until: {shape.lead_leaves}" if i == 3 else ""
        lines.append(
            f"  - id: {area_id(i)}\n    name: Område {i + 1}\n    delomraden: [Del {i + 1}]\n    start: {start}\n"
            f"    team_sectors: [skola, forskola, socialtjanst, fritid, kultur, polis, raddningstjanst,"
            f" civilsamhalle, boende, naringsliv, unga]\n    people:\n"
            f"      - {{id: ul_{i:02d}, name: UL {i + 1}, role: utvecklingsledare{until},"
            f" notify: \"env:CTC_R_UL_{i:02d}\"}}\n"
            f"      - {{id: sg_{i:02d}, name: Styrgrupp {i + 1}, role: styrgrupp,"
            f" notify: \"env:CTC_R_SG_{i:02d}\"}}\n"
            f"      - {{id: team_{i:02d}, name: Team {i + 1}, role: omradesteam,"
            f" notify: \"env:CTC_R_TEAM_{i:02d}\"}}\n")
    (folder / "areas.yml").write_text("".join(lines), encoding="utf-8")


def _simulate(defs: object, day: date, running: set[str]) -> None:
    """The running areas do their milestones on their due dates (whoever holds the owner role;
    a vacant role's work waits) and approve each gate once it is met."""
    from ctcflow.core.errors import CtcError
    from ctcflow.definition.loader import Definitions
    from ctcflow.engine.approval import approve, gate_for
    from ctcflow.engine.marking import mark_done
    from ctcflow.engine.opening import advance
    from db.engine import session_scope
    from db.models import MilestoneInstance, PhaseInstance

    assert isinstance(defs, Definitions)
    with session_scope() as session:
        advance(session, defs, day)
        rows = session.execute(
            select(col(MilestoneInstance.area_id), col(MilestoneInstance.milestone_id))
            .join(PhaseInstance, col(PhaseInstance.id) == col(MilestoneInstance.phase_instance_id))
            .where(col(PhaseInstance.completed_on).is_(None), col(MilestoneInstance.status) == "open",
                   col(MilestoneInstance.retired).is_(False), col(MilestoneInstance.due_date) <= day,
                   col(MilestoneInstance.area_id).in_(running))
            .order_by(col(MilestoneInstance.due_date))).all()
        for area, milestone_id in rows:
            found = defs.milestone(milestone_id)
            holders = defs.org.people_with_role(found[1].owner, day, area) if found else []
            if not holders:
                continue
            try:
                mark_done(session, defs, area, milestone_id, by=holders[0].id, as_of=day, evidence="protokoll")
            except CtcError:
                continue  # a dependency first, or a check that needs data this replay has not
        for pi in session.execute(select(PhaseInstance).where(col(PhaseInstance.completed_on).is_(None),
                                                              col(PhaseInstance.area_id).in_(running))).scalars():
            if gate_for(session, defs, pi, day).met:
                approver = defs.org.people_with_role(defs.process.phase(pi.phase_id).gate.approver, day, pi.area_id)
                if approver:
                    approve(session, defs, pi.area_id, pi.phase_id, by=approver[0].id, as_of=day)


def _take_on(day: date) -> bool:
    """The avdelningschef takes one never-started area's stall on the day it reaches them, for ten
    working days; nothing happens, so it lapses and the climb resumes. True once done."""
    from ctcflow.app.acks import acknowledge, open_things
    from ctcflow.delivery import keys

    topic = keys.topic_stall("not_started", area_id(ACKED))
    defs, things = open_things(day)
    chiefs = defs.org.people_with_role("avdelningschef", day, None)
    if not chiefs or not any(e.topic == topic and e.highest == "avdelningschef" for e in things):
        return False
    acknowledge(topic, by=chiefs[0].id, plan="Vi tillsätter en utvecklingsledare", as_of=day,
                until=calendar.add_business_days(day, 10))
    return True


def replay(folder: Path, shape: CityShape, progress: Callable[[date], None] | None = None) -> Figures:
    """Replay ``shape`` in ``folder`` (its own SQLite file and SMTP server); returns the figures."""
    write_city(folder, shape)
    os.environ.update(CTC_PHASES_FILE=str(folder / "phases.yml"), CTC_AREAS_FILE=str(folder / "areas.yml"),
                      CTC_DATA_DIR=str(folder / "data"))
    os.environ.pop("CTC_DATABASE_URL", None)
    reset_settings()
    from ctcflow.app.jobs import MorningPlan, sweep
    from ctcflow.app.setup import init_database
    from ctcflow.definition.loader import load_definitions
    from demo.mailserver import LocalMailServer

    init_database(shape.running_start)
    defs = load_definitions()
    running = {area_id(i) for i in range(RUNNING)}
    day = shape.running_start
    while day < shape.start:  # the running areas' history before the window: done as it fell due
        if calendar.is_business_day(day):
            _simulate(defs, day, running)
        day = date.fromordinal(day.toordinal() + 1)
    days: list[date] = []
    mails: dict[str, Counter[date]] = defaultdict(Counter)
    briefs: dict[str, Counter[date]] = defaultdict(Counter)
    lines: dict[str, list[int]] = defaultdict(list)
    acked = False
    with LocalMailServer(folder / "mail") as server:
        server.route(defs.org, "replay.example")
        day = shape.start
        while day <= shape.until:
            if calendar.is_business_day(day):
                seen = len(server.received)
                sweep(day, MorningPlan(), defs=defs)  # the report job is off: the report is never sent
                for message in server.received[seen:]:
                    person = message.to.split("@", 1)[0]
                    mails[person][day] += 1
                    if message.subject.startswith("CTC "):
                        briefs[person][day] += 1
                        lines[person].append(sum(line.startswith("- ") for line in message.body.splitlines()))
                _simulate(defs, day, running)
                acked = acked or _take_on(day)
                days.append(day)
                if progress:
                    progress(day)
            day = date.fromordinal(day.toordinal() + 1)
    return count(Figures(days, mails, briefs, lines), defs, failures(shape))


def failures(shape: CityShape) -> dict[str, tuple[list[str], date]]:
    """Each planted failure: the topics it is told under, and the day it happened."""
    from sqlalchemy import func

    from ctcflow.definition.loader import load_definitions
    from ctcflow.delivery import keys
    from ctcflow.report.schedule import occasion, report_def
    from db.engine import session_scope
    from db.models import MilestoneInstance

    report = occasion(report_def(load_definitions(), "ks"), shape.report_year)
    planned = [area_id(i) for i in range(RUNNING, RUNNING + PLANNED)]
    with session_scope() as session:  # an area has not started once its first due date passed undone
        first_due = session.execute(select(func.min(col(MilestoneInstance.due_date)))
                                    .where(col(MilestoneInstance.area_id).in_(planned))).scalar_one()
    return {
        "missed report": ([keys.topic_report(report.key)], report.due),
        "areas never started": (
            [keys.topic_stall("not_started", a) for a in planned], calendar.add_business_days(first_due, 1)),
        "vacancy": ([keys.topic_stall("vacancy", area_id(3), "utvecklingsledare")],
                    date.fromordinal(shape.lead_leaves.toordinal() + 1)),
    }
