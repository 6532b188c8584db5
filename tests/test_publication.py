"""What one wave publishes — stored results, suggestions, the profile pages' counts — attacked all
at once (tests/joint_attack.py: every measure together, tied by the pupils, integer counts) on
four kinds of city: a tiny area with a small 'annat' group, a few pupils outside the areas,
nobody outside, and comparison areas beside the CTC areas. Nothing is recovered, the comparison
is published for every measure, and little is hidden; with the gate bypassed the same attack
finds the groups."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select
from sqlmodel import col

from ctcflow.app.setup import init_database
from ctcflow.app.survey import import_wave, survey_profile
from ctcflow.cli.main import main
from ctcflow.definition.loader import load_definitions
from ctcflow.definition.survey import load_survey
from ctcflow.survey.analysis import cell_table, measure_flags, screen
from ctcflow.survey.disclosure import NOT_STATED, OUTSIDE
from ctcflow.survey.reading import read_survey
from db.engine import session_scope
from db.models import SurveyResult, SurveySuggestion, SurveyWave
from demo.synthetic import OUTSIDE as OUTSIDE_DELOMRADEN
from demo.synthetic import Plan, as_text, synthetic_wave, write_export
from tests.conftest import Project
from tests.joint_attack import PUPILS, Table, attack

TINY, LONE_ANNAT = "kirsebergsstaden_rostorp_segevang_segemolla", "hermodsdal_nydala_gullviksborg"
pytestmark = pytest.mark.slow  # the joint attack solves linear programmes over every published figure


SHAPES = {  # an area of 14 pupils?, pupils outside the areas, pupils in a comparison area
    "a tiny area with a small 'annat' group": (True, 0, 0),
    "four pupils outside the areas": (False, 4, 0),
    "nobody outside the areas": (False, 0, 0),
    "a comparison area, nine pupils outside": (False, 9, 300),
}
COMPARISON_AREA = "comparison_areas:\n  - {id: jmf_oster, name: Jämförelse öster, delomraden: [Husie, Oxie]}"


def shaped_city(tmp_path: Path, tiny_area: bool, outside: int, compared: int) -> Path:
    defs, survey = load_definitions(), load_survey()
    frame = as_text(synthetic_wave(survey, defs.org, Plan(pupils=6000, seed=21, outside_share=0.0)))
    area_of = {d: a.id for a in defs.org.areas for d in a.delomraden}
    area = frame["delomrade"].map(area_of)
    if tiny_area:
        tiny = area.eq(TINY)
        frame = frame[~tiny | (tiny.cumsum() <= 14)].copy()  # an area of 14 pupils …
        area = area[frame.index]
        frame.loc[frame.index[area.eq(TINY)][:3], "kon"] = "annat"  # … three of them 'annat'
    lone = area.eq(LONE_ANNAT)
    frame.loc[lone & frame["kon"].isin(["annat", ""]), "kon"] = "flicka"
    frame.loc[frame.index[lone][:3], "kon"] = "annat"  # three 'annat' and nobody without a gender
    movable = frame.index[area.eq("bellevuegarden_lorensborg")]
    frame.loc[movable[:outside], "delomrade"] = OUTSIDE_DELOMRADEN[-1]
    frame.loc[movable[outside:outside + compared], "delomrade"] = "Husie"
    path = tmp_path / "enkat.csv"
    write_export(frame, str(path))
    return path


def published_cells() -> pd.DataFrame:
    r = SurveyResult
    with session_scope() as session:
        rows = session.execute(select(col(r.area_id), col(r.grade_group), col(r.gender), col(r.measure), col(r.n), col(r.count))).all()
    return pd.DataFrame(rows, columns=["area_id", "grade_group", "gender", "measure", "n", "count"])


def truth(path: Path, comparison: str) -> pd.DataFrame:
    """Every cell of what the wave tabulated, and each group's pupils (measure PUPILS): the
    comparison row of the pupils it says it counts (not those outside the areas, nor a tiny
    area's, when it is the areas together)."""
    defs, survey = load_definitions(), load_survey()
    data = read_survey(path, survey, defs.org)
    valid = data.frame[screen(data.frame, survey).valid]
    if comparison == "areas":
        valid = valid[valid["area_id"] != ""]
    flags = measure_flags(valid, survey).assign(**{PUPILS: np.float32(1)})
    table = cell_table(valid, flags)
    if comparison == "areas":
        sizes = valid["area_id"].value_counts()
        counted = valid[valid["area_id"].map(sizes) >= 3 * survey.min_cell]
        row = cell_table(counted, flags.loc[counted.index])
        table = pd.concat([table[table["area_id"] != ""], row[row["area_id"] == ""]], ignore_index=True)
    table = table.rename(columns={"kon": "gender"})
    return table.replace({"area_id": {OUTSIDE: "outside"}, "gender": {NOT_STATED: "not stated"}})


def intruder_table(cells: pd.DataFrame, outside_empty: bool) -> Table:
    """The table's shape as the intruder knows it: the areas with pupils (a stronger intruder
    than most, who knows which areas answered at all), and who lives outside them."""
    survey = load_survey()
    areas = sorted(set(cells["area_id"]) - {"", "outside"})
    heads = cells[(cells["measure"] == PUPILS) & (cells["grade_group"] == "*") & (cells["gender"] == "*")]
    tiny = frozenset(heads.loc[heads["n"] < 3 * survey.min_cell, "area_id"]) - {"", "outside"}
    return Table(areas, [g.id for g in survey.grade_groups], [g.id for g in survey.genders], outside_empty, tiny)


@pytest.mark.parametrize("shape", SHAPES)
def test_nothing_published_together_gives_a_small_group_away(project: Project, tmp_path: Path, shape: str) -> None:
    tiny_area, outside, compared = SHAPES[shape]
    if compared:
        project.edit("areas.yml", "comparison_areas: []", COMPARISON_AREA)
    init_database(date(2018, 8, 1))
    path = shaped_city(tmp_path, tiny_area, outside, compared)
    report = import_wave("2023", path, date(2023, 4, 3))
    survey = load_survey()
    with session_scope() as session:
        wave = session.get(SurveyWave, "2023")
        assert wave is not None
        comparison = wave.comparison
        suggestions = list(session.execute(select(SurveySuggestion)).scalars())
    assert comparison == ("areas" if tiny_area or 0 < outside < 30 else "city")
    published = published_cells()
    heads = published[(published["grade_group"] == "*") & (published["gender"] == "*")]

    # every figure a suggestion keeps is one the table publishes
    share = {(r.area_id, r.measure): r.count / r.n for r in heads.itertuples()}
    for s in suggestions:
        assert s.share == pytest.approx(share[(s.area_id, s.factor_id)])
        if s.city_share is not None:
            assert s.city_share == pytest.approx(share[("", s.factor_id)])
    # every count of pupils a profile prints is the largest its published figures show
    pupils: dict[tuple[str, str, str], float] = {}
    for area_id in report.areas_with_answers:
        html = survey_profile(area_id, "2023", "sv", date(2023, 4, 3))
        counts = re.search(r"· (\d+) elever i området \(.*?\) ·\s*(\d+) elever i (staden|områdena tillsammans)", html)
        assert counts, html[:2000]
        assert int(counts[1]) == heads.loc[heads["area_id"] == area_id, "n"].max()
        assert int(counts[2]) == heads.loc[heads["area_id"] == "", "n"].max()
        assert (counts[3] == "områdena tillsammans") == (comparison == "areas")
        pupils[(area_id, "*", "*")] = float(counts[1])

    cells = truth(path, comparison)
    everything = published[["area_id", "grade_group", "gender", "measure", "n"]]
    found = attack(intruder_table(cells, comparison == "areas" or outside == 0), everything, cells, survey.min_cell)
    assert found == []

    # the comparison is published for every measure it has answers in, and little is hidden
    measures = set(cells.loc[cells["measure"] != PUPILS, "measure"])
    assert set(heads.loc[heads["area_id"] == "", "measure"]) == measures
    hidden = report.hidden
    if tiny_area:  # every figure of an area of 14 is a small group: the rest may hide little for it
        assert hidden.secondary / hidden.cells <= 0.15, hidden
    else:
        assert hidden.share <= 0.15, hidden
    # the small groups themselves are never published
    assert not ((published["n"] > 0) & (published["n"] < survey.min_cell)).any()


def test_the_joint_attack_finds_the_groups_when_the_counts_are_printed_exactly(project: Project,
                                                                               tmp_path: Path) -> None:
    """The attack is not toothless: with each area's and the city's exact count of pupils
    printed beside the same table (as the profiles did before), pupils outside the areas and
    the tiny area's 'annat' group are pinned down across the measures."""
    init_database(date(2018, 8, 1))
    path = shaped_city(tmp_path, False, 4, 0)
    import_wave("2023", path, date(2023, 4, 3))
    cells = truth(path, "city")  # as if compared with the whole city
    pupils = cells[(cells["measure"] == PUPILS) & (cells["grade_group"] == "*") & (cells["gender"] == "*")
                   & (cells["area_id"] != "outside")]
    exact = {(r.area_id, "*", "*"): float(r.n) for r in pupils.itertuples()}
    published = published_cells()[["area_id", "grade_group", "gender", "measure", "n"]]
    published = published[published["area_id"] != ""]  # the areas' figures alone, and the counts
    found = attack(intruder_table(cells, False), published, cells, load_survey().min_cell, exact)
    assert {(f.area_id, f.grade_group, f.gender) for f in found} >= {("outside", "*", "*")}


def test_effects_against_the_areas_together_say_the_other_areas_not_the_rest_of_the_city(
        project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A wave that left the few pupils outside out of its comparison compares each area with the
    other areas; its effects say so, where they said "the rest of the city" before."""
    init_database(date(2018, 8, 1))
    for year in ("2019", "2021"):
        folder = tmp_path / year
        folder.mkdir()
        import_wave(year, shaped_city(folder, False, 4, 0), date(int(year), 4, 1))
    assert main(["survey", "decide", LONE_ANNAT, "--wave", "2019", "--by", "samordnare", "--as-of", "2019-05-01",
                 "--factors", "konflikter_i_familjen,tillganglighet_droger"]) == 0
    capsys.readouterr()
    assert main(["effects", "--area", LONE_ANNAT, "--as-of", "2021-06-01", "--lang", "en"]) == 0
    said = capsys.readouterr().out
    assert "moved more than in the comparison (the other areas)" in said and "rest of the city" not in said
