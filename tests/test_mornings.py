"""The software's own morning, kept like the teams' work: each working day's morning records
that it ran; the next one after a gap says which working days had none — on the overview, and
by `ctc health`, which a monitor calls and which fails while a working day went by without one."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
from sqlmodel import col

from ctcflow.app.jobs import MorningPlan, sweep
from ctcflow.cli.main import main
from db.engine import session_scope
from db.models import Morning
from demo.mailserver import LocalMailServer
from tests.conftest import Project, pages_port
from tests.webserver import session_for, web_server

WEDNESDAY, MONDAY = date(2018, 10, 3), date(2018, 10, 8)  # Thursday 4 and Friday 5 October: no morning


@pytest.mark.both_databases
def test_a_morning_after_two_missed_working_days_says_so_and_health_fails_until_one_runs(
        project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    port = pages_port(monkeypatch)
    quiet = MorningPlan(deliver=False)
    sweep(WEDNESDAY, quiet)
    sweep(WEDNESDAY, quiet)  # a rerun records nothing twice
    assert main(["health", "--as-of", WEDNESDAY.isoformat()]) == 0
    assert "Senaste morgonkörning som gick till slut: onsdag 3 oktober 2018" in capsys.readouterr().out

    assert main(["health", "--as-of", "2018-10-05"]) == 1  # Thursday went by without one
    said = capsys.readouterr().out
    assert "INTE KÖRD: 1 arbetsdag(ar) utan morgonkörning sedan dess: 2018-10-04" in said, said

    sweep(MONDAY, quiet)
    with session_scope() as session:
        rows = [(m.day, m.missed_from, m.missed_days) for m in session.query(Morning).order_by(col(Morning.day))]
    assert rows == [(WEDNESDAY, None, 0), (MONDAY, date(2018, 10, 4), 2)]
    assert main(["health", "--as-of", MONDAY.isoformat()]) == 0

    cookie, _ = session_for("samordnare")
    with web_server(port, as_of=MONDAY) as url:
        page = httpx.get(f"{url}/oversikt", headers={"Cookie": cookie}, timeout=30).text
    banner = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.split('id="morgon"', 1)[1].split("</div>", 1)[0]))
    assert "Morgonkörningen gick inte från torsdag 4 oktober 2018 (2 arbetsdagar)" in banner, banner
    assert "det som skulle ha skickats då gick ut måndag 8 oktober 2018" in banner, banner
    said = re.sub(r"<[^>]+>", "", page.split('id="morgonkorning"', 1)[1].split("</p>", 1)[0])
    assert "Den kördes senast klart måndag 8 oktober 2018." in said, said


def test_the_coordinators_brief_says_the_morning_did_not_run_and_a_longer_gap_climbs_its_ladder(
        project: Project, mail: LocalMailServer, monkeypatch: pytest.MonkeyPatch) -> None:
    pages_port(monkeypatch)

    def gap_lines(person: str) -> list[str]:
        return [line for m in mail.to(f"{person}@test.example") for line in m.body.splitlines()
                if line.startswith("Morgonkörningen gick inte")]

    sweep(WEDNESDAY)
    assert gap_lines("samordnare") == []
    sweep(MONDAY)  # Thursday and Friday had none
    assert gap_lines("samordnare") == ["Morgonkörningen gick inte från torsdag 4 oktober 2018 (2 arbetsdagar); "
                                       "det som skulle ha skickats då går ut i dag."]
    assert gap_lines("avdelningschef") == []  # two days: the coordinator's to see to
    sweep(date(2018, 10, 12))  # Tuesday to Thursday: three working days — it climbs to the chief
    assert gap_lines("avdelningschef") == ["Morgonkörningen gick inte från tisdag 9 oktober 2018 (3 arbetsdagar); "
                                           "det som skulle ha skickats då går ut i dag."]
    assert gap_lines("ks_kansli") == []
    sweep(date(2018, 10, 29))  # two weeks without one: the morning ladder's top, the board, hears of it
    expected = ["Morgonkörningen gick inte från måndag 15 oktober 2018 (10 arbetsdagar); "
                "det som skulle ha skickats då går ut i dag."]
    assert gap_lines("ks_kansli") == gap_lines("avdelningschef")[1:] == expected
