"""The survey's publication rule under attack: a synthetic city with small groups planted where
they are hardest to protect (a tiny area, a small grade group, a small 'annat' group with no
'not stated' beside it, a handful of pupils outside the areas), imported by the command; an
intruder then solves the linear system of everything stored and finds no small group."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select
from sqlmodel import col

from ctcflow.app.setup import init_database
from ctcflow.cli.main import main
from ctcflow.definition.loader import load_definitions
from ctcflow.definition.survey import load_survey
from ctcflow.survey.analysis import cell_table, measure_flags, screen
from ctcflow.survey.disclosure import ALL, NOT_STATED, OUTSIDE, protect
from ctcflow.survey.reading import read_survey
from db.engine import session_scope
from db.models import SurveyResult
from demo.synthetic import OUTSIDE as OUTSIDE_DELOMRADEN
from demo.synthetic import Plan, as_text, synthetic_wave, write_export
from tests.conftest import Project
from tests.disclosure_attack import Recovered, attack

TINY, FEW_UPPER_SECONDARY, LONE_ANNAT, FEW_OUTSIDE = (
    "kirsebergsstaden_rostorp_segevang_segemolla", "bellevuegarden_lorensborg", "hermodsdal_nydala_gullviksborg",
    "mollevangen_radmansvangen_sodervarn")


pytestmark = pytest.mark.slow  # the disclosure attacks solve linear programmes over every published table


def planted_city(tmp_path: Path, pupils: int = 2400, planted: dict[str, list[str]] | None = None) -> Path:
    """A wave where every pupil lives in an area but four, with small groups planted."""
    defs, survey = load_definitions(), load_survey()
    frame = as_text(synthetic_wave(survey, defs.org, Plan(pupils=pupils, seed=21, outside_share=0.0,
                                                          planted=planted or {})))
    area_of = {d: a.id for a in defs.org.areas for d in a.delomraden}
    area = frame["delomrade"].map(area_of)
    upper_secondary = frame["arskurs"].str.startswith("gy")
    drop = area.eq(TINY) & (area.eq(TINY).cumsum() > 8)  # an area of 8 pupils
    drop |= area.eq(FEW_UPPER_SECONDARY) & upper_secondary & \
        ((area.eq(FEW_UPPER_SECONDARY) & upper_secondary).cumsum() > 6)  # 6 pupils in upper secondary
    lone = area.eq(LONE_ANNAT)
    frame.loc[lone & frame["kon"].isin(["annat", ""]), "kon"] = "flicka"  # everyone states a gender …
    frame.loc[frame.index[lone][:3], "kon"] = "annat"  # … and three say 'annat'
    frame.loc[frame.index[area.eq(FEW_OUTSIDE)][:4], "delomrade"] = OUTSIDE_DELOMRADEN[0]  # 4 outside the areas
    path = tmp_path / "enkat.csv"
    write_export(frame[~drop], str(path))
    return path


def stored_cells() -> pd.DataFrame:
    r = SurveyResult
    with session_scope() as session:
        rows = session.execute(select(col(r.area_id), col(r.grade_group), col(r.gender), col(r.measure), col(r.n))).all()
    return pd.DataFrame(rows, columns=["area_id", "grade_group", "gender", "measure", "n"])


def intruder(published: pd.DataFrame) -> tuple[list[Recovered], int]:
    defs, survey = load_definitions(), load_survey()
    return attack(published, [a.id for a in defs.org.areas], [g.id for g in survey.grade_groups],
                  [g.id for g in survey.genders], survey.min_cell)


def test_no_small_group_can_be_derived_from_what_the_import_stores(project: Project, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    init_database(date(2018, 8, 1))
    path = planted_city(tmp_path)
    assert main(["survey", "import", "2023", str(path), "--as-of", "2023-04-03"]) == 0
    out = capsys.readouterr().out
    stored = stored_cells()
    recovered, attacked = intruder(stored)
    assert attacked > 1000 and recovered == []
    assert (stored.loc[stored["area_id"] == TINY, "n"] == 0).all()  # 8 pupils: only their empty groups shown
    headline = stored[(stored["grade_group"] == ALL) & (stored["gender"] == ALL)]
    # every area with pupils (a planned area without a team has none in the synthetic wave)
    assert set(headline["area_id"]) - {""} == {a.id for a in load_definitions().org.areas if a.people} - {TINY}
    lone = stored[(stored["area_id"] == LONE_ANNAT) & (stored["grade_group"] == ALL)]
    assert "annat" not in set(lone["gender"])
    shown = lone.groupby("gender")["measure"].count()
    assert shown.get("flicka", 0) + shown.get("pojke", 0) == len(set(stored["measure"]))  # one of the two, never both
    assert "hidden to protect small groups:" in out and "with fewer than 10 answers" in out


def test_a_suggestion_keeps_no_city_figure_the_city_column_hides(project: Project, tmp_path: Path) -> None:
    """A suggestion stored with the city's share (or its z) in full where the city's figure is
    hidden would give that figure away — and the few pupils outside the areas with it."""
    from ctcflow.survey.analysis import suggest

    defs, survey = load_definitions(), load_survey()
    planted = {FEW_OUTSIDE: ["konflikter_i_familjen", "tillganglighet_droger"]}
    data = read_survey(planted_city(tmp_path, planted=planted), survey, defs.org)
    valid = data.frame[screen(data.frame, survey).valid]
    table = protect(cell_table(valid, measure_flags(valid, survey)), survey.min_cell)
    shown = {c.factor_id: c for c in suggest(table, None, survey) if c.area_id == FEW_OUTSIDE}
    assert set(planted[FEW_OUTSIDE]) <= set(shown) and all(c.city_share is not None for c in shown.values())
    city_headline = (table["area_id"] == "") & (table["grade_group"] == ALL) & (table["kon"] == ALL)
    hidden = table.assign(suppressed=table["suppressed"] | (city_headline & (table["measure"] == "konflikter_i_familjen")))
    again = {c.factor_id: c for c in suggest(hidden, None, survey) if c.area_id == FEW_OUTSIDE}
    assert again["konflikter_i_familjen"].city_share is None and again["konflikter_i_familjen"].z_city is None
    assert again["tillganglighet_droger"].city_share == shown["tillganglighet_droger"].city_share
    assert again["konflikter_i_familjen"].above_city  # still suggested: the analysis sees what it may not show


def test_the_attack_finds_what_primary_suppression_alone_would_give_away(project: Project, tmp_path: Path) -> None:
    """The attack is not toothless: hiding only the small cells leaves them derivable."""
    defs, survey = load_definitions(), load_survey()
    data = read_survey(planted_city(tmp_path), survey, defs.org)
    valid = data.frame[screen(data.frame, survey).valid]
    table = cell_table(valid, measure_flags(valid, survey))
    measures = table["measure"].isin(["konflikter_i_familjen", "alkoholdebut"])
    primary_only = table[measures & (table["n"] >= survey.min_cell) & (table["area_id"] != OUTSIDE)
                         & (table["kon"] != NOT_STATED)].rename(columns={"kon": "gender"})
    recovered, _ = intruder(primary_only)
    assert {(r.area_id, r.grade_group, r.measure) for r in recovered} >= {
        (TINY, ALL, "alkoholdebut"), (FEW_UPPER_SECONDARY, "gy1_2", "konflikter_i_familjen")}
    protected = protect(table[measures], survey.min_cell)
    assert intruder(protected[~protected["suppressed"]].rename(columns={"kon": "gender"}))[0] == []


def test_a_small_annat_group_is_protected_by_those_who_gave_no_gender_not_by_the_girls() -> None:
    cells = pd.DataFrame([
        ("a", ALL, ALL, "m", 99, 30), ("a", ALL, "flicka", "m", 50, 15), ("a", ALL, "pojke", "m", 39, 14),
        ("a", ALL, "annat", "m", 4, 1), ("a", ALL, NOT_STATED, "m", 6, 0),
        ("a", "g1", ALL, "m", 60, 20), ("a", "g2", ALL, "m", 39, 10),
        ("b", ALL, ALL, "m", 70, 30), ("b", ALL, "flicka", "m", 35, 15), ("b", ALL, "pojke", "m", 32, 14),
        ("b", ALL, "annat", "m", 3, 1),
        ("b", "g1", ALL, "m", 40, 20), ("b", "g2", ALL, "m", 30, 10),
        (OUTSIDE, ALL, ALL, "m", 500, 100), (OUTSIDE, "g1", ALL, "m", 250, 50), (OUTSIDE, "g2", ALL, "m", 250, 50),
        (OUTSIDE, ALL, "flicka", "m", 240, 50), (OUTSIDE, ALL, "pojke", "m", 240, 50),
        (OUTSIDE, ALL, "annat", "m", 20, 0),
        ("", ALL, ALL, "m", 669, 160), ("", "g1", ALL, "m", 350, 90), ("", "g2", ALL, "m", 319, 70),
        ("", ALL, "flicka", "m", 325, 80), ("", ALL, "pojke", "m", 311, 78), ("", ALL, "annat", "m", 27, 2),
        ("", ALL, NOT_STATED, "m", 6, 0),
    ], columns=["area_id", "grade_group", "kon", "measure", "n", "count"])
    hidden = protect(cells, min_cell=10).set_index(["area_id", "grade_group", "kon"])["suppressed"]
    assert hidden[("a", ALL, "annat")] and not hidden[("a", ALL, "flicka")] and not hidden[("a", ALL, "pojke")]
    assert hidden[("b", ALL, "annat")] and hidden[("b", ALL, "pojke")]  # 3 'annat' and nobody else: the smaller
    assert not hidden[("b", ALL, "flicka")]
    assert not hidden[[k for k in hidden.index if k[1] != ALL and k[0] != OUTSIDE]].any()  # grades untouched
    assert not hidden[("", ALL, ALL)] and not hidden[("", ALL, "flicka")]
    assert hidden[("", ALL, "annat")]  # 27, but else the city's 6 who gave no gender = total − the genders
