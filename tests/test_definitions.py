"""The shipped definitions load, and every kind of mistake is reported with file, line, id and fix."""

from __future__ import annotations

import pytest

from ctcflow.core.errors import DefinitionError, Problem
from ctcflow.definition.loader import load_definitions
from tests.conftest import Project


def _problems(project: Project) -> list[Problem]:
    with pytest.raises(DefinitionError) as caught:
        load_definitions()
    return caught.value.problems


def _line_of(project: Project, which: str, fragment: str) -> int:
    lines = (project.root / which).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if fragment in line)


def test_shipped_definitions_load(project: Project) -> None:
    defs = load_definitions()
    assert [p.id for p in defs.process.phases] == [
        "mobilisering", "lagesanalys", "prioritering", "handlingsplan", "uppfoljning"]
    assert all(len(p.milestones) >= 4 for p in defs.process.phases)
    assert defs.process.phases[-1].recurs_every_years == 2
    assert len(defs.org.areas) == 14  # Malmö's lokalområden: five running, nine planned without a team
    assert sum(1 for a in defs.org.areas if a.people) == 5
    assert {a.id for a in defs.org.areas} >= {"bellevuegarden_lorensborg", "mollevangen_radmansvangen_sodervarn"}


def test_reorganisation_of_2024_is_a_dated_change(project: Project) -> None:
    from datetime import date

    org = load_definitions().org
    area = "hermodsdal_nydala_gullviksborg"
    assert org.responsible_administration("utvecklingsledare", date(2024, 8, 31), area) == "forskoleforvaltningen"
    assert org.responsible_administration("utvecklingsledare", date(2024, 9, 1), area) == "fritidsforvaltningen"
    assert org.responsible_administration("central_samordnare", date(2023, 1, 1)) == "stadskontoret"
    assert (org.responsible_administration("central_samordnare", date(2024, 9, 1))
            == "arbetsmarknads_och_socialforvaltningen")


def test_duplicate_milestone_id(project: Project) -> None:
    project.edit("phases.yml", "- id: avgransning", "- id: karngrupp_bildad")
    [problem] = _problems(project)
    assert problem.ident == "karngrupp_bildad"
    assert "duplicate milestone id" in problem.message
    lines = project.phases.read_text(encoding="utf-8").splitlines()
    assert problem.line is not None
    assert lines[problem.line - 1].strip() == "- id: karngrupp_bildad"
    assert problem.line > _line_of(project, "phases.yml", "- id: karngrupp_bildad")


def test_duplicate_yaml_key_is_not_silently_overwritten(project: Project) -> None:
    project.edit("phases.yml", "        owner: central_samordnare\n        due: start + 2 weeks",
                 "        owner: central_samordnare\n        owner: utvecklingsledare\n        due: start + 2 weeks")
    [problem] = _problems(project)
    assert "key 'owner' given twice" in problem.message
    assert problem.line == _line_of(project, "phases.yml", "owner: utvecklingsledare\n".strip())


def test_unknown_role_names_line_and_choices(project: Project) -> None:
    project.edit("phases.yml", "    gate: {approver: utvecklingsledare}", "    gate: {approver: rektor}")
    [problem] = _problems(project)
    assert problem.message == "unknown role 'rektor'"
    assert "utvecklingsledare" in problem.hint
    assert problem.line == _line_of(project, "phases.yml", "approver: rektor")
    assert str(problem).startswith(f"{project.phases}:{problem.line}:")


def test_unknown_depends_on(project: Project) -> None:
    project.edit("phases.yml", "depends_on: [prioriteringsworkshop]", "depends_on: [workshop]")
    [problem] = _problems(project)
    assert problem.ident == "prioriterade_faktorer"
    assert "unknown milestone 'workshop'" in problem.message


def test_dependency_cycle_is_printed(project: Project) -> None:
    project.edit("phases.yml", "        due: start + 3 weeks\n      - id: prioriterade_faktorer",
                 "        due: start + 3 weeks\n        depends_on: [gapanalys]\n      - id: prioriterade_faktorer")
    [problem] = _problems(project)
    assert "dependency cycle" in problem.message
    for ms in ("prioriteringsworkshop", "prioriterade_faktorer", "resursanalys", "gapanalys"):
        assert ms in problem.message


