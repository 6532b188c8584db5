"""The områdesprofil in numbers, vectorised: validity screens, a scale score per factor, the
share of pupils above the cut point per area, grade group and gender and for the city (small
groups hidden by ctcflow.survey.disclosure), and the factors that stand out.

Comparisons are one-sided two-proportion z-tests: an area against the *rest* of the city (so
the area is not compared with itself), and against its own previous wave. A factor stands out
when the difference is significant at ``significance`` after a Bonferroni correction for the
number of factors tested in the area (35 tests at 5 % would otherwise flag one or two factors
by chance in every area), and at least ``min_difference``; for a protective factor the
direction is reversed (less protection stands out).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from ctcflow.definition.survey import FactorDef, SurveyDef
from ctcflow.survey.disclosure import ALL, CITY, NOT_STATED, OUTSIDE
from ctcflow.survey.reading import AREA, GENDER, GRADE_GROUP

KEYS = [AREA, GRADE_GROUP, GENDER]


@dataclass(frozen=True)
class Screened:
    valid: np.ndarray  # bool per pupil
    excluded: dict[str, int]  # reason → pupils (a pupil failing two screens counts under both)


def screen(frame: pd.DataFrame, survey: SurveyDef) -> Screened:
    n = len(frame)
    rules = survey.validity
    fictitious = np.zeros(n, bool)
    if rules.fictitious_drug:
        fictitious = (frame[rules.fictitious_drug.item] >= rules.fictitious_drug.at_least).to_numpy()
    implausible = np.zeros(n, bool)
    for rule in rules.implausible:
        implausible |= (frame[rule.item] >= rule.at_least).to_numpy()
    inconsistent = np.zeros(n, bool)
    for check in rules.inconsistent:
        inconsistent |= ((frame[check.recent] > 0) & (frame[check.ever] == 0)).to_numpy()
    return Screened(~(fictitious | implausible | inconsistent),
                    {"fictitious_drug": int(fictitious.sum()), "implausible": int(implausible.sum()),
                     "inconsistent": int(inconsistent.sum())})


def scale_scores(frame: pd.DataFrame, survey: SurveyDef, factor: FactorDef) -> np.ndarray:
    """Per pupil, the mean of the factor's answered items (reversed items as low + high −
    answer); NaN with fewer than ``min_answered`` answers."""
    scale = survey.answer_scales[survey.item_map[factor.items[0]].scale]
    answers = frame[factor.items].to_numpy(dtype="float32", copy=True)
    for j, item_id in enumerate(factor.items):
        if item_id in factor.reverse:
            answers[:, j] = scale.low + scale.high - answers[:, j]
    answered = (~np.isnan(answers)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.nansum(answers, axis=1) / answered
    return np.where(answered >= factor.min_answered, score, np.nan)


def measure_flags(frame: pd.DataFrame, survey: SurveyDef) -> pd.DataFrame:
    """Per pupil and measure: 1 above the cut point (or outcome present), 0 not, NaN no valid score."""
    columns: dict[str, np.ndarray] = {}
    for factor in survey.factors:
        score = scale_scores(frame, survey, factor)
        columns[factor.id] = np.where(np.isnan(score), np.nan, score > factor.cut_point)
    for outcome in survey.outcomes:
        values = frame[outcome.item].to_numpy(dtype="float32")
        columns[outcome.id] = np.where(np.isnan(values), np.nan, values >= outcome.at_least)
    return pd.DataFrame(columns, index=frame.index, dtype="float32")


def cell_table(frame: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """Long table: area (CITY for the whole city, OUTSIDE for the pupils outside every area),
    grade group, gender (NOT_STATED for none; ALL for margins), measure, n (pupils with a valid
    score) and count (above the cut point). Per area and for the city: the total, each grade
    group and each gender — the figures the områdesprofil shows, and nothing finer."""
    valid = flags.notna().astype("int32")
    above = flags.fillna(0).astype("int32")
    keys = pd.DataFrame({AREA: frame[AREA].replace(CITY, OUTSIDE).to_numpy(),
                         GRADE_GROUP: frame[GRADE_GROUP].to_numpy(),
                         GENDER: frame[GENDER].fillna(NOT_STATED).to_numpy()}, index=frame.index)
    parts = [_aggregate(keys, valid, above, [*area, *breakdown])
             for area in ([AREA], []) for breakdown in ([], [GRADE_GROUP], [GENDER])]
    table = pd.concat(parts, ignore_index=True)
    return table[[*KEYS, "measure", "n", "count"]]


def _aggregate(keys: pd.DataFrame, valid: pd.DataFrame, above: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    if by:
        grouped_n = valid.groupby([keys[k] for k in by], sort=True).sum()
        grouped_c = above.groupby([keys[k] for k in by], sort=True).sum()
    else:
        grouped_n, grouped_c = valid.sum().to_frame().T, above.sum().to_frame().T
    n = grouped_n.stack().rename("n")
    c = grouped_c.stack().rename("count")
    long = pd.concat([n, c], axis=1).reset_index()
    long.columns = [*(by or ["_"]), "measure", "n", "count"]
    for key, default in ((AREA, CITY), (GRADE_GROUP, ALL), (GENDER, ALL)):
        if key not in by:
            long[key] = default
    return long


def headline(table: pd.DataFrame) -> pd.DataFrame:
    """Each published area's figures for all grades and genders (the city's and the hidden
    rows left out)."""
    return table[(table[GRADE_GROUP] == ALL) & (table[GENDER] == ALL) & ~table["suppressed"]
                 & ~table[AREA].isin([CITY, OUTSIDE])]


@dataclass(frozen=True)
class Candidate:
    area_id: str
    factor_id: str
    rank: int
    share: float
    city_share: float | None  # None where the city's figure is hidden: it would give it away
    previous_share: float | None
    z_city: float | None
    z_trend: float | None
    above_city: bool
    risen: bool


def suggest(table: pd.DataFrame, previous: pd.DataFrame | None, survey: SurveyDef) -> list[Candidate]:
    """Per area, up to ``max_candidates`` factors that stand out against the rest of the city
    and/or have risen since the previous wave, strongest first."""
    z_crit = NormalDist().inv_cdf(1 - survey.significance / len(survey.factors))
    kinds = {f.id: f.kind for f in survey.factors}
    totals = table[(table[GRADE_GROUP] == ALL) & (table[GENDER] == ALL) & table["measure"].isin(kinds)]
    city = totals[totals[AREA] == CITY].set_index("measure")
    areas = headline(totals).copy()
    areas["city_n"] = areas["measure"].map(city["n"])
    areas["city_count"] = areas["measure"].map(city["count"])
    rest_n = areas["city_n"] - areas["n"]
    rest_count = areas["city_count"] - areas["count"]
    direction = np.where(areas["measure"].map(kinds) == "risk", 1.0, -1.0)
    share = areas["count"] / areas["n"]
    areas["share"] = share
    areas["city_share"] = areas["city_count"] / areas["city_n"]
    areas["z_city"] = direction * _z(areas["count"], areas["n"], rest_count, rest_n)
    difference = direction * (share - rest_count / rest_n.where(rest_n > 0))
    areas["above_city"] = (areas["z_city"] > z_crit) & (difference >= survey.min_difference)
    areas["previous_share"] = np.nan
    areas["z_trend"] = np.nan
    areas["risen"] = False
    if previous is not None and not previous.empty:
        before = previous[(previous[GRADE_GROUP] == ALL) & (previous[GENDER] == ALL) & ~previous["suppressed"]]
        before = before.set_index([AREA, "measure"])
        index = pd.MultiIndex.from_arrays([areas[AREA], areas["measure"]])
        prev_n = pd.Series(before["n"].reindex(index).to_numpy(), index=areas.index)
        prev_count = pd.Series(before["count"].reindex(index).to_numpy(), index=areas.index)
        areas["previous_share"] = prev_count / prev_n
        areas["z_trend"] = direction * _z(areas["count"], areas["n"], prev_count, prev_n)
        rise = direction * (share - areas["previous_share"])
        areas["risen"] = (areas["z_trend"] > z_crit) & (rise >= survey.min_difference)
    flagged = areas[areas["above_city"] | areas["risen"]].copy()
    flagged["both"] = flagged["above_city"] & flagged["risen"]
    flagged["strength"] = flagged[["z_city", "z_trend"]].max(axis=1)
    flagged = flagged.sort_values([AREA, "both", "strength"], ascending=[True, False, False])
    flagged["rank"] = flagged.groupby(AREA).cumcount() + 1
    chosen = flagged[flagged["rank"] <= survey.max_candidates]
    # the city's share and the z against it are kept only where the city's figure is published:
    # stored in full they would give away the hidden city figure — and the pupils outside the areas
    hidden = set(city.index[city["suppressed"].astype(bool)]) if "suppressed" in city.columns else set()
    return [Candidate(row[AREA], row["measure"], int(row["rank"]), float(row["share"]),
                      None if row["measure"] in hidden else float(row["city_share"]),
                      _maybe(row["previous_share"]), None if row["measure"] in hidden else float(row["z_city"]),
                      _maybe(row["z_trend"]), bool(row["above_city"]), bool(row["risen"]))
            for row in chosen.to_dict("records")]


def _z(count_a: pd.Series, n_a: pd.Series, count_b: pd.Series, n_b: pd.Series) -> pd.Series:
    """Two-proportion z statistic with the pooled share; NaN where either group is empty."""
    n_a, n_b = n_a.astype(float), n_b.astype(float)
    pooled = (count_a + count_b) / (n_a + n_b)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n_a.where(n_a > 0) + 1 / n_b.where(n_b > 0)))
    return (count_a / n_a.where(n_a > 0) - count_b / n_b.where(n_b > 0)) / se.where(se > 0)


def _maybe(value: object) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)  # type: ignore[arg-type]


def calibrate(frame: pd.DataFrame, survey: SurveyDef, share: float = 0.3) -> dict[str, float]:
    """Per factor, the cut point above which ``share`` of this wave's valid pupils score: for
    setting placeholder cut points from a reference wave (then written into survey.yml)."""
    points: dict[str, float] = {}
    for factor in survey.factors:
        score = scale_scores(frame, survey, factor)
        score = score[~np.isnan(score)]
        points[factor.id] = round(float(np.quantile(score, 1 - share)), 2) if len(score) else factor.cut_point
    return points
