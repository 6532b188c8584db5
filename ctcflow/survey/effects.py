"""Did the factors a team prioritised, and the outcomes, move more than where CTC did not work?

Per area and measure: the share in the wave the team's decision was based on (the baseline —
earlier waves described another situation) and in every wave since, against a comparison — the
areas that do not run CTC (areas.yml ``comparison_areas``) when they have enough answers in
every wave, else the rest of the city (every pupil outside the area, the delområden outside any
area included). The estimate is a difference-in-differences on the wave shares: a weighted
least-squares model with a term per wave, one for the area and one for the area after the
decision, each share weighted by the inverse of its binomial variance and the scale fixed
(statsmodels), so the confidence interval is as wide as the answers make it. Within an area the
p-values are corrected over everything tested (Holm–Šidák's step-down), so an area with nothing
going on is called "clear" at most ``alpha`` of the time.

Only published figures go in (the stored cells, all past the suppression rules); the rest of the
city is the city's figure less the area's, which anyone holding both can compute already. An
area whose own figure is suppressed in any wave is "too few answers to tell"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal, TypeVar

import numpy as np

Verdict = Literal["improved", "no_difference", "worsened", "too_few", "not_yet"]
# "other_areas": the rest of the city where a wave compared its areas with the areas together
Comparison = Literal["comparison_areas", "rest_of_city", "other_areas"]
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
    since: str  # the baseline: the wave the first decision that chose it was based on


@dataclass(frozen=True)
class Effect:
    area_id: str
    measure: str
    prioritised: bool
    comparison: Comparison
    waves_before: tuple[str, ...]
    waves_after: tuple[str, ...]
    estimate: float | None  # the area's change less the comparison's, as a share (−0.05 = 5 points less)
    low: float | None
    high: float | None
    p: float | None
    p_adjusted: float | None
    detectable: float | None  # the smallest difference the design would find at ``power``
    verdict: Verdict
    counts: tuple[Counts, ...] = ()  # per wave: the area's n and count, the comparison's

    @property
    def shares(self) -> tuple[tuple[str, float, float], ...]:
        """(wave, area's share, comparison's share) — published figures only."""
        return tuple((w, c / n, oc / on) for w, n, c, on, oc in self.counts)


@dataclass(frozen=True)
class Trend:
    """One measure's published shares in every wave so far, the area against its comparison —
    what a chart of it shows, the waves before the baseline included."""

    measure: str
    comparison: Comparison
    points: tuple[tuple[str, float, float], ...]  # (wave, the area's share, the comparison's)


Totals = dict[tuple[str, str], tuple[int, int]]  # (wave, area) → (n, count) of one measure
Counts = tuple[str, int, int, int, int]  # (wave, n, count of the area, n, count of the comparison)


def totals_by_measure(rows: Iterable[tuple[str, str, str, int, int]]) -> dict[str, Totals]:
    """The published totals (wave, area, measure, n, count) as one lookup per measure — read
    once for every area, never filtered per area."""
    out: dict[str, Totals] = {}
    for wave, area, measure, n, count in rows:
        out.setdefault(measure, {})[(wave, area)] = (int(n), int(count))
    return out


def wave_counts(totals: Totals, area_id: str, waves: list[str], comparison_ids: list[str],
                min_comparison: int) -> tuple[list[Counts], Comparison]:
    """The area's and the comparison's figures per wave — no row for a wave whose area figure is
    suppressed. The second value says which comparison was used."""
    pooled = {wave: [totals[(wave, c)] for c in comparison_ids if (wave, c) in totals] for wave in waves}
    use_pool = bool(comparison_ids) and all(sum(n for n, _ in pooled[w]) >= min_comparison for w in waves)
    rows = []
    for wave in waves:
        area = totals.get((wave, area_id))
        if area is None:
            continue
        if use_pool:
            rows.append((wave, *area, sum(n for n, _ in pooled[wave]), sum(c for _, c in pooled[wave])))
        elif (wave, CITY) in totals:
            city = totals[(wave, CITY)]
            rows.append((wave, *area, city[0] - area[0], city[1] - area[1]))
    return rows, "comparison_areas" if use_pool else "rest_of_city"


def trend(totals: dict[str, Totals], area_id: str, measure: str, waves: list[str], comparison_ids: list[str],
          min_comparison: int) -> Trend:
    """The shares behind a chart, by the same rule of comparison as the verdicts."""
    rows, comparison = wave_counts(totals.get(measure, {}), area_id, waves, comparison_ids, min_comparison)
    return Trend(measure, comparison, tuple((w, c / n, oc / on) for w, n, c, on, oc in rows if n > 0 and on > 0))


def did(rows: list[Counts], after: list[str]) -> tuple[float, float, float]:
    """(estimate, standard error, two-sided p) of the area-after-decision term."""
    import statsmodels.api as sm

    wave = np.array([r[0] for r in rows for _ in (0, 1)])
    n = np.array([v for r in rows for v in (r[1], r[3])], dtype=float)
    count = np.array([v for r in rows for v in (r[2], r[4])], dtype=float)
    share = (count + 0.5) / (n + 1)  # never 0 or 1: a variance to weigh by
    treated = np.tile([1.0, 0.0], len(rows))
    columns = [np.ones(len(n))] + [(wave == w).astype(float) for w in sorted(set(wave))[1:]]
    columns += [treated, treated * np.isin(wave, after)]
    fitted = sm.WLS(count / n, np.column_stack(columns), weights=n / (share * (1 - share))).fit(
        cov_type="fixed scale", cov_kwds={"scale": 1.0})
    return float(fitted.params[-1]), float(fitted.bse[-1]), float(fitted.pvalues[-1])


def evaluate(totals: dict[str, Totals], measured: list[Measured], waves: list[str], comparison_ids: list[str],
             design: Design) -> list[Effect]:
    """Every measure of one area judged, the p-values corrected together (Holm–Šidák)."""
    from scipy.stats import norm
    from statsmodels.stats.multitest import multipletests

    z = float(norm.ppf(1 - design.alpha / 2) + norm.ppf(design.power))
    found: list[tuple[Measured, list[str], list[str], Comparison, list[Counts], tuple[float, float, float] | None]] = []
    for m in measured:
        before, after = [w for w in waves if w == m.since], [w for w in waves if w > m.since]
        rows, comparison = wave_counts(totals.get(m.measure, {}), m.area_id, [*before, *after], comparison_ids,
                                       design.min_comparison)
        complete = len(rows) == len(before) + len(after) and bool(before) and bool(after) \
            and all(r[1] > 0 and r[3] > 0 for r in rows)
        found.append((m, before, after, comparison, rows, did(rows, after) if complete else None))
    tested = [i for i, found_i in enumerate(found) if found_i[5] is not None]
    p_values = [fit[2] for i in tested if (fit := found[i][5]) is not None]
    adjusted = dict(zip(tested, multipletests(p_values, alpha=design.alpha, method="holm-sidak")[1], strict=True)) \
        if tested else {}
    effects = []
    for i, (m, before, after, comparison, rows, fit) in enumerate(found):
        common = (m.area_id, m.measure, m.prioritised, comparison, tuple(before), tuple(after))
        if fit is None:
            effects.append(Effect(*common, None, None, None, None, None, None,
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
        effects.append(Effect(*common, estimate, estimate - half, estimate + half, p,
                              float(adjusted[i]), z * se, verdict, tuple(rows)))
    return effects


Compared = TypeVar("Compared", Effect, Trend)


def relabelled(found: list[Compared], together: bool) -> list[Compared]:
    """Effects or trends against "the rest of the city" say "the other areas" where a wave
    compared with the areas together (ctcflow.survey.publication): the words stay true."""
    if not together:
        return found
    return [replace(item, comparison="other_areas") if item.comparison == "rest_of_city" else item for item in found]
