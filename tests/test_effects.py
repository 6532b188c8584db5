"""The effects evaluation on synthetic waves whose truth is known: an area whose prioritised
factor falls a set amount more than the comparison's is "improved (clear)"; the same change as
the comparison is "no clear difference"; a small area "too few answers to tell"; and over many
areas where nothing happened, an area is called clear no more often than the stated level."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select
from sqlmodel import col

from ctcflow.app.setup import init_database
from ctcflow.app.survey import import_wave
from ctcflow.core.errors import DefinitionError
from ctcflow.definition.loader import load_definitions
from ctcflow.definition.survey import load_survey
from ctcflow.survey.effects import CITY, Design, Effect, Measured, evaluate, totals_by_measure
from db.engine import session_scope
from db.models import SurveyResult
from demo.synthetic import Plan, synthetic_wave, write_export
from tests.conftest import Project

pytestmark = pytest.mark.slow  # the effects model fitted over hundreds of synthetic areas


DESIGN = Design(alpha=0.05, power=0.8, max_detectable=0.10, min_comparison=200)
BEFORE, AFTER = ["2019"], ["2021", "2023"]
OUTCOMES = ["alkoholdebut", "berusning", "rokning", "cannabis", "vald", "brottslighet"]


def waves(rng: np.random.Generator, areas: dict[str, tuple[int, list[float]]], rest: tuple[int, list[float]],
          measure: str = "konflikter_i_familjen") -> pd.DataFrame:
    """Published totals as the survey import stores them: per wave each area's pupils (n) and
    those above the cut point (count), drawn from the given true shares, and the city's."""
    rows = []
    for w, wave in enumerate([*BEFORE, *AFTER]):
        city_n, city_count = 0, 0
        for area_id, (n, shares) in [*areas.items(), ("", rest)]:
            count = int(rng.binomial(n, shares[w]))
            city_n, city_count = city_n + n, city_count + count
            if area_id:
                rows.append((wave, area_id, measure, n, count))
        rows.append((wave, CITY, measure, city_n, city_count))
    return pd.DataFrame(rows, columns=["wave_id", "area_id", "measure", "n", "count"])


def judged(results: pd.DataFrame, measured: list[Measured], comparison: list[str] | None = None,
           design: Design = DESIGN) -> list[Effect]:
    return evaluate(totals_by_measure(results[["wave_id", "area_id", "measure", "n", "count"]].itertuples(index=False)),
                    measured, [*BEFORE, *AFTER], comparison or [], design)


def verdict(results: pd.DataFrame, area_id: str, measure: str = "konflikter_i_familjen") -> str:
    [effect] = judged(results, [Measured(area_id, measure, True, True, "2019")])
    return str(effect.verdict)


def test_a_planted_improvement_beyond_the_comparison_is_clear_and_the_same_change_is_not() -> None:
    rng = np.random.default_rng(7)
    city = (6000, [0.25, 0.24, 0.23])  # the city improves a little by itself
    results = waves(rng, {"improving": (450, [0.45, 0.34, 0.27]),  # 15 points more than the city by 2023
                          "like_the_city": (450, [0.45, 0.44, 0.43]),
                          "tiny": (40, [0.45, 0.30, 0.20])}, city)
    [effect] = judged(results, [Measured("improving", "konflikter_i_familjen", True, True, "2019")])
    assert effect.verdict == "improved" and effect.comparison == "rest_of_city"
    assert effect.low is not None and effect.high is not None and effect.low < -0.10 < effect.high < 0
    assert verdict(results, "like_the_city") == "no_difference"
    assert verdict(results, "tiny") == "too_few"  # a big change, but 40 pupils cannot tell it


def test_a_risk_that_rises_more_than_the_comparison_is_worse_and_a_protection_that_rises_is_better() -> None:
    rng = np.random.default_rng(8)
    results = waves(rng, {"a": (500, [0.30, 0.40, 0.45])}, (6000, [0.30, 0.30, 0.30]))
    assert verdict(results, "a") == "worsened"
    [protective] = judged(results, [Measured("a", "konflikter_i_familjen", False, True, "2019")])
    assert protective.verdict == "improved"


def test_a_suppressed_wave_or_no_wave_since_the_decision_cannot_be_judged() -> None:
    rng = np.random.default_rng(9)
    results = waves(rng, {"a": (500, [0.45, 0.30, 0.25])}, (6000, [0.25, 0.25, 0.25]))
    hidden = results[~((results["area_id"] == "a") & (results["wave_id"] == "2021"))]
    assert verdict(hidden, "a") == "too_few"
    [effect] = judged(results, [Measured("a", "konflikter_i_familjen", True, True, "2023")])
    assert effect.verdict == "not_yet" and effect.estimate is None


