"""Synthetic survey waves with planted effects, for tests, benchmarks and trying the system:
known factors raised in known areas, a few invalid respondents of each kind, missing answers.
Deterministic for a given seed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ctcflow.definition.organisation import OrganisationDef
from ctcflow.definition.survey import SurveyDef

GRADES = ("6", "7", "8", "9", "gy1", "gy2")
OUTSIDE = ("Centrum", "Husie", "Limhamn", "Oxie", "Rosengård", "Västra hamnen")


@dataclass
class Plan:
    pupils: int = 3000
    seed: int = 1
    base_share: float = 0.22  # share of pupils above the cut point of a risk factor
    protected_share: float = 0.6  # share with a protective factor
    planted_risk: float = 0.5  # share where a risk is planted
    planted_protection: float = 0.3  # share where protection is planted low
    planted: Mapping[str, list[str]] = field(default_factory=dict)  # area id → factor ids that stand out
    levels: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # area id → factor id → its share
    outside_share: float = 0.3  # pupils from delområden outside the CTC areas (they count for the city)
    invalid_each: int = 5  # respondents per validity screen
    missing: float = 0.02  # share of unanswered items


def synthetic_wave(survey: SurveyDef, org: OrganisationDef, plan: Plan) -> pd.DataFrame:
    """The export as the analysis function would receive it: one row per pupil, answer codes
    as small integers (missing: <NA>, an empty cell in the file)."""
    rng = np.random.default_rng(plan.seed)
    n = plan.pupils
    # pupils live in the areas with a team; an area planned but never started (no people yet) is
    # counted with the rest of the city, as its pupils are in the demo's history
    inside = [(a.id, d) for a in org.areas if a.people for d in a.delomraden]
    is_outside = rng.random(n) < plan.outside_share
    pick_in = rng.integers(0, len(inside), n)
    delomrade = np.where(is_outside, np.array(OUTSIDE)[rng.integers(0, len(OUTSIDE), n)],
                         np.array([d for _, d in inside])[pick_in])
    area = np.where(is_outside, "", np.array([a for a, _ in inside])[pick_in])
    frame: dict[str, np.ndarray] = {
        "delomrade": delomrade,
        "arskurs": np.array(GRADES)[rng.integers(0, len(GRADES), n)],
        "kon": rng.choice(np.array(["flicka", "pojke", "annat", ""]), n, p=[0.48, 0.48, 0.02, 0.02]),
    }
    items = survey.item_map
    for factor in survey.factors:
        share = np.full(n, plan.base_share if factor.kind == "risk" else plan.protected_share)
        for area_id, factors in plan.planted.items():
            if factor.id in factors:
                share[area == area_id] = plan.planted_risk if factor.kind == "risk" else plan.planted_protection
        for area_id, levels in plan.levels.items():
            if factor.id in levels:
                share[area == area_id] = levels[factor.id]
        latent = rng.random(n) < share
        scale = survey.answer_scales[items[factor.items[0]].scale]
        for item_id in factor.items:
            agrees = np.where(latent, rng.random(n) < 0.92, rng.random(n) < 0.08)
            high = rng.integers(scale.high - 1, scale.high + 1, n)  # "ja" or "JA!"
            low = rng.integers(scale.low, scale.low + 2, n)  # "NEJ!" or "nej"
            answer = np.where(agrees, high, low)
            if item_id in factor.reverse:
                answer = scale.low + scale.high - answer
            frame[item_id] = answer.astype(float)
    used = {i for f in survey.factors for i in f.items}
    for item in survey.items:  # behaviour items: mostly "never", some once or a few times
        if item.id not in used:
            codes = sorted(survey.answer_scales[item.scale].codes)
            some = codes[1:4] if len(codes) > 3 else codes[1:]
            frame[item.id] = np.where(rng.random(n) < 0.85, codes[0], rng.choice(np.array(some), n)).astype(float)
    validity = survey.validity
    for check in validity.inconsistent:  # honest pupils: nothing recently that they never did
        frame[check.recent] = np.where(frame[check.ever] == 0, 0.0, frame[check.recent])
    if validity.fictitious_drug:
        frame[validity.fictitious_drug.item][:] = 0
    answers = [i.id for i in survey.items]
    result = pd.DataFrame(frame)
    values = result[answers].to_numpy(dtype=float, copy=True)
    values[rng.random(values.shape) < plan.missing] = np.nan
    result[answers] = values
    _plant_invalid(result, survey, plan, rng)
    result[answers] = result[answers].astype("Int8")  # written as codes, a missing answer as an empty cell
    return result.copy()  # one block per dtype, not a column at a time


def _plant_invalid(frame: pd.DataFrame, survey: SurveyDef, plan: Plan, rng: np.random.Generator) -> None:
    validity = survey.validity
    rows = rng.choice(len(frame), size=min(len(frame), plan.invalid_each * 3), replace=False)
    fictitious, implausible, inconsistent = np.array_split(rows, 3)
    if validity.fictitious_drug:
        frame.loc[fictitious, validity.fictitious_drug.item] = validity.fictitious_drug.at_least
    if validity.implausible:
        frame.loc[implausible, validity.implausible[0].item] = validity.implausible[0].at_least
    if validity.inconsistent:
        check = validity.inconsistent[0]
        frame.loc[inconsistent, check.recent] = 1
        frame.loc[inconsistent, check.ever] = 0


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as the text a file would hold ('' for a missing answer), to edit like one."""
    return frame.astype("string").fillna("").astype(object).copy()


def write_export(frame: pd.DataFrame, path: str, *, separator: str = ";", encoding: str = "utf-8-sig") -> None:
    frame.to_csv(path, sep=separator, index=False, encoding=encoding)
