"""Acknowledge — "vi tar det": a person on an escalated matter's ladder takes it on until a day.
The climb waits; everyone it already reached hears who has it; every list of open escalations
and the next report to the board shows it; when the day passes unsolved, the climb resumes and
says so. A real SQLite file, a real SMTP server on loopback, the command line as a user types it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import col

from ctcflow.app.setup import init_database
from ctcflow.cli.main import main
from ctcflow.core import calendar
from ctcflow.delivery import keys
from db.engine import session_scope
from db.models import Event, Notification
from demo.mailserver import LocalMailServer
from tests.conftest import Project, mornings

BELLEVUE = "bellevuegarden_lorensborg"  # starts 2018-09-03, first due 2018-09-17: not started from the 18th
TOPIC = keys.topic_stall("not_started", BELLEVUE)
SINCE = date(2018, 9, 18)
UNTIL = date(2018, 10, 5)


def told(recipient: str) -> list[Notification]:
    with session_scope() as session:
        return list(session.execute(select(Notification).where(col(Notification.topic) == TOPIC,
                                                                col(Notification.recipient) == recipient)).scalars())


@pytest.fixture
def acknowledged(project: Project, mail: LocalMailServer, capsys: pytest.CaptureFixture[str]) -> LocalMailServer:
    init_database(date(2018, 8, 1))
    chief_day = calendar.add_business_days(SINCE, 3)  # the ladder's second rung: the avdelningschef
    mornings(SINCE, chief_day)
    assert told("avdelningschef") and not told("direktor")
    capsys.readouterr()
    assert main(["ack", TOPIC, "--by", "avdelningschef", "--plan", "En utvecklingsledare anställs och börjar",
                 "--until", UNTIL.isoformat(), "--as-of", chief_day.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "eskaleringen vilar till 2018-10-05" in out
    return mail


def test_an_acknowledgement_pauses_the_climb_and_everyone_already_told_hears_who_has_it(
        acknowledged: LocalMailServer, capsys: pytest.CaptureFixture[str]) -> None:
    mornings(date(2018, 9, 24), UNTIL)
    # the director's rung (6 working days) and the board's (10) came while it held: neither was told
    assert not told("direktor") and not told("ks_kansli")
    # the samordnare, told at the first rung, read it in their next brief, with the plan and the day
    briefs = [m for m in acknowledged.to("samordnare@test.example") if m.subject.startswith("CTC")]
    assert any("Kvitterat: Bellevuegården/Lorensborg har inte kommit igång" in m.body
               and "Avdelningschef, stadskontoret tar det till" in m.body for m in briefs)
    # and it is in the event log, and in `ctc escalations` with its owner, plan and day
    with session_scope() as session:
        [event] = session.execute(select(Event).where(col(Event.kind) == "acknowledged")).scalars()
    assert (event.actor, event.subject, event.new) == ("avdelningschef", TOPIC, UNTIL.isoformat())
    assert main(["escalations", "--as-of", "2018-10-01"]) == 0
    listing = capsys.readouterr().out
    assert TOPIC in listing and "Avdelningschef, stadskontoret, till 2018-10-05: En utvecklingsledare" in listing
    assert main(["status", "--as-of", "2018-10-01", "--json"]) == 0
    [stall] = [e for e in json.loads(capsys.readouterr().out)["escalations"] if e["name"] == TOPIC]
    assert stall["acknowledged"] == {"by": "avdelningschef", "plan": "En utvecklingsledare anställs och börjar",
                                     "until": "2018-10-05", "lapsed": False}


def test_when_its_day_passes_unsolved_the_climb_resumes_and_says_so(acknowledged: LocalMailServer) -> None:
    mornings(date(2018, 9, 24), date(2018, 10, 8))
    [director] = told("direktor")
    [board] = told("ks_kansli")
    assert director.as_of == board.as_of == date(2018, 10, 8)  # the first working day after the 5th
    for row in (director, board):
        assert "tog på sig detta" in row.body and "Det har gått ut" in row.body
    assert "Kommunstyrelsen ombeds besluta hur och när arbetet i Bellevuegården/Lorensborg" in board.body
    assert "Ansvariga: Utvecklingsledare:" in board.body


def test_the_report_to_the_board_shows_the_acknowledgement_beside_the_stall(acknowledged: LocalMailServer,
                                                                            tmp_path: Path) -> None:
    assert main(["report", "ks", "--period", "2020", "--as-of", "2018-10-01", "--format", "md",
                 "--out", str(tmp_path)]) == 0
    [report] = list(tmp_path.glob("*.md"))
    matter = report.read_text(encoding="utf-8").split("## Ärendet", 1)[1].split("## Ansvariga", 1)[0]
    stall = next(line for line in matter.splitlines() if "Bellevuegården/Lorensborg skulle ha startat" in line)
    assert "Avdelningschef, stadskontoret har tagit på sig saken: En utvecklingsledare anställs och börjar" in stall
    assert "senast 2018-10-05" in stall


def test_only_someone_on_the_ladder_may_take_it_on_and_not_beyond_the_horizon(
        acknowledged: LocalMailServer, capsys: pytest.CaptureFixture[str]) -> None:
    day = "2018-09-24"
    assert main(["ack", TOPIC, "--by", "team_bellevue", "--plan", "x", "--until", "2018-10-01", "--as-of", day]) == 2
    assert "on no escalation ladder" in capsys.readouterr().err
    assert main(["ack", TOPIC, "--by", "direktor", "--plan", "Vi ser över", "--until", "2019-06-01",
                 "--as-of", day]) == 2
    assert "--until must be between 2018-09-24 and" in capsys.readouterr().err
    assert main(["ack", "stall/not_started/nowhere", "--by", "direktor", "--plan", "x", "--until", "2018-10-01",
                 "--as-of", day]) == 2
    assert "is open on 2018-09-24" in capsys.readouterr().err
    with session_scope() as session:  # none of the refused ones was recorded
        assert len(list(session.execute(select(Event).where(col(Event.kind) == "acknowledged")).scalars())) == 1
