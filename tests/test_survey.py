"""The CTC-enkät end to end: synthetic waves with planted effects written as real exports,
imported through the command, analysed, stored, profiled and decided on."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select
from sqlmodel import col

from ctcflow.app.setup import init_database
from ctcflow.app.survey import WouldLoseData, import_wave, record_decision
from ctcflow.cli.main import main
from ctcflow.core.errors import CtcError, InputFileError
from ctcflow.definition.loader import load_definitions
from ctcflow.definition.survey import load_survey
from db.engine import session_scope
from db.models import Event, MilestoneInstance, PriorityDecision, SurveyResult, SurveySuggestion, SurveyWave
from demo.synthetic import Plan, as_text, synthetic_wave, write_export
from tests.conftest import Project

HERMODSDAL, BELLEVUE, KIRSEBERG = ("hermodsdal_nydala_gullviksborg", "bellevuegarden_lorensborg",
                                   "kirsebergsstaden_rostorp_segevang_segemolla")
pytestmark = pytest.mark.slow  # synthetic waves of thousands of pupils, read and analysed


PLANTED = {HERMODSDAL: ["konflikter_i_familjen", "tillganglighet_droger"], BELLEVUE: ["anknytning_familj"]}


@pytest.fixture
def city(project: Project) -> Project:
    init_database(date(2018, 8, 1))
    return project


def export(tmp_path: Path, name: str, plan: Plan, **options: str) -> tuple[Path, pd.DataFrame]:
    frame = as_text(synthetic_wave(load_survey(), load_definitions().org, plan))
    path = tmp_path / name
    write_export(frame, str(path), **options)
    return path, frame


def suggested(wave: str) -> dict[str, set[str]]:
    with session_scope() as session:
        rows = session.execute(select(SurveySuggestion).where(col(SurveySuggestion.wave_id) == wave)).scalars().all()
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row.area_id, set()).add(row.factor_id)
    return found


def test_the_planted_factors_are_suggested_and_only_those(city: Project, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = export(tmp_path, "enkat2021.csv", Plan(pupils=8000, seed=3, planted=PLANTED))
    assert main(["survey", "import", "2021", str(path), "--as-of", "2021-04-01"]) == 0
    out = capsys.readouterr().out
    assert "8000 answers" in out and "7985 valid" in out  # said to whoever imports the file …
    assert "excluded: 5 fictitious drug, 5 implausible, 5 inconsistent" in out
    assert suggested("2021") == {area: set(factors) for area, factors in PLANTED.items()}
    with session_scope() as session:  # … and not kept: the wave stores no count of its pupils
        wave = session.get(SurveyWave, "2021")
        assert wave is not None and not {"respondents", "valid", "outside_areas"} & set(wave.model_dump())


def test_a_factor_that_rose_since_the_last_wave_says_so(city: Project, tmp_path: Path) -> None:
    first, _ = export(tmp_path, "2019.csv", Plan(pupils=8000, seed=4))
    second, _ = export(tmp_path, "2021.csv", Plan(pupils=8000, seed=5, planted={KIRSEBERG: ["konflikter_i_familjen"]}))
    import_wave("2019", first, date(2019, 4, 1))
    import_wave("2021", second, date(2021, 4, 1))
    with session_scope() as session:
        row = session.execute(select(SurveySuggestion).where(col(SurveySuggestion.wave_id) == "2021")).scalar_one()
    assert (row.area_id, row.factor_id, row.rank) == (KIRSEBERG, "konflikter_i_familjen", 1)
    assert row.above_city and row.risen
    assert row.previous_share is not None and row.previous_share < 0.3 < row.share


def test_real_world_exports_read_the_same_as_a_clean_file(city: Project, tmp_path: Path) -> None:
    plan = Plan(pupils=1500, seed=6, planted=PLANTED)
    clean, frame = export(tmp_path, "clean.csv", plan, separator=",", encoding="utf-8")
    import_wave("2021", clean, date(2021, 4, 1))
    with session_scope() as session:
        expected = sorted(session.execute(select(col(SurveyResult.area_id), col(SurveyResult.grade_group), col(SurveyResult.gender),
                                                 col(SurveyResult.measure), col(SurveyResult.n), col(SurveyResult.count))).all())
    messy = frame.copy()
    item = "konflikter_i_familjen_1"
    labels = {"1": "NEJ!", "2": "nej", "3": "ja", "4": "JA!", "": ""}
    messy[item] = messy[item].map(labels)  # answers as labels
    messy["lag_anknytning_narsamhalle_1"] = messy["lag_anknytning_narsamhalle_1"].map(
        lambda v: f"{v},0" if v else v)  # decimal commas
    messy["delomrade"] = messy["delomrade"].str.upper() + " "  # case and stray spaces
    messy["arskurs"] = messy["arskurs"].map(lambda g: f"Åk {g}" if g.isdigit() else g.upper())
    messy.columns = ["Delområde", "Årskurs", "Kön", *messy.columns[3:]]
    blank = pd.DataFrame([[""] * len(messy.columns)] * 2, columns=messy.columns)
    messy = pd.concat([messy.iloc[:500], blank, messy.iloc[500:]], ignore_index=True)  # Excel's empty rows
    latin1 = tmp_path / "export_latin1.csv"
    messy.to_csv(latin1, sep=";", index=False, encoding="cp1252")
    workbook = tmp_path / "export.xlsx"
    messy.to_excel(workbook, index=False)
    for path in (latin1, workbook):
        import_wave("2021", path, date(2021, 4, 1))
        with session_scope() as session:
            found = sorted(session.execute(select(col(SurveyResult.area_id), col(SurveyResult.grade_group), col(SurveyResult.gender),
                                                  col(SurveyResult.measure), col(SurveyResult.n), col(SurveyResult.count))).all())
        assert found == expected, path.name


def test_every_problem_in_a_file_is_named_by_row_and_column_and_nothing_is_imported(city: Project,
                                                                                    tmp_path: Path) -> None:
    _, frame = export(tmp_path, "x.csv", Plan(pupils=40, seed=7))
    frame.loc[3, "konflikter_i_familjen_2"] = "7"  # file row 5 (header is row 1)
    frame.loc[4, "delomrade"] = "Lorensbrog"  # row 6: a typo of Lorensborg
    frame.loc[5, "arskurs"] = "12"  # row 7
    frame.loc[6, "kon"] = "okänt"  # row 8
    bad = tmp_path / "bad.csv"
    write_export(frame, str(bad))
    with pytest.raises(InputFileError) as caught:
        import_wave("2021", bad, date(2021, 4, 1))
    found = {(p.line, p.ident) for p in caught.value.problems}
    assert found == {(5, "konflikter_i_familjen_2"), (6, "delomrade"), (7, "arskurs"), (8, "kon")}
    assert "did you mean 'Lorensborg'" in str(caught.value)
    with session_scope() as session:
        assert session.execute(select(SurveyWave)).first() is None
        assert session.execute(select(SurveyResult)).first() is None


def test_personal_data_is_refused(city: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, frame = export(tmp_path, "x.csv", Plan(pupils=30, seed=8))
    with_names = frame.assign(Personnummer="")
    path = tmp_path / "names.csv"
    write_export(with_names, str(path))
    assert main(["survey", "import", "2021", str(path)]) == 2
    assert "Personnummer] looks like personal data" in capsys.readouterr().err
    hidden = frame.assign(elev="")
    hidden.loc[2, "elev"] = "20080101-1230"  # a real date and a valid check digit
    path = tmp_path / "hidden.csv"
    write_export(hidden, str(path))
    assert main(["survey", "import", "2021", str(path)]) == 2
    err = capsys.readouterr().err
    assert ":4: [elev] a value looks like a personnummer" in err and "nothing was imported" in err


def test_missing_columns_are_listed(city: Project, tmp_path: Path) -> None:
    _, frame = export(tmp_path, "x.csv", Plan(pupils=30, seed=9))
    path = tmp_path / "short.csv"
    write_export(frame.drop(columns=["kon", "sociala_fardigheter_2"]), str(path))
    with pytest.raises(InputFileError, match="missing columns: kon, sociala_fardigheter_2"):
        import_wave("2021", path, date(2021, 4, 1))
    twice = tmp_path / "twice.csv"
    pd.concat([frame, frame[["arskurs"]]], axis=1).to_csv(twice, sep=";", index=False)
    with pytest.raises(InputFileError, match=r"\[arskurs\] the column appears more than once"):
        import_wave("2021", twice, date(2021, 4, 1))


def test_reimporting_a_wave_replaces_it_whole(city: Project, tmp_path: Path) -> None:
    first, _ = export(tmp_path, "a.csv", Plan(pupils=3000, seed=10, planted=PLANTED))
    second, _ = export(tmp_path, "b.csv", Plan(pupils=3000, seed=11))
    import_wave("2021", first, date(2021, 4, 1))
    import_wave("2021", second, date(2021, 4, 1), replace=True)  # another export: areas' answers differ
    import_wave("2099", second, date(2021, 4, 1))  # the same file as a wave of its own, for comparison

    def cells(wave: str) -> list[tuple[object, ...]]:
        with session_scope() as session:
            return sorted(session.execute(select(
                col(SurveyResult.area_id), col(SurveyResult.grade_group), col(SurveyResult.gender), col(SurveyResult.measure),
                col(SurveyResult.n), col(SurveyResult.count)).where(col(SurveyResult.wave_id) == wave)).tuples().all())

    assert cells("2021") == cells("2099")
    with session_scope() as session:
        wave = session.get(SurveyWave, "2021")
        assert wave is not None and wave.source == "b.csv"
    assert suggested("2021") == {}


def test_a_reimport_that_takes_answers_from_one_area_asks_first_and_says_where(city: Project, tmp_path: Path
                                                                                ) -> None:
    """A tenth of one area missing is 1–2 % of the city: it still asks, naming the area."""
    path, frame = export(tmp_path, "2021.csv", Plan(pupils=4000, seed=21))
    import_wave("2021", path, date(2021, 4, 1))
    area_rows = frame.index[frame["delomrade"].isin(_delomraden(HERMODSDAL))]
    smaller = tmp_path / "2021-utan-nagra.csv"
    write_export(frame.drop(area_rows[: len(area_rows) // 10]), str(smaller))
    with pytest.raises(WouldLoseData, match="of Hermodsdal/Nydala/Gullviksborg's .* answers"):
        import_wave("2021", smaller, date(2021, 4, 2))
    with session_scope() as session:
        wave = session.get(SurveyWave, "2021")
        assert wave is not None and wave.source == "2021.csv"  # nothing changed
    report = import_wave("2021", smaller, date(2021, 4, 2), replace=True)
    had, has = report.removed[HERMODSDAL]
    assert had - has == len(area_rows) // 10 and set(report.removed) == {HERMODSDAL}


def test_a_wave_a_decision_rests_on_is_corrected_and_the_decision_stands(city: Project, tmp_path: Path) -> None:
    from ctcflow.engine.opening import open_phase

    path, _ = export(tmp_path, "2021.csv", Plan(pupils=3000, seed=22, planted=PLANTED))
    import_wave("2021", path, date(2021, 4, 1))
    with session_scope() as session:
        open_phase(session, load_definitions(), HERMODSDAL, "prioritering", 1, date(2021, 4, 19))
    record_decision(HERMODSDAL, "2021", ["konflikter_i_familjen", "tillganglighet_droger"], by="team_hermodsdal",
                    as_of=date(2021, 5, 3), note=None)
    assert main(["survey", "import", "2021", str(path), "--as-of", "2021-06-01"]) == 0  # the same export again
    with session_scope() as session:
        decision = session.execute(select(PriorityDecision)).scalar_one()
        assert (decision.wave_id, decision.area_id) == ("2021", HERMODSDAL)
        noted = session.execute(select(Event).where(col(Event.kind) == "wave_corrected")).scalar_one()
        assert (noted.area_id, noted.subject, noted.old) == (HERMODSDAL, "2021", "2021-05-03")


def test_a_changed_cut_point_is_said_and_not_compared_with_the_wave_before(
        city: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, _ = export(tmp_path, "2019.csv", Plan(pupils=8000, seed=4))
    second, _ = export(tmp_path, "2021.csv", Plan(pupils=8000, seed=5, planted={KIRSEBERG: ["konflikter_i_familjen"]}))
    import_wave("2019", first, date(2019, 4, 1))
    city.edit("survey.yml", "konflikter_i_familjen_4]\n    min_answered: 3\n    cut_point: 2.5",
              "konflikter_i_familjen_4]\n    min_answered: 3\n    cut_point: 2.0")
    assert main(["survey", "import", "2021", str(second), "--as-of", "2021-04-01"]) == 0
    assert "cut points changed since wave 2019" in capsys.readouterr().out
    with session_scope() as session:
        wave = session.get(SurveyWave, "2021")
        assert wave is not None and '"konflikter_i_familjen": 2.0' in (wave.scored_with or "")
        row = session.execute(select(SurveySuggestion).where(col(SurveySuggestion.wave_id) == "2021",
                                                             col(SurveySuggestion.factor_id) == "konflikter_i_familjen")
                              ).scalar_one()
    assert row.above_city and not row.risen and row.previous_share is None  # a new series, not a rise


def test_the_profile_shows_the_area_against_the_city_and_hides_small_cells(city: Project, tmp_path: Path) -> None:
    path, _ = export(tmp_path, "2021.csv", Plan(pupils=2500, seed=12, planted=PLANTED))
    import_wave("2021", path, date(2021, 4, 1))
    out = tmp_path / "profil.html"
    assert main(["survey", "profile", HERMODSDAL, "--wave", "2021", "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "<h1>Områdesprofil: Hermodsdal/Nydala/Gullviksborg</h1>" in html
    assert "<strong>Konflikter i familjen</strong>" in html and "Signifikant sämre än resten av staden." in html
    assert html.count('<svg class="bars"') == 35 + 6  # every factor and outcome; one wave: no trend lines
    assert "Annat/vill inte svara" in html and "<td class=\"small\">–</td>" in html  # ~2 % answer 'annat'
    english = tmp_path / "profile.html"
    main(["survey", "profile", HERMODSDAL, "--wave", "2021", "-o", str(english), "--lang", "en"])
    assert "Significantly worse than the rest of the city." in english.read_text(encoding="utf-8")


def test_the_teams_decision_is_recorded_beside_the_suggestion_and_completes_the_milestone(
        city: Project, tmp_path: Path) -> None:
    from ctcflow.engine.opening import open_phase

    path, _ = export(tmp_path, "2021.csv", Plan(pupils=4000, seed=13, planted=PLANTED))
    import_wave("2021", path, date(2021, 4, 1))
    with pytest.raises(CtcError, match="choose 2–5 different priority factors"):
        record_decision(HERMODSDAL, "2021", ["konflikter_i_familjen"], by="team_hermodsdal", as_of=date(2021, 5, 3),
                        note=None)
    defs = load_definitions()
    with session_scope() as session:
        open_phase(session, defs, HERMODSDAL, "prioritering", 1, date(2021, 4, 19))
    factors = ["konflikter_i_familjen", "tillganglighet_droger", "lag_skolanknytning"]
    decision, why_not = record_decision(HERMODSDAL, "2021", factors, by="team_hermodsdal", as_of=date(2021, 5, 3),
                                        note=None)
    assert why_not == "prioriterade_faktorer depends on milestones not yet done: prioriteringsworkshop"
    main(["done", HERMODSDAL, "prioriteringsworkshop", "--by", "ul_hermodsdal", "--as-of", "2021-05-03"])
    decision, why_not = record_decision(HERMODSDAL, "2021", factors, by="team_hermodsdal", as_of=date(2021, 5, 3),
                                       note="workshop 3 maj")
    assert why_not is None
    with session_scope() as session:
        stored = session.execute(select(PriorityDecision).order_by(col(PriorityDecision.id).desc())).scalars().first()
        assert stored is not None
        assert stored.factors == ",".join(factors) and stored.decided_by == "team_hermodsdal"
        done = session.execute(select(MilestoneInstance).where(
            col(MilestoneInstance.milestone_id) == "prioriterade_faktorer")).scalar_one()
        assert done.status == "done" and "konflikter_i_familjen" in (done.evidence or "")
        assert len(session.execute(select(Event).where(col(Event.kind) == "priorities_decided")).all()) == 2
    out = tmp_path / "p.html"
    main(["survey", "profile", HERMODSDAL, "--wave", "2021", "-o", str(out)])
    html = out.read_text(encoding="utf-8")
    assert "Områdesteamets beslut 2021-05-03 (team_hermodsdal)" in html
    assert "Konflikter i familjen, Upplevd tillgång till droger, Låg motivation och anknytning till skolan" in html


def test_mistakes_in_survey_yml_are_listed_with_their_lines(project: Project) -> None:
    from ctcflow.core.errors import DefinitionError

    project.edit("survey.yml", "items: [konflikter_i_familjen_1,", "items: [konflikter_i_familjn_1,")
    project.edit("survey.yml", "    cut_point: 2.5\n", "    cut_point: 7\n")
    with pytest.raises(DefinitionError) as caught:
        load_survey()
    text = str(caught.value)
    assert "[konflikter_i_familjen] unknown items: konflikter_i_familjn_1" in text
    assert "cut point 7.0 outside the answer scale 1–4" in text
    lines = {p.line for p in caught.value.problems}
    assert all(isinstance(line, int) and line > 100 for line in lines)


def _delomraden(area_id: str) -> list[str]:
    area = load_definitions().org.area(area_id)
    assert area is not None, area_id
    return list(area.delomraden)