def test_comparison_areas_are_used_when_they_have_enough_answers() -> None:
    rng = np.random.default_rng(10)
    # the rest of the city improves as much as the area; the areas without CTC do not move
    results = waves(rng, {"a": (600, [0.40, 0.30, 0.25]), "jmf1": (300, [0.40, 0.40, 0.40]),
                          "jmf2": (300, [0.40, 0.40, 0.40])}, (6000, [0.40, 0.30, 0.25]))
    [effect] = judged(results, [Measured("a", "konflikter_i_familjen", True, True, "2019")], comparison=["jmf1", "jmf2"])
    assert effect.comparison == "comparison_areas" and effect.verdict == "improved"
    few = Design(DESIGN.alpha, DESIGN.power, DESIGN.max_detectable, min_comparison=1000)
    [effect] = judged(results, [Measured("a", "konflikter_i_familjen", True, True, "2019")], comparison=["jmf1", "jmf2"],
                      design=few)
    assert effect.comparison == "rest_of_city"


def test_over_many_areas_where_nothing_happened_few_are_called_clear() -> None:
    """400 areas, each with three factors and six outcomes where the area changes as the city
    does: an area with any "clear" verdict is a false alarm; the correction for testing nine measures keeps their
    share at the 5 % the design states (the bound allows for chance over 400 areas)."""
    rng = np.random.default_rng(11)
    measures = ["f1", "f2", "f3", *OUTCOMES]
    alarms = 0
    areas = 400
    for area in range(areas):
        truth = rng.uniform(0.1, 0.5, len(measures))
        drift = rng.uniform(-0.05, 0.05, len(measures))
        frames = [waves(rng, {f"a{area}": (int(rng.integers(300, 800)), [t, t + d, t + 2 * d])},
                        (6000, [t, t + d, t + 2 * d]), measure=m)
                  for m, t, d in zip(measures, truth, drift, strict=True)]
        effects = judged(pd.concat(frames), [Measured(f"a{area}", m, True, m.startswith("f"), "2019") for m in measures])
        alarms += any(e.verdict in ("improved", "worsened") for e in effects)
    assert alarms / areas <= 0.05 + 2.5 * np.sqrt(0.05 * 0.95 / areas)
    assert alarms > 0  # the test can see a false alarm at all


def test_comparison_areas_in_areas_yml_are_tabulated_but_never_suggested_to(project: Project, tmp_path: Path) -> None:
    """Pupils of a comparison area's delområden are counted for it (so CTC areas can be measured
    against it) and not as "outside every area"; it gets no suggestions and no milestones."""
    project.edit("areas.yml", "comparison_areas: []",
                 "comparison_areas:\n  - {id: jmf_oster, name: Jämförelse öster, delomraden: [Husie, Oxie]}")
    init_database(date(2018, 8, 1))
    defs, survey = load_definitions(), load_survey()
    path = tmp_path / "enkat2019.csv"
    write_export(synthetic_wave(survey, defs.org, Plan(pupils=3000, seed=3)), str(path))
    report = import_wave("2019", path, date(2019, 4, 1))
    assert "Husie" not in report.outside_areas and "Limhamn" in report.outside_areas
    assert "jmf_oster" not in report.areas_with_answers
    assert all(c.area_id != "jmf_oster" for c in report.candidates)
    with session_scope() as session:
        totals = session.execute(select(col(SurveyResult.n)).where(col(SurveyResult.area_id) == "jmf_oster",
                                                              col(SurveyResult.grade_group) == "*",
                                                              col(SurveyResult.gender) == "*")).scalars().all()
    assert totals and min(totals) >= survey.min_cell


@pytest.mark.parametrize("written", ["Lorensborg", "'lorensborg '"])
def test_a_comparison_area_sharing_a_delomrade_with_a_ctc_area_is_refused(project: Project, written: str) -> None:
    """Compared as the imports match names (case, accents and spacing aside): 'lorensborg ' is Lorensborg."""
    project.edit("areas.yml", "comparison_areas: []",
                 f"comparison_areas:\n  - {{id: jmf, name: Jämförelse, delomraden: [{written}]}}")
    named = written.strip("'")
    with pytest.raises(DefinitionError, match=f"delområde '{named}' is in CTC area bellevuegarden_lorensborg and in"):
        load_definitions()
