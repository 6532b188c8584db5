"""The one permission rule (ctcflow.access.permissions), asked by the command line and the web
alike: the rule itself on Malmö's people, then the same refusals through `ctc`."""

from __future__ import annotations

from datetime import date

import pytest

from ctcflow.access.directory import Directory
from ctcflow.access.permissions import Action, NotAllowed, actor_on, may, require
from ctcflow.access.vacancies import vacancies
from ctcflow.app.setup import init_database
from ctcflow.cli.main import main
from ctcflow.core.errors import CtcError
from ctcflow.definition.loader import Definitions, load_definitions
from tests.conftest import Project

BELLEVUE, BUNKEFLO = "bellevuegarden_lorensborg", "bunkeflostrand_vintrie"
DAY = date(2019, 3, 1)


@pytest.fixture
def defs(project: Project) -> Definitions:
    return load_definitions()


@pytest.mark.parametrize(("person", "action", "area", "role", "allowed"), [
    # an area's own people do its work; nobody else's
    ("ul_bellevue", Action.CHANGE_MILESTONE, BELLEVUE, "utvecklingsledare", True),
    ("team_bellevue", Action.RECORD_AREA_WORK, BELLEVUE, None, True),
    ("ul_bunkeflo", Action.CHANGE_MILESTONE, BELLEVUE, "utvecklingsledare", False),
    # a milestone is marked by its owner role; the area's lead marks the area roles' work too, and
    # nobody in the area marks a central role's (the analysis function's survey, the coordinator's)
    ("team_bellevue", Action.CHANGE_MILESTONE, BELLEVUE, "omradesteam", True),
    ("ul_bellevue", Action.CHANGE_MILESTONE, BELLEVUE, "omradesteam", True),
    ("ul_bellevue", Action.CHANGE_MILESTONE, BELLEVUE, "styrgrupp", True),
    ("team_bellevue", Action.CHANGE_MILESTONE, BELLEVUE, "utvecklingsledare", False),
    ("styrgrupp_bellevue", Action.CHANGE_MILESTONE, BELLEVUE, "omradesteam", False),
    ("styrgrupp_bellevue", Action.CHANGE_MILESTONE, BELLEVUE, "styrgrupp", True),
    ("team_bellevue", Action.CHANGE_MILESTONE, BELLEVUE, "analysfunktionen", False),
    ("ul_bellevue", Action.CHANGE_MILESTONE, BELLEVUE, "analysfunktionen", False),
    ("ul_bellevue", Action.CHANGE_MILESTONE, BELLEVUE, "central_samordnare", False),
    ("samordnare", Action.CHANGE_MILESTONE, BELLEVUE, "analysfunktionen", True),
    ("ul_bunkeflo", Action.VIEW_AREA, BELLEVUE, None, False),
    ("ul_bellevue", Action.VIEW_CITY, None, None, False),
    # the coordinator acts for every area
    ("samordnare", Action.CHANGE_MILESTONE, BELLEVUE, "utvecklingsledare", True),
    ("samordnare", Action.RECORD_AREA_WORK, BUNKEFLO, None, True),
    ("samordnare", Action.RECORD_COSTS, None, None, True),
    # other central people see everything and act only on their own role's work
    ("analys", Action.VIEW_CITY, None, None, True),
    ("analys", Action.CHANGE_MILESTONE, BELLEVUE, "analysfunktionen", True),
    ("analys", Action.CHANGE_MILESTONE, BELLEVUE, "utvecklingsledare", False),
    ("analys", Action.RECORD_AREA_WORK, BELLEVUE, None, False),
    ("avdelningschef", Action.VIEW_AREA, BUNKEFLO, None, True),
    ("avdelningschef", Action.RECORD_AREA_WORK, BUNKEFLO, None, False),
    ("avdelningschef", Action.RECORD_COSTS, None, None, True),
    ("ks_kansli", Action.CHANGE_MILESTONE, BELLEVUE, "central_samordnare", False),
    ("ks_kansli", Action.RECORD_COSTS, None, None, False),
    ("ul_bellevue", Action.RECORD_COSTS, None, None, False),
    # a gate: only its approver role, of the area or central
    ("styrgrupp_bellevue", Action.APPROVE_GATE, BELLEVUE, "styrgrupp", True),
    ("styrgrupp_bunkeflo", Action.APPROVE_GATE, BELLEVUE, "styrgrupp", False),
    ("samordnare", Action.APPROVE_GATE, BELLEVUE, "styrgrupp", False),
    ("ul_bellevue", Action.APPROVE_GATE, BELLEVUE, "styrgrupp", False),
    # taking an escalated matter on: whoever an escalation ladder tells, in their own area or central
    ("ul_bellevue", Action.ACKNOWLEDGE, BELLEVUE, None, True),
    ("ul_bunkeflo", Action.ACKNOWLEDGE, BELLEVUE, None, False),
    ("ul_bellevue", Action.ACKNOWLEDGE, None, None, False),
    ("avdelningschef", Action.ACKNOWLEDGE, BELLEVUE, None, True),
    ("avdelningschef", Action.ACKNOWLEDGE, None, None, True),
    ("ks_kansli", Action.ACKNOWLEDGE, None, None, True),
    ("team_bellevue", Action.ACKNOWLEDGE, BELLEVUE, None, False),  # the team is told, never escalated to
    ("analys", Action.ACKNOWLEDGE, BELLEVUE, None, False),
])
def test_the_rule(defs: Definitions, person: str, action: Action, area: str | None, role: str | None,
                  allowed: bool) -> None:
    assert may(defs, actor_on(defs, person, DAY), action, area, role=role) is allowed


