"""Signals a chief and the board can act on, through the real morning (SQLite, SMTP on loopback):
a brief never marks delivered what it did not show, a new holder's first brief hands over
everything open in their remit, the board gets stalls and rolled-up areas (never a single
milestone) and is reminded at its cadence while a thing stays open, and a moved start is a
decision the next report to the board states."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import col

from ctcflow.app.jobs import sweep
from ctcflow.app.setup import init_database
from ctcflow.cli.main import main
from ctcflow.core import calendar
from ctcflow.definition.loader import load_definitions
from ctcflow.delivery import keys
from ctcflow.engine.stalls import stalls
from db.engine import session_scope
from db.models import Notification
from demo.mailserver import LocalMailServer
from tests.conftest import Project, mornings

pytestmark = pytest.mark.slow  # weeks of mornings replayed for the escalation ladders


BELLEVUE = "bellevuegarden_lorensborg"


def outbox() -> list[Notification]:
    with session_scope() as session:
        return list(session.execute(select(Notification).order_by(col(Notification.id))).scalars())


def section(body: str, heading: str) -> list[str]:
    """The '- ' lines of one section of a brief: up to the next heading (a line in capitals)."""
    lines = []
    for line in body.split(heading, 1)[1].splitlines()[1:]:
        if line and line == line.upper() and not line.startswith(("-", " ")):
            break
        if line.startswith("- "):
            lines.append(line)
    return lines


CITY = 100


def write_city(project: Project, start: date) -> None:
    """A hundred areas starting the same day, each with its people — the samordnare and the
    chiefs of Malmö's areas.yml."""
    text = project.areas.read_text(encoding="utf-8")
    head = text.split("\nareas:\n", 1)[0]
    areas = [f"""  - id: omrade_{i:03d}
    name: Område {i:03d}
    delomraden: [Del {i}]
    start: {start}
    team_sectors: [skola, forskola, socialtjanst, fritid, kultur, polis, raddningstjanst, civilsamhalle, boende,
                   naringsliv, unga]
    people:
      - {{id: ul_{i:03d}, name: UL {i:03d}, role: utvecklingsledare, notify: "env:CTC_NOTIFY_UL_{i:03d}"}}
""" for i in range(CITY)]
    project.areas.write_text(head + "\nareas:\n" + "".join(areas), encoding="utf-8")


