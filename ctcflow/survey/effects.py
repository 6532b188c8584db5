"""Did the factors a team prioritised, and the outcomes, move more than where CTC did not work?

Per area and measure: the share in every wave before and after the team's decision, against a
comparison — the areas that do not run CTC (areas.yml ``comparison_areas``) when they have
enough answers in every wave, else the rest of the city (every pupil outside the area, the
delområden outside any area included). The estimate is a difference-in-differences on the wave
shares: a weighted least-squares model with a term per wave, one for the area and one for the
area after the decision, each share weighted by the inverse of its binomial variance and the
scale fixed (statsmodels), so the confidence interval is as wide as the answers make it. Within
an area the p-values are corrected over everything tested (Holm–Šidák's step-down), so an area with nothing going on
is called "clear" at most ``alpha`` of the time.

Only published figures go in (the stored cells, all past the suppression rules); the rest of the
city is the city's figure less the area's, which anyone holding both can compute already. An
area whose own figure is suppressed in any wave is "too few answers to tell"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

Verdict = Literal["improved", "no_difference", "worsened", "too_few", "not_yet"]
CITY = ""


@dataclass(frozen=True)
class Design:
    alpha: float  # familywise, per area, after Holm's correction
    power: float  # for the minimum detectable difference
    max_detectable: float  # a design that cannot see this difference (as a share) says "too few answers"
    min_comparison: int  # answers per wave the comparison areas need to be used instead of the rest of the city


@dataclass(frozen=True)
class Measured:
    """One measure in one area: which way is better, and the decision that splits before/after."""

    area_id: str
    measure: str
    lower_is_better: bool
    prioritised: bool  # a factor the team chose (outcomes are measured in every deciding area)


@dataclass(frozen=True)
class Effect:
    area_id: str
    measure: str
    prioritised: bool
    comparison: Literal["comparison_areas", "rest_of_city"]
    waves_before: tuple[str, ...]
    waves_after: tuple[str, ...]
    estimate: float | None  # the area's change less the comparison's, as a share (−0.05 = 5 points less)
    low: float | None
    high: float | None
    p: float | None
    p_adjusted: float | None
    detectable: float | None  # the smallest difference the design would find at ``power``
    verdict: Verdict


Totals = dict[tuple[str, str], tuple[int, int]]  # (wave, area) → (n, count) of one measure


def totals_by_measure(results: pd.DataFrame) -> dict[str, Totals]:
    """The published totals (columns wave_id, area_id, measure, n, count) as one lookup per
    measure — read once for every area, never filtered per area."""
    out: dict[str, Totals] = {}
    for wave, area, measure, n, count in results[["wave_id", "area_id", "measure", "n", "count"]].itertuples(
            index=False):
        out.setdefault(measure, {})[(wave, area)] = (int(n), int(count))
    return out


def shares_table(totals: Totals, area_id: str, waves: list[str], comparison_ids: list[str],
                 min_comparison: int) -> tuple[pd.DataFrame, str]:
    """Rows (wave, group 'area'|'comparison', n, count); the area's rows missing where its figure
    is suppressed. The second value says which comparison was used."""
    pooled = {wave: [totals[(wave, c)] for c in comparison_ids if (wave, c) in totals] for wave in waves}
    use_pool = bool(comparison_ids) and all(sum(n for n, _ in pooled[w]) >= min_comparison for w in waves)
    rows = []
    for wave in waves:
        area = totals.get((wave, area_id))
        if area is None:
            continue
        rows.append((wave, "area", *area))
        if use_pool:
            rows.append((wave, "comparison", sum(n for n, _ in pooled[wave]), sum(c for _, c in pooled[wave])))
        elif (wave, CITY) in totals:
            city = totals[(wave, CITY)]
            rows.append((wave, "comparison", city[0] - area[0], city[1] - area[1]))
    table = pd.DataFrame(rows, columns=["wave_id", "group", "n", "count"])
    return table, "comparison_areas" if use_pool else "rest_of_city"


def did(table: pd.DataFrame, after: list[str]) -> tuple[float, float, float]:
    """(estimate, standard error, two-sided p) of the area-after-decision term."""
    import statsmodels.api as sm

    n = table["n"].to_numpy(dtype=float)
    count = table["count"].to_numpy(dtype=float)
    share = (count + 0.5) / (n + 1)  # never 0 or 1: a variance to weigh by
    wave = table["wave_id"].to_numpy()
    treated = (table["group"] == "area").to_numpy(dtype=float)
    columns = [np.ones(len(table))] + [(wave == w).astype(float) for w in sorted(set(wave))[1:]]
    columns += [treated, treated * np.isin(wave, after)]
    fitted = sm.WLS(count / n, np.column_stack(columns), weights=n / (share * (1 - share))).fit(
        cov_type="fixed scale", cov_kwds={"scale": 1.0})
    return float(fitted.params[-1]), float(fitted.bse[-1]), float(fitted.pvalues[-1])


def evaluate(totals: dict[str, Totals], measured: list[Measured], before: list[str], after: list[str],
             comparison_ids: list[str], design: Design) -> list[Effect]:
    """Every measure of one area judged, the p-values corrected together (Holm–Šidák)."""
    from scipy.stats import norm
    from statsmodels.stats.multitest import multipletests

    z = float(norm.ppf(1 - design.alpha / 2) + norm.ppf(design.power))
    waves = [*before, *after]
    found: list[tuple[Measured, str, tuple[float, float, float] | None]] = []
    for m in measured:
        table, comparison = shares_table(totals.get(m.measure, {}), m.area_id, waves, comparison_ids,
                                         design.min_comparison)
        complete = len(table) == 2 * len(waves) and bool(after) and (table["n"] > 0).all()
        found.append((m, comparison, did(table, after) if complete else None))
    tested = [i for i, (_, _, fit) in enumerate(found) if fit is not None]
    adjusted = dict(zip(tested, multipletests([found[i][2][2] for i in tested], alpha=design.alpha,  # type: ignore[index]
                                              method="holm-sidak")[1], strict=True)) if tested else {}
    effects = []
    for i, (m, comparison, fit) in enumerate(found):
        if fit is None:
            effects.append(Effect(m.area_id, m.measure, m.prioritised, comparison,  # type: ignore[arg-type]
                                  tuple(before), tuple(after), None, None, None, None, None, None,
                                  "not_yet" if not after else "too_few"))
            continue
        estimate, se, p = fit
        verdict: Verdict = "no_difference"
        if adjusted[i] < design.alpha:
            better = estimate < 0 if m.lower_is_better else estimate > 0
            verdict = "improved" if better else "worsened"
        elif z * se > design.max_detectable:
            verdict = "too_few"
        half = float(norm.ppf(1 - design.alpha / 2)) * se
        effects.append(Effect(m.area_id, m.measure, m.prioritised, comparison,  # type: ignore[arg-type]
                              tuple(before), tuple(after), estimate, estimate - half, estimate + half, p,
                              float(adjusted[i]), z * se, verdict))
    return effects
