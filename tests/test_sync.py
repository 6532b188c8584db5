"""Changing phases.yml or areas.yml after areas have started keeps every recorded bit of progress."""

from __future__ import annotations

import json

import pytest
from sqlmodel import col

from ctcflow.cli.main import main
from tests.conftest import Project

AREA = "bellevuegarden_lorensborg"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def milestones(capsys: pytest.CaptureFixture[str], day: str) -> dict[str, dict]:  # type: ignore[type-arg]
    data = json.loads(run(capsys, "status", "--json", "--area", AREA, "--as-of", day))
    return {m["milestone_id"]: m for m in data["milestones"]}


@pytest.fixture
def started(project: Project, capsys: pytest.CaptureFixture[str]) -> Project:
    run(capsys, "init", "--as-of", "2018-08-01")
    run(capsys, "done", AREA, "kontaktperson_utsedd", "--by", "samordnare", "--as-of", "2018-09-10")
    run(capsys, "done", AREA, "avgransning", "--by", "ul_bellevue", "--as-of", "2018-09-12", "--note", "tre delområden")
    return project


def test_added_renamed_removed_and_rescheduled(started: Project, capsys: pytest.CaptureFixture[str]) -> None:
    text = started.phases.read_text(encoding="utf-8")
    begin = text.index("      - id: vision_formulerad")
    end = text.index("      - id: arbetsgrupper")
    started.phases.write_text(text[:begin] + text[end:], encoding="utf-8")
    started.edit("phases.yml", "      - id: avgransning\n", "      - id: avgransning_beslutad\n        renamed_from: [avgransning]\n")
    started.edit("phases.yml", """      - id: arbetsgrupper
        title: {sv: Arbetsgrupper med arbetsplaner, en: Workgroups with work plans}""", """      - id: ungdomsrad
        title: {sv: Ungdomsråd knutet till områdesteamet, en: Youth council linked to the area team}
        done_when: {sv: Ett ungdomsråd finns., en: A youth council exists.}
        owner: utvecklingsledare
        due: start + 4 months
      - id: arbetsgrupper
        title: {sv: Arbetsgrupper med arbetsplaner, en: Workgroups with work plans}""")
    started.edit("phases.yml", "        due: start + 3 months\n        evidence_required: true\n      - id: skolans",
                 "        due: start + 10 weeks\n        evidence_required: true\n      - id: skolans")
    started.edit("phases.yml", "        due: start + 2 weeks\n", "        due: start + 3 weeks\n")  # done: keeps its date

    plan = run(capsys, "sync", "--dry-run", "--as-of", "2018-09-20")
    assert "(dry run" in plan
    for expected in ("milestone_renamed", "avgransning → avgransning_beslutad", "milestone_added", "ungdomsrad",
                     "milestone_retired", "vision_formulerad", "due_changed", "2018-12-03 → 2018-11-12"):
        assert expected in plan
    assert f"{AREA} kontaktperson_utsedd" not in plan  # done milestones keep their due date
    assert "bunkeflostrand_vintrie kontaktperson_utsedd: 2018-10-01 → 2018-10-08" in plan  # open ones move
    assert "avgransning_beslutad" not in milestones(capsys, "2018-09-20")  # dry run changed nothing

    run(capsys, "sync", "--as-of", "2018-09-20")
    after = milestones(capsys, "2018-09-20")
    assert after["avgransning_beslutad"]["state"] == "done"
    assert after["avgransning_beslutad"]["done_by"] == "ul_bellevue"
    assert after["kontaktperson_utsedd"]["due_date"] == "2018-09-17"
    assert after["ungdomsrad"]["due_date"] == "2019-01-03"
    assert after["beredskapsbedomning"]["due_date"] == "2018-11-12"
    assert after["vision_formulerad"]["state"] == "retired"  # kept, not deleted
    history = run(capsys, "history", AREA)
    assert "milestone_retired" in history and "vision_formulerad" in history
    assert "nothing to change" in run(capsys, "sync", "--as-of", "2018-09-21")

    # putting it back restores it with its state
    started.edit("phases.yml", "      - id: ungdomsrad", text[begin:end] + "      - id: ungdomsrad")
    assert "milestone_restored" in run(capsys, "sync", "--as-of", "2018-09-22")
    assert milestones(capsys, "2018-09-22")["vision_formulerad"]["state"] == "open"


def test_new_area_and_removed_area(started: Project, capsys: pytest.CaptureFixture[str]) -> None:
    text = started.areas.read_text(encoding="utf-8")
    start = text.index("  - id: bunkeflostrand_vintrie")
    end = text.index("  - id: hermodsdal_nydala_gullviksborg")
    rosengard = text[start:end].replace("bunkeflostrand_vintrie", "rosengard").replace(
        "Bunkeflostrand/Vintrie", "Rosengård").replace("[Bunkeflostrand, Vintrie]", "[Apelgården, Västra Kattarp]").replace(
        "2018-09-17", "2021-03-01").replace("_bunkeflo", "_rosengard").replace("BUNKEFLO", "ROSENGARD")
    started.areas.write_text(text[:start] + rosengard + text[end:], encoding="utf-8")
    plan = run(capsys, "sync", "--as-of", "2021-01-15")
    assert "area_deactivated" in plan and "bunkeflostrand_vintrie" in plan
    assert "rosengard" in plan
    data = json.loads(run(capsys, "status", "--json", "--as-of", "2021-03-02"))
    ids = [a["area_id"] for a in data["areas"]]
    assert "rosengard" in ids and "bunkeflostrand_vintrie" not in ids
    assert next(a for a in data["areas"] if a["area_id"] == "rosengard")["phase_id"] == "mobilisering"


