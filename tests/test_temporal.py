"""One temporal truth: what was done, open or approved on a day is what `ctcflow.engine.asof`
says, for the gate box on the area's page as for the approval itself — and a change dated before
a fact it depends on is refused with what and when, leaving the history as it was."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from ctcflow.app.area_page import area_page
from ctcflow.definition.loader import load_definitions
from db.engine import session_scope
from db.models import Event, PhaseInstance
from tests.conftest import Project
from tests.test_cli import AREA, _complete_mobilisering, ctc


@pytest.fixture
def mobilised(project: Project, capsys: pytest.CaptureFixture[str]) -> Project:
    """Bellevuegården's mobilisering, its last milestone done on 3 December 2018."""
    code, _, err = ctc(capsys, "init", "--as-of", "2018-08-01")
    assert code == 0, err
    _complete_mobilisering(capsys, "2018-12-03")
    return project


def _history() -> tuple[int, list[tuple[str, int, date, date | None]]]:
    with session_scope() as session:
        events = session.execute(select(func.count()).select_from(Event)).scalar_one()
        phases = session.execute(select(col(PhaseInstance.phase_id), col(PhaseInstance.cycle),
                                        col(PhaseInstance.opened_on), col(PhaseInstance.completed_on))
                                 .where(col(PhaseInstance.area_id) == AREA)).tuples().all()
    return events, sorted(phases)


def _gate(day: date) -> tuple[str, ...]:
    defs = load_definitions()
    with session_scope() as session:
        page = area_page(session, defs, AREA, day)
    assert page is not None
    [block] = [b for b in page.phases if b.phase_id == "mobilisering"]
    assert block.gate is not None
    return block.gate.missing


def test_an_approval_dated_before_the_gate_was_met_is_refused_and_changes_nothing(
        mobilised: Project, capsys: pytest.CaptureFixture[str]) -> None:
    before = _history()
    code, _, err = ctc(capsys, "approve", AREA, "mobilisering", "--by", "styrgrupp_bellevue", "--as-of", "2018-09-10")
    assert code == 2 and "Traceback" not in err
    assert "done on 2018-12-03" in err and "would come before" in err and "date it 2018-12-03 or later" in err
    assert _history() == before  # no approval, no lagesanalys opened in September
    # the day the work was done, the same approval goes through
    code, out, err = ctc(capsys, "approve", AREA, "mobilisering", "--by", "styrgrupp_bellevue", "--as-of", "2018-12-03")
    assert code == 0, err
    assert "lagesanalys (cycle 1) opened 2018-12-03" in out


def test_the_gate_on_the_area_page_is_the_gate_of_the_day_asked(mobilised: Project) -> None:
    assert "kontaktperson_utsedd" in _gate(date(2018, 9, 10))  # in September nothing was done yet
    assert _gate(date(2018, 12, 3)) == ()


def test_an_undo_or_a_mark_dated_before_what_it_depends_on_is_refused(
        mobilised: Project, capsys: pytest.CaptureFixture[str]) -> None:
    before = _history()
    code, _, err = ctc(capsys, "undo", AREA, "vision_formulerad", "--by", "team_bellevue", "--as-of", "2018-11-01")
    assert code == 2 and "vision_formulerad" in err and "done on 2018-12-03" in err and "would come before" in err
    # arbetsgrupper depends on the områdesteam, formed on 3 December: not possible in November
    code, _, err = ctc(capsys, "done", AREA, "arbetsgrupper", "--by", "team_bellevue", "--as-of", "2018-11-01")
    assert code == 2 and "done only later" in err and "2018-12-03" in err
    assert _history() == before
    code, _, err = ctc(capsys, "approve", AREA, "mobilisering", "--by", "styrgrupp_bellevue", "--as-of", "2018-12-04")
    assert code == 0, err
    # a milestone of a phase approved on 4 December cannot be reopened as of 1 December
    code, _, err = ctc(capsys, "undo", AREA, "vision_formulerad", "--by", "team_bellevue", "--as-of", "2018-12-01")
    assert code == 2 and "approved on 2018-12-04" in err and "would come before" in err
