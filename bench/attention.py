"""Whether the right person acts: a city of the shape Malmö lived through, replayed every working
day through the morning (open phases, sweep, briefs, delivery through a real SMTP server on
loopback), with three failures planted — nine areas planned that never start, an
utvecklingsledare who leaves and is not replaced, a report to the board that is never sent.

It prints (and returns) the mails each person got per working day, and for each planted failure
the working days until the samordnare, the avdelningschef and the board each knew. Used by the
test suite on a short window and by ``./run bench`` on a long one.
"""

from __future__ import annotations

import os
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from ctcflow.core import calendar
from ctcflow.core.config import PROJECT_ROOT, reset_settings

RUNNING, PLANNED = 5, 9


@dataclass(frozen=True)
class CityShape:
    """The dates of one replay: the running areas' start, the planned start that never happens,
    the day the lead of the fourth area leaves, the report that is never sent, the window."""

    running_start: date
    planned_start: date
    lead_leaves: date
    report_year: int
    start: date
    until: date


SHORT = CityShape(date(2019, 9, 2), date(2020, 3, 2), date(2020, 3, 31), 2020, date(2020, 2, 3), date(2020, 6, 30))
LONG = CityShape(date(2019, 9, 2), date(2021, 3, 1), date(2021, 6, 30), 2022, date(2020, 1, 2), date(2022, 12, 30))

HEADER = """municipality: Replaystad
administrations:
  - {id: stadskontoret, name: Stadskontoret}
responsibilities:
  - {role: central_samordnare, administration: stadskontoret, from: 2017-01-01}
central:
  - {id: samordnare, name: Samordnaren, role: central_samordnare, notify: "env:CTC_R_SAMORDNARE"}
  - {id: analys, name: Analysfunktionen, role: analysfunktionen, notify: "env:CTC_R_ANALYS"}
  - {id: chef, name: Avdelningschefen, role: avdelningschef, notify: "env:CTC_R_CHEF"}
  - {id: direktor, name: Direktören, role: ansvarig_direktor, notify: "env:CTC_R_DIREKTOR"}
  - {id: ks, name: Kommunstyrelsens kansli, role: kommunstyrelsen, notify: "env:CTC_R_KS"}
areas:
"""


def area_id(index: int) -> str:
    return f"omrade_{index:02d}"