def test_recurring_phase_opens_a_new_cycle_every_two_years(started: Project,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import date

    from ctcflow.definition.loader import load_definitions
    from ctcflow.engine.opening import advance, open_phase
    from db.engine import session_scope

    defs = load_definitions()
    with session_scope() as session:
        open_phase(session, defs, AREA, "uppfoljning", 1, date(2020, 6, 1))
        opened = advance(session, defs, date(2024, 6, 10), [AREA])
    assert [(p.cycle, p.opened_on) for p in opened] == [(2, date(2022, 6, 1)), (3, date(2024, 6, 3))]
    data = json.loads(run(capsys, "status", "--json", "--as-of", "2024-06-10", "--area", AREA))
    assert (data["areas"][0]["phase_id"], data["areas"][0]["cycle"]) == ("uppfoljning", 3)
    ks = [m for m in data["milestones"] if m["milestone_id"] == "underlag_ks_rapport"]
    assert {m["cycle"]: m["due_date"] for m in ks} == {1: "2022-03-31", 2: "2024-04-02", 3: "2026-03-31"}


def test_dependency_in_a_new_cycle_needs_this_cycles_work(started: Project,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import date

    from ctcflow.definition.loader import load_definitions
    from ctcflow.engine.opening import advance, open_phase
    from db.engine import session_scope

    defs = load_definitions()
    with session_scope() as session:
        open_phase(session, defs, AREA, "uppfoljning", 1, date(2020, 6, 1))
    run(capsys, "done", AREA, "enkat_upprepad", "--by", "analys", "--as-of", "2021-03-10", "--evidence", "våg 2021")
    with session_scope() as session:
        advance(session, defs, date(2022, 6, 1), [AREA])
    from sqlalchemy import select

    from ctcflow.engine.instances import Refused
    from ctcflow.engine.marking import mark_instance
    from db.models import MilestoneInstance, PhaseInstance

    with session_scope() as session:
        rounds = dict(session.execute(
            select(col(PhaseInstance.cycle), col(MilestoneInstance.id)).join(
                MilestoneInstance, col(MilestoneInstance.phase_instance_id) == col(PhaseInstance.id))
            .where(col(MilestoneInstance.area_id) == AREA, col(MilestoneInstance.milestone_id) == "handlingsplan_reviderad"))
            .tuples().all())
        with pytest.raises(Refused) as refused:  # the 2021 wave does not count for the 2022–2024 cycle
            mark_instance(session, defs, AREA, rounds[2], by="ul_bellevue", as_of=date(2022, 7, 1),
                          evidence="plan v2")
    assert refused.value.reason == "waiting" and refused.value.names == ("enkat_upprepad",)
    # by name, the command line marks the older round still open — which the 2021 wave does allow
    run(capsys, "done", AREA, "handlingsplan_reviderad", "--by", "ul_bellevue", "--as-of", "2022-07-01",
        "--evidence", "plan v1")
    with session_scope() as session:
        assert session.get(MilestoneInstance, rounds[1]).status == "done"  # type: ignore[union-attr]
        assert session.get(MilestoneInstance, rounds[2]).status == "open"  # type: ignore[union-attr]


def test_work_done_early_brings_what_counts_from_it_forward(started: Project,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """`after X + N` counts from X's done date once X is done; undo puts it back; sync agrees."""
    from datetime import date

    from ctcflow.definition.loader import load_definitions
    from ctcflow.engine.opening import open_phase
    from db.engine import session_scope

    with session_scope() as session:  # lägesanalys opened after week 10: the survey falls due in 2021
        open_phase(session, load_definitions(), AREA, "lagesanalys", 1, date(2019, 5, 6))

    def due(milestone: str) -> str:
        data = json.loads(run(capsys, "status", "--json", "--as-of", "2019-06-03", "--area", AREA))
        return str(next(m["due_date"] for m in data["milestones"] if m["milestone_id"] == milestone))

    assert due("enkat_analyserad") == "2021-05-03"
    run(capsys, "done", AREA, "enkat_genomford", "--by", "analys", "--as-of", "2019-05-20", "--evidence", "våg 2019")
    assert due("enkat_analyserad") == "2019-07-15"  # eight weeks after the survey was actually run
    assert "nothing to change" in run(capsys, "sync", "--dry-run")  # sync counts the same way
    run(capsys, "undo", AREA, "enkat_genomford", "--by", "analys", "--as-of", "2019-05-21")
    assert due("enkat_analyserad") == "2021-05-03"
    history = run(capsys, "history", AREA)
    assert "due_changed" in history and "2019-07-15" in history