def test_a_brief_of_a_hundred_escalations_shows_every_one_and_marks_delivered_only_what_it_shows(
        project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    start = date(2019, 9, 2)
    write_city(project, start)
    with LocalMailServer() as mail:
        for person in load_definitions().org.everyone():
            monkeypatch.setenv(person.notify.split(":", 1)[1], mail.url(f"{person.id}@test.example"))
        init_database(date(2019, 8, 1))
        first_due = date(2019, 9, 16)  # start + 2 weeks: kontaktperson_utsedd, everywhere
        day = calendar.add_business_days(first_due, 1)  # a hundred areas not started, told the same morning
        sweep(day)
        [brief] = [m for m in mail.to("samordnare@test.example") if m.subject.startswith("CTC")]
    escalated = section(brief.body, "NYTT SOM ESKALERATS TILL DIG (100)")
    assert len(escalated) == CITY and all("har inte kommit igång" in line for line in escalated)
    rows = [r for r in outbox() if r.recipient == "samordnare" and r.kind != "brief"]
    stall_rows = [r for r in rows if r.kind == "not_started"]
    assert len(stall_rows) == CITY and all(r.status == "briefed" for r in stall_rows)
    # the routine lines past the brief's budget are folded — counted, not shown, and not delivered:
    # they wait for the next brief
    held = [r for r in rows if r.status == "held"]
    assert held and f"… och {len({r.topic for r in held})} till, i nästa brev" in brief.body
    assert not any(r.subject in brief.body for r in held)
    assert all(r.subject in brief.body for r in rows if r.status == "briefed" and r.kind == "not_started")


def test_a_new_holder_s_first_brief_hands_over_every_open_stall_in_their_remit(
        project: Project, mail: LocalMailServer, monkeypatch: pytest.MonkeyPatch) -> None:
    init_database(date(2018, 8, 1))
    mornings(date(2018, 9, 17), date(2018, 10, 19))
    # the samordnare leaves on the 19th; a new one starts on Monday the 22nd
    project.edit("areas.yml", "    role: central_samordnare\n    notify: env:CTC_NOTIFY_SAMORDNARE\n",
                 "    role: central_samordnare\n    notify: env:CTC_NOTIFY_SAMORDNARE\n    until: 2018-10-19\n"
                 "  - id: samordnare2\n    name: Nya samordnaren\n    role: central_samordnare\n"
                 "    notify: env:CTC_NOTIFY_SAMORDNARE2\n    from: 2018-10-22\n")
    monkeypatch.setenv("CTC_NOTIFY_SAMORDNARE2", mail.url("samordnare2@test.example"))
    sweep(date(2018, 10, 22))
    [handover] = mail.to("samordnare2@test.example")
    assert handover.subject.startswith("CTC överlämning: allt öppet i ditt ansvar")
    assert "Du har tagit över rollen Central samordnare från måndag 22 oktober 2018 efter Central samordnare CTC" \
        in handover.body
    with session_scope() as session:
        open_stalls = [s for s in stalls(session, load_definitions(), date(2018, 10, 22)) if s.area_id]
    assert open_stalls
    escalated = "\n".join(section(handover.body, "ESKALERAT TILL DIN ROLL"))
    for stall in open_stalls:
        name = load_definitions().org.area_name(stall.area_id or "")
        assert f"{name} har inte kommit igång" in escalated
    assert "i nästa brev" not in handover.body  # whole: nothing folded
    assert all(r.status == "briefed" for r in outbox() if r.recipient == "samordnare2" and r.kind != "brief")


def test_the_board_gets_stalls_not_milestones_and_is_reminded_while_it_stays_open(
        project: Project, mail: LocalMailServer) -> None:
    init_database(date(2018, 8, 1))
    mornings(date(2018, 9, 17), date(2018, 12, 14))
    rows = outbox()
    board = [r for r in rows if r.role == "kommunstyrelsen"]
    assert board and not [r for r in board if r.kind == "escalation"]  # no single milestone reaches the board
    since = date(2018, 9, 18)  # Bellevuegården has not started from the day after its first due date
    topic = keys.topic_stall("not_started", BELLEVUE)
    told_on = sorted(r.as_of for r in board if r.topic == topic)
    every = load_definitions().process.notification_policy.remind_top_every
    # first at its rung (10 working days), then again every `every` working days while it is open
    assert told_on == [calendar.add_business_days(since, 10 + every * k) for k in range(len(told_on))]
    assert len(told_on) >= 3
    reminders = [r for r in board if r.topic == topic and "påminnelse" in r.body]
    assert reminders and all("Kommunstyrelsen ombeds" in r.body for r in reminders)
    # nobody below or beside a milestone's owner was escalated to: the samordnare's own work never
    # went to an utvecklingsledare
    defs = load_definitions()
    levels = defs.process.levels
    owner = {m.id: m.owner for p in defs.process.phases for m in p.milestones}
    with session_scope() as session:
        from db.models import MilestoneInstance
        instance = dict(session.execute(select(col(MilestoneInstance.id), col(MilestoneInstance.milestone_id))).tuples().all())
    for r in rows:
        if r.kind == "escalation":
            assert levels[r.role or ""] > levels[owner[instance[r.milestone_instance_id or 0]]], r.key


def test_a_moved_start_is_a_decision_and_the_next_report_to_the_board_states_it(
        project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    init_database(date(2018, 8, 1))
    project.edit("areas.yml", "start: 2018-09-03", "start: 2019-01-07")
    assert main(["sync", "--as-of", "2018-09-20"]) == 2
    assert "say who decided it" in capsys.readouterr().err
    assert main(["sync", "--as-of", "2018-09-20", "--by", "avdelningschef", "--note", "KS beslut 2018-09-19 § 12"]) == 0
    with session_scope() as session:  # moved, so nothing is due yet: no stall
        assert not [s for s in stalls(session, load_definitions(), date(2018, 9, 21)) if s.area_id == BELLEVUE]
    assert main(["report", "ks", "--period", "2020", "--as-of", "2018-10-01", "--format", "md",
                 "--out", str(tmp_path)]) == 0
    [report] = list(tmp_path.glob("*.md"))
    summary = report.read_text(encoding="utf-8").split("## Ansvariga", 1)[0]
    assert ("Starten för Bellevuegården/Lorensborg flyttades från 2018-09-03 till 2019-01-07, beslutat av "
            "Avdelningschef, stadskontoret (2018-09-20): KS beslut 2018-09-19 § 12.") in summary
