"""The temporal rules of engine.asof: each SQL condition agrees with its plain twin on every
combination of state and day, and the current phase is the one the rule names."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import ColumnElement, create_engine, select
from sqlmodel import Session, SQLModel, col

from ctcflow.engine.asof import (
    MilestoneState,
    PhaseOnDay,
    approved_date,
    current_phase,
    done_by_sql,
    done_date,
    milestone_state,
    open_on_sql,
    overdue_on_sql,
    phase_open,
    phase_open_sql,
)
from db.models import Area, MilestoneInstance, PhaseInstance

D = date(2020, 3, 10)
DAYS = [D - timedelta(days=1), D, D + timedelta(days=1)]


def test_the_sql_rules_and_their_plain_twins_agree(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'asof.db'}")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Area(id="a", name="A", start_date=date(2018, 1, 1)))
        cases = list(itertools.product([None, *DAYS], [None, *DAYS]))  # (opened/done on, approved/due)
        for n, (first, second) in enumerate(cases):
            phase = PhaseInstance(id=n + 1, area_id="a", phase_id=f"p{n}", opened_on=first or D - timedelta(days=9),
                                  completed_on=second)
            session.add(phase)
            session.add(MilestoneInstance(id=n + 1, phase_instance_id=n + 1, area_id="a", milestone_id="m",
                                          status="done" if first else "open", done_on=first, due_date=second))
        session.commit()
        rows = {m.id: (m, session.get(PhaseInstance, m.id)) for m in session.execute(select(MilestoneInstance))
                .scalars()}
        for day in DAYS:
            def ids(condition: ColumnElement[bool]) -> set[int]:
                return set(session.execute(select(col(MilestoneInstance.id)).join(
                    PhaseInstance, col(PhaseInstance.id) == col(MilestoneInstance.phase_instance_id))
                    .where(condition)).scalars())

            done = {i for i, (m, _) in rows.items() if done_date(m.status, m.done_on, day) is not None}
            overdue = {i for i, (m, _) in rows.items()
                       if milestone_state(m.status, m.done_on, m.due_date, day) is MilestoneState.OVERDUE}
            open_phases = {i for i, (_, p) in rows.items() if p and phase_open(p.opened_on, p.completed_on, day)}
            assert ids(done_by_sql(day)) == done
            assert ids(open_on_sql(day)) == set(rows) - done
            assert ids(overdue_on_sql(day)) == overdue
            assert ids(phase_open_sql(day)) == open_phases


def test_a_milestone_done_later_is_open_and_overdue_on_an_earlier_day() -> None:
    assert done_date("done", D, D - timedelta(days=1)) is None
    assert milestone_state("done", D, D - timedelta(days=5), D - timedelta(days=1)) is MilestoneState.OVERDUE
    assert milestone_state("done", D, D - timedelta(days=5), D) is MilestoneState.DONE
    assert milestone_state("open", None, D, D) is MilestoneState.OPEN  # due today is not late yet
    assert milestone_state("open", None, D, D, retired=True) is MilestoneState.RETIRED
    assert approved_date(D, D - timedelta(days=1)) is None and approved_date(D, D) == D


ORDER = {"mobilisering": 0, "lagesanalys": 1, "prioritering": 2, "handlingsplan": 3, "uppfoljning": 4}


def test_the_current_phase_is_the_latest_open_one_in_the_process() -> None:
    history = [PhaseOnDay("handlingsplan", 1, date(2019, 1, 1), date(2019, 6, 1)),
               PhaseOnDay("uppfoljning", 1, date(2019, 6, 1), None),
               PhaseOnDay("lagesanalys", 2, date(2021, 3, 22), None)]  # a revision while uppföljning goes on
    assert current_phase(history, ORDER, date(2021, 4, 1)) == history[1]
    assert current_phase(history, ORDER, date(2019, 3, 1)) == history[0]  # before uppföljning opened
    assert current_phase(history, ORDER, date(2018, 1, 1)) is None  # nothing had started


def test_with_nothing_open_the_latest_approved_phase_is_current() -> None:
    history = [PhaseOnDay("mobilisering", 1, date(2018, 9, 1), date(2019, 1, 10))]
    assert current_phase(history, ORDER, date(2019, 2, 1)) == history[0]