def write_city(folder: Path, shape: CityShape) -> None:
    """14 areas: five running, nine planned; the fourth running area's lead leaves."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "phases.yml").write_text((PROJECT_ROOT / "phases.yml").read_text(encoding="utf-8"), encoding="utf-8")
    lines = [HEADER]
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


@dataclass
class Figures:
    days: list[date]
    mails: dict[str, Counter[date]]  # person → mails on each working day
    briefs: dict[str, Counter[date]]  # person → briefs on each working day
    knew: dict[str, dict[str, int | None]]  # failure → who → working days until they knew
    items: int = 0  # notices carried by a delivered brief
    held: int = 0  # notices still waiting for a brief at the end
    cancelled: int = 0  # notices resolved before their brief
    twice: int = 0  # notices carried by more than one delivered brief (must be 0)
    lost: list[str] = field(default_factory=list)  # notices in no brief and not waiting (must be empty)

    def per_day(self, person: str) -> list[int]:
        return [self.mails[person][d] for d in self.days]


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

    init_database(shape.start)
    defs = load_definitions()
    running = {area_id(i) for i in range(RUNNING)}
    days: list[date] = []
    mails: dict[str, Counter[date]] = defaultdict(Counter)
    briefs: dict[str, Counter[date]] = defaultdict(Counter)
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
                    briefs[person][day] += message.subject.startswith("CTC ")
                _simulate(defs, day, running)
                days.append(day)
                if progress:
                    progress(day)
            day = date.fromordinal(day.toordinal() + 1)
    figures = Figures(days, mails, briefs, _who_knew(defs, shape))
    _count_items(figures)
    return figures


def failures(shape: CityShape) -> dict[str, tuple[list[str], date]]:
    """Each planted failure: the topics it is told under, and the day it happened."""
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


WHO = {"samordnare": "central_samordnare", "chef": "avdelningschef", "ks": "kommunstyrelsen"}


def _who_knew(defs: object, shape: CityShape) -> dict[str, dict[str, int | None]]:
    """For each failure, the working days from the day it happened until each of the samordnare,
    the chief and the board first got a delivered message about it (at once or in a brief)."""
    from db.engine import session_scope
    from db.models import Notification

    brief = aliased(Notification)
    n = Notification
    knew: dict[str, dict[str, int | None]] = {}
    with session_scope() as session:
        for name, (topics, happened) in failures(shape).items():
            told_on = dict(session.execute(
                select(col(n.recipient), func.min(func.coalesce(brief.as_of, n.as_of)))
                .outerjoin(brief, and_(brief.id == n.brief_id, brief.status == "sent"))
                .where(col(n.topic).in_(topics), col(n.recipient).in_(WHO),
                       (col(n.status) == "sent") | ((col(n.status) == "briefed") & (brief.id.is_not(None))),
                       func.coalesce(brief.as_of, n.as_of) >= happened)  # told it had happened, not reminded
                .group_by(col(n.recipient))).tuples().all())
            start = calendar.business_ordinal(happened)
            knew[name] = {who: (calendar.business_ordinal(told_on[who]) - start) if who in told_on else None
                          for who in WHO}
    return knew


def _count_items(figures: Figures) -> None:
    """Every notice decided for a brief: carried by exactly one delivered brief, cancelled because
    it was resolved first, or still waiting (decided after its person's last brief)."""
    from db.engine import session_scope
    from db.models import Notification

    n = Notification
    brief = aliased(Notification)
    with session_scope() as session:
        rows = session.execute(
            select(col(n.key), col(n.status), col(n.recipient), col(n.as_of), brief.status)
            .outerjoin(brief, brief.id == n.brief_id)
            .where(col(n.kind) != "brief", col(n.status).in_(("briefed", "held", "cancelled")))).all()
        last_brief = dict(session.execute(select(col(n.recipient), func.max(col(n.as_of)))
                                          .where(col(n.kind) == "brief", col(n.status) == "sent")
                                          .group_by(col(n.recipient))).tuples().all())
    keys: Counter[str] = Counter()
    for key, status, recipient, decided, brief_status in rows:
        if status == "briefed" and brief_status == "sent":
            keys[key] += 1
            figures.items += 1
        elif status == "held" and decided >= last_brief.get(recipient, date.min):
            figures.held += 1
        elif status == "cancelled":
            figures.cancelled += 1
        else:
            figures.lost.append(key)
    figures.twice = sum(1 for count in keys.values() if count > 1)


def report(figures: Figures) -> list[str]:
    """The lines ``./run bench`` prints."""
    lines = [f"    {len(figures.days)} working days; {figures.items} notices carried by briefs, "
             f"{figures.cancelled} resolved before their brief, {figures.held} waiting, "
             f"{len(figures.lost)} lost, {figures.twice} in two briefs"]
    for person, label in (("samordnare", "samordnare"), ("ul_00", "an utvecklingsledare"), ("chef", "avdelningschef"),
                          ("ks", "the board")):
        per_day = sorted(figures.per_day(person))
        briefs = max((figures.briefs[person][d] for d in figures.days), default=0)
        p95 = per_day[min(len(per_day) - 1, int(len(per_day) * 0.95))] if per_day else 0
        lines.append(f"    mails/working day, {label:<22} p50 {statistics.median(per_day) if per_day else 0:>3}  "
                     f"p95 {p95:>3}  max {max(per_day, default=0):>3}  (briefs/day max {briefs}; "
                     f"total {sum(per_day)})")
    for failure, who in figures.knew.items():
        told = ", ".join(f"{w} {d if d is not None else 'never'}" for w, d in who.items())
        lines.append(f"    {failure:<21} working days until it was known: {told}")
    return lines
