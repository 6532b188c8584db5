"""Stalls without false alarms: an area counts as not started only once its first due date has
passed with nothing done, and an area counts as quiet only while work its own people can do is
open — a real SQLite file, the Malmö definitions."""

from __future__ import annotations

from datetime import date

from ctcflow.app.setup import init_database
from ctcflow.core import calendar
from ctcflow.definition.loader import load_definitions
from ctcflow.engine.stalls import stalls
from db.engine import session_scope
from tests.conftest import Project

BELLEVUE = "bellevuegarden_lorensborg"  # starts 2018-09-03; its first milestone is due two weeks later


def kinds_on(day: date, area_id: str = BELLEVUE) -> set[str]:
    with session_scope() as session:
        return {s.kind for s in stalls(session, load_definitions(), day) if s.area_id == area_id}


def test_an_area_is_not_started_only_after_its_first_due_date_passed_undone(project: Project) -> None:
    init_database(date(2018, 8, 1))
    first_due = date(2018, 9, 17)
    # the old rule (start + 5 working days) called it stalled a week before anything was due
    assert kinds_on(calendar.add_business_days(date(2018, 9, 3), 5)) == set()
    assert kinds_on(first_due) == set()  # due today: not late yet
    day_after = calendar.add_business_days(first_due, 1)
    assert kinds_on(day_after) == {"not_started"}
    with session_scope() as session:
        [stall] = [s for s in stalls(session, load_definitions(), day_after) if s.area_id == BELLEVUE]
    assert stall.since == day_after and stall.milestone_id == "kontaktperson_utsedd"


def test_an_area_whose_open_work_waits_on_a_vacant_role_is_not_also_called_quiet(project: Project) -> None:
    # Bellevuegården's samordnare does their part, then nothing more is recorded: after
    # inactive_after working days the area is quiet. When its utvecklingsledare has left, what is
    # open is the lead's work and the team's work that waits on it: the vacancy's stall carries
    # the area, it is not called quiet as well.
    from ctcflow.app.progress import record_done

    init_database(date(2018, 8, 1))
    for milestone in ("kontaktperson_utsedd", "utvecklingsledare_pa_plats", "skolans_atagande"):
        record_done(BELLEVUE, milestone, by="samordnare", as_of=date(2018, 9, 10), evidence="beslut", note=None)
    quiet_day = calendar.add_business_days(date(2018, 9, 10), 61)
    assert "inactive" in kinds_on(quiet_day)
    project.edit("areas.yml", 'role: utvecklingsledare, notify: "env:CTC_NOTIFY_UL_BELLEVUE"',
                 'role: utvecklingsledare, until: 2018-09-20, notify: "env:CTC_NOTIFY_UL_BELLEVUE"')
    assert kinds_on(quiet_day) == {"vacancy"}