def test_unknown_and_inactive_people_are_no_actors(defs: Definitions, project: Project) -> None:
    with pytest.raises(CtcError, match="not a person in areas.yml"):
        require(defs, "nobody", Action.VIEW_CITY, DAY)
    project.edit("areas.yml", "    role: analysfunktionen\n", "    role: analysfunktionen\n    until: 2019-01-31\n")
    with pytest.raises(CtcError, match="not active on 2019-03-01"):
        require(load_definitions(), "analys", Action.VIEW_CITY, DAY)


def test_a_refusal_names_who_may(defs: Definitions) -> None:
    with pytest.raises(NotAllowed) as refused:
        require(defs, "avdelningschef", Action.RECORD_AREA_WORK, DAY, BELLEVUE)
    assert "ul_bellevue" in str(refused.value) and "samordnare" in str(refused.value)


def test_a_role_nobody_holds_is_told_to_the_coordinator(defs: Definitions, project: Project) -> None:
    directory = Directory(defs, DAY)
    assert [p.id for p in directory.recipients("utvecklingsledare", BELLEVUE).people] == ["ul_bellevue"]
    project.edit("areas.yml", "role: utvecklingsledare, notify: \"env:CTC_NOTIFY_UL_BELLEVUE\"",
                 "role: utvecklingsledare, until: 2019-01-31, notify: \"env:CTC_NOTIFY_UL_BELLEVUE\"")
    vacant = Directory(load_definitions(), DAY).recipients("utvecklingsledare", BELLEVUE)
    assert vacant.vacant and [p.id for p in vacant.people] == ["samordnare"]