def test_unparsable_due_rule(project: Project) -> None:
    project.edit("phases.yml", "due: start + 6 weeks\n        depends_on: [utvecklingsledare_pa_plats]",
                 "due: six weeks after start\n        depends_on: [utvecklingsledare_pa_plats]")
    [problem] = _problems(project)
    assert problem.ident == "karngrupp_bildad"
    assert "unparsable due rule" in problem.message and "start + 6 weeks" in problem.message
    assert problem.line == _line_of(project, "phases.yml", "six weeks after start")


def test_required_milestone_that_can_never_become_due(project: Project) -> None:
    project.edit("phases.yml", "due: every 2 years from 2020 on 03-31",
                 "due: every 2 years from 2010 on 03-31 until 2016")
    [problem] = _problems(project)
    assert problem.ident == "underlag_ks_rapport"
    assert "can never become due" in problem.message


def test_area_without_utvecklingsledare(project: Project) -> None:
    project.edit("areas.yml", "role: utvecklingsledare, notify: \"env:CTC_NOTIFY_UL_BUNKEFLO\"",
                 "role: omradesteam, notify: \"env:CTC_NOTIFY_UL_BUNKEFLO\"")
    [problem] = _problems(project)
    assert problem.ident == "bunkeflostrand_vintrie"
    assert problem.message == "area has no utvecklingsledare"


def test_literal_secret_is_refused(project: Project) -> None:
    project.edit("areas.yml", "notify: env:CTC_NOTIFY_ANALYS",
                 "notify: mailtos://analys:hemligt@smtp.example.org")
    [problem] = _problems(project)
    assert problem.ident == "analys"
    assert "literal address or secret" in problem.message
    assert "env:NAME" in problem.hint
    assert problem.line == _line_of(project, "areas.yml", "mailtos://")


def test_schema_errors_name_the_line_and_field(project: Project) -> None:
    project.edit("areas.yml", "    start: 2018-09-17", "    start: hösten 2018")
    [problem] = _problems(project)
    assert problem.ident == "bunkeflostrand_vintrie"
    assert "start" in problem.message
    assert problem.line == _line_of(project, "areas.yml", "start: hösten 2018")


def test_all_problems_reported_at_once(project: Project) -> None:
    project.edit("phases.yml", "    gate: {approver: utvecklingsledare}", "    gate: {approver: rektor}")
    project.edit("areas.yml", "notify: env:CTC_NOTIFY_ANALYS", "notify: analys@malmo.se")
    assert len(_problems(project)) == 2


def test_a_ladder_that_stops_below_the_board_is_refused_with_its_line(project: Project) -> None:
    project.edit("phases.yml", "      - {after: 10, to: kommunstyrelsen}\n    not_started:", "    not_started:")
    [problem] = _problems(project)
    assert problem.message == "the report ladder ends at 'ansvarig_direktor', not at the board"
    assert "kommunstyrelsen" in problem.hint
    assert problem.line == _line_of(project, "phases.yml", "{after: 5, to: ansvarig_direktor}")


def test_a_ladder_that_steps_down_the_hierarchy_is_refused_with_its_line(project: Project) -> None:
    # the report ladder told the samordnare after the avdelningschef: below, not above
    project.edit("phases.yml", "      - {after: 5, to: ansvarig_direktor}\n      - {after: 10, to: kommunstyrelsen}\n"
                 "    not_started:", "      - {after: 5, to: central_samordnare}\n      - {after: 10, to: kommunstyrelsen}\n"
                 "    not_started:")
    [problem] = _problems(project)
    assert problem.message == ("the report ladder goes from 'avdelningschef' to 'central_samordnare', which is not "
                               "above it in the hierarchy")
    assert problem.line == _line_of(project, "phases.yml", "{after: 5, to: central_samordnare}")  # the first: report


def test_a_role_on_a_ladder_without_a_place_in_the_hierarchy_is_refused(project: Project) -> None:
    project.edit("phases.yml", "    kind: director\n", "")
    problems = _problems(project)
    assert any("role 'ansvarig_direktor' owns work or is on an escalation ladder, but it has no kind" in p.message
               for p in problems), problems
