"""The `ctc` command as a coordinator drives it, against a real SQLite file in a temp dir."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ctcflow.cli.main import main
from db.engine import get_engine
from tests.conftest import Project

AREA = "bellevuegarden_lorensborg"


def ctc(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def initialised(project: Project, capsys: pytest.CaptureFixture[str]) -> Project:
    code, out, _ = ctc(capsys, "init", "--as-of", "2018-08-01")
    assert code == 0 and "area_added" in out
    return project


def _status(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    code, out, _ = ctc(capsys, "status", "--json", *extra)
    assert code == 0
    data: dict[str, Any] = json.loads(out)
    return data


def test_init_then_status_json(initialised: Project, capsys: pytest.CaptureFixture[str]) -> None:
    data = _status(capsys, "--as-of", "2018-10-20")
    by_area = {a["area_id"]: a for a in data["areas"]}
    assert len(by_area) == 14  # Malmö's 14 lokalområden, nine of them planned for 2021
    assert by_area["kvarnby_hindby"]["phase_id"] is None
    assert by_area[AREA]["phase_id"] == "mobilisering"
    assert by_area[AREA]["milestones_total"] == 14
    # due 2018-09-17, 2018-10-03 and 2018-10-15 have passed on 20 October
    assert by_area[AREA]["overdue"] == 3
    assert by_area["mollevangen_radmansvangen_sodervarn"]["phase_id"] is None  # starts in November


def test_init_is_idempotent(initialised: Project, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.test_bad_input import database_hash

    before = database_hash()
    code, out, _ = ctc(capsys, "init")
    assert code == 0 and "nothing to change" in out
    assert database_hash() == before  # not a row added, changed or removed


def test_done_requires_evidence_and_changes_nothing_without_it(initialised: Project,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = ctc(capsys, "done", AREA, "utvecklingsledare_pa_plats", "--by", "samordnare", "--as-of", "2018-10-01")
    assert code == 2
    assert "requires evidence" in err and "Traceback" not in err
    data = _status(capsys, "--as-of", "2018-10-01", "--area", AREA)
    assert data["areas"][0]["milestones_done"] == 0


def test_done_undo_and_history(initialised: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = ctc(capsys, "done", AREA, "kontaktperson_utsedd", "--by", "samordnare",
                       "--as-of", "2018-09-14", "--note", "Anna är kontaktperson")
    assert code == 0 and "done 2018-09-14" in out
    data = _status(capsys, "--as-of", "2018-09-20", "--area", AREA)
    states = {m["milestone_id"]: m["state"] for m in data["milestones"]}
    assert states["kontaktperson_utsedd"] == "done"
    # replaying a day before it was done shows it open
    earlier = _status(capsys, "--as-of", "2018-09-13", "--area", AREA)
    assert {m["milestone_id"]: m["state"] for m in earlier["milestones"]}["kontaktperson_utsedd"] == "open"

    code, _, _ = ctc(capsys, "undo", AREA, "kontaktperson_utsedd", "--by", "samordnare", "--as-of", "2018-09-20")
    assert code == 0
    after = _status(capsys, "--as-of", "2018-09-20", "--area", AREA)
    assert {m["milestone_id"]: m["state"] for m in after["milestones"]}["kontaktperson_utsedd"] == "overdue"

    code, out, _ = ctc(capsys, "history", AREA, "--lang", "en")
    assert code == 0
    assert out.index("milestone_done") < out.index("milestone_undone")
    assert "Anna är kontaktperson" in out


def test_dependencies_must_be_done_first(initialised: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = ctc(capsys, "done", AREA, "karngrupp_bildad", "--by", "ul_bellevue", "--as-of", "2018-10-01")
    assert code == 2 and "utvecklingsledare_pa_plats" in err


def test_person_from_another_area_is_refused(initialised: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = ctc(capsys, "done", AREA, "avgransning", "--by", "ul_bunkeflo", "--as-of", "2018-10-01")
    assert code == 2 and "not a person of area" in err and "ul_bellevue" in err


def _complete_mobilisering(capsys: pytest.CaptureFixture[str], day: str) -> None:
    evidence = {"utvecklingsledare_pa_plats", "inventering_insatser", "beredskapsbedomning",
                "skolans_atagande", "omradesteam_bildat", "overgripande_arbetsplan"}
    order = ["kontaktperson_utsedd", "utvecklingsledare_pa_plats", "inventering_insatser", "karngrupp_bildad",
             "nyckelpersoner_forteckning", "avgransning", "beredskapsbedomning", "skolans_atagande",
             "nyckelpersonsorientering", "omradesteam_bildat", "omradesteam_orientering", "vision_formulerad",
             "overgripande_arbetsplan"]
    central = {"kontaktperson_utsedd", "utvecklingsledare_pa_plats", "skolans_atagande"}
    for ms in order:
        by = "samordnare" if ms in central else ("team_bellevue" if ms == "vision_formulerad" else "ul_bellevue")
        args = ["done", AREA, ms, "--by", by, "--as-of", day]
        if ms in evidence:
            args += ["--evidence", f"https://intranat.malmo.se/ctc/{ms}"]
        code, _, err = ctc(capsys, *args)
        assert code == 0, err


def test_gate_and_approval_open_the_next_phase(initialised: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = ctc(capsys, "approve", AREA, "mobilisering", "--by", "styrgrupp_bellevue", "--as-of", "2019-02-01")
    assert code == 2 and "required milestones not done" in err and "kontaktperson_utsedd" in err
    _complete_mobilisering(capsys, "2019-02-01")
    # 'arbetsgrupper' is optional, so the gate is met without it; only the styrgrupp may approve
    code, _, err = ctc(capsys, "approve", AREA, "mobilisering", "--by", "ul_bellevue", "--as-of", "2019-02-04")
    assert code == 2 and "only the styrgrupp" in err
    code, out, _ = ctc(capsys, "approve", AREA, "mobilisering", "--by", "styrgrupp_bellevue", "--as-of", "2019-02-04")
    assert code == 0 and "lagesanalys (cycle 1) opened 2019-02-04" in out
    data = _status(capsys, "--as-of", "2019-02-05", "--area", AREA)
    assert data["areas"][0]["phase_id"] == "lagesanalys"
    due = {m["milestone_id"]: m["due_date"] for m in data["milestones"]}
    assert due["enkat_genomford"] == "2019-03-04"  # week 10 of 2019
    assert due["enkat_analyserad"] == "2019-04-29"
    code, _, err = ctc(capsys, "done", AREA, "avgransning", "--by", "ul_bellevue", "--as-of", "2019-02-05")
    assert code == 2 and "approved on 2019-02-04" in err


def test_calendar_writes_ics(initialised: Project, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "bellevue.ics"
    code, out, _ = ctc(capsys, "calendar", AREA, "--as-of", "2018-09-10", "-o", str(target))
    assert code == 0 and "14 deadlines" in out
    raw = target.read_bytes()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    body = raw.decode("utf-8")
    assert "DTSTART;VALUE=DATE:20180917" in body
    assert f"UID:{AREA}.mobilisering.1.kontaktperson_utsedd@ctcflow" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_invalid_definition_changes_nothing(initialised: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = ctc(capsys, "check")
    assert code == 0 and "reports: ks due every 2 years from 2020 on 04-30 — ok" in out
    initialised.edit("phases.yml", "due: start + 2 weeks", "due: start + 14 dagar")
    code, _, err = ctc(capsys, "sync")
    assert code == 2
    assert "unparsable due rule" in err and "kontaktperson_utsedd" in err and "Traceback" not in err
    code, _, err = ctc(capsys, "check")
    assert code == 2 and str(initialised.phases) in err


def test_unknown_area_is_a_clear_error(initialised: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = ctc(capsys, "status", "--area", "rosengard")
    assert code == 2 and "unknown area 'rosengard'" in err


def test_commands_before_init_say_so(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = ctc(capsys, "status")
    assert code == 2 and "ctc init" in err


def test_event_log_is_append_only(initialised: Project) -> None:
    with get_engine().connect() as connection, pytest.raises(DBAPIError, match="append-only"):
        connection.execute(text("UPDATE event SET actor = 'someone else'"))
    with get_engine().connect() as connection, pytest.raises(DBAPIError, match="append-only"):
        connection.execute(text("DELETE FROM event"))