def test_the_command_line_asks_the_same_rule(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    init_database(date(2018, 8, 1))
    day = ["--as-of", "2018-09-20"]
    # a chief sees but does not do an area's work
    assert main(["done", BELLEVUE, "utvecklingsledare_pa_plats", "--by", "avdelningschef", *day]) == 2
    assert "may not do this" in capsys.readouterr().err
    # the analysis function may not mark a milestone the samordnare owns
    assert main(["done", BELLEVUE, "utvecklingsledare_pa_plats", "--by", "analys", *day]) == 2
    capsys.readouterr()
    # the coordinator may, in any area
    assert main(["done", BUNKEFLO, "utvecklingsledare_pa_plats", "--by", "samordnare", "--evidence", "beslut", *day]) == 0
    # costs: the coordinator and the chief, not an area's lead
    cost = ["cost", "add", "--year", "2018", "--administration", "stadskontoret", "--amount", "1000", *day]
    assert main([*cost, "--by", "ul_bellevue"]) == 2
    assert "may not record costs" in capsys.readouterr().err
    assert main([*cost, "--by", "avdelningschef"]) == 0


def test_a_vacancy_is_news_from_the_day_it_happens(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    """The lead who left on 2019-01-31 is missing from 2019-02-01 on — in `ctc status` and
    `ctc check` at once, not when one of the role's milestones falls due."""
    import json

    project.edit("areas.yml", "role: utvecklingsledare, notify: \"env:CTC_NOTIFY_UL_BELLEVUE\"",
                 "role: utvecklingsledare, until: 2019-01-31, notify: \"env:CTC_NOTIFY_UL_BELLEVUE\"")
    defs = load_definitions()
    assert vacancies(defs, date(2019, 1, 31)) == []
    [vacancy] = vacancies(defs, date(2019, 3, 1))
    assert (vacancy.role, vacancy.area_id, vacancy.since, vacancy.last_holder) == (
        "utvecklingsledare", BELLEVUE, date(2019, 2, 1), "ul_bellevue")

    init_database(date(2018, 8, 1))
    capsys.readouterr()
    assert main(["status", "--json", "--as-of", "2019-03-01"]) == 0
    assert json.loads(capsys.readouterr().out)["vacancies"] == [
        {"role": "utvecklingsledare", "area": BELLEVUE, "since": "2019-02-01", "last_holder": "ul_bellevue"}]
    assert main(["status", "--as-of", "2019-03-01"]) == 0
    shown = capsys.readouterr().out
    assert "Vakanta roller (1)" in shown and "2019-02-01 (28 d)" in shown
    main(["check"])
    assert "utvecklingsledare in bellevuegarden_lorensborg since 2019-02-01" in capsys.readouterr().out


def test_an_area_lead_never_named_is_vacant_from_the_area_s_start(project: Project) -> None:
    project.edit("areas.yml", "role: utvecklingsledare, notify: \"env:CTC_NOTIFY_UL_BELLEVUE\"",
                 "role: utvecklingsledare, from: 2019-06-01, notify: \"env:CTC_NOTIFY_UL_BELLEVUE\"")
    defs = load_definitions()
    start = next(a.start for a in defs.org.areas if a.id == BELLEVUE)
    [vacancy] = vacancies(defs, date(2019, 3, 1))
    assert (vacancy.area_id, vacancy.since, vacancy.last_holder) == (BELLEVUE, start, None)
    assert vacancies(defs, date(2019, 6, 1)) == []


def test_the_overview_shows_who_is_missing(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    from ctcflow.core.config import get_settings, reset_settings
    from ctcflow.web.app import create_app
    from tests.webserver import session_for

    project.edit("areas.yml", "role: utvecklingsledare, notify: \"env:CTC_NOTIFY_UL_BELLEVUE\"",
                 "role: utvecklingsledare, until: 2019-01-31, notify: \"env:CTC_NOTIFY_UL_BELLEVUE\"")
    monkeypatch.setenv("CTC_WEB_SECRET_KEY", "test-key-not-a-secret-but-long-enough")
    reset_settings()
    init_database(date(2018, 8, 1))
    client = TestClient(create_app(get_settings(), date(2019, 3, 1)), base_url="https://testserver")
    client.cookies.set("ctc_session", session_for("samordnare")[0].removeprefix("ctc_session="))
    page = client.get("/oversikt").text
    vacant = page.split('id="vacancies"', 1)[1].split("</table>", 1)[0]
    assert "Bellevuegården/Lorensborg" in vacant and "2019-02-01" in vacant
    assert "Utvecklingsledare Bellevuegården" in vacant  # who held it last
