"""The effects evaluation for the command line and the overview: each area's verdicts, the small
trend of its priority factors, and the aggregate tables behind the verdicts for an evaluator (CSV
with a codebook) — figures as published, never pupil data."""

from __future__ import annotations

import csv
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session

from ctcflow.app.context import ready
from ctcflow.core.config import Settings
from ctcflow.core.words import words
from ctcflow.definition.loader import Definitions
from ctcflow.definition.programmes import load_programmes
from ctcflow.definition.survey import SurveyDef, load_survey
from ctcflow.report.effect_view import profile_effects
from ctcflow.report.names import titles
from ctcflow.survey.evaluation import AreaEffects, area_effects, area_story, priority_gaps
from ctcflow.survey.profile import render_profile
from db.engine import session_scope

CODEBOOK = """# Codebook: ctcflow's effects evaluation ({municipality}, as of {as_of})

Reproduces every verdict of `ctc effects` from published aggregates only: no pupil-level data.
Suppressed figures (fewer than {min_cell} answers, or able to give one away) are absent, as in
every published table.

## shares.csv — the figures behind each verdict
- `area_id`: the CTC area evaluated.
- `measure`: a factor or outcome id of survey.yml; `prioritised` 1 if the team chose it, 0 for outcomes.
- `wave`: the survey wave; `period`: `baseline` (the wave the decision was based on) or `after`.
- `group`: `area`, or `comparison` — `comparison_kind` says which: `rest_of_city` (the city's published
  figure less the area's) or `comparison_areas` (the published figures of areas.yml's comparison areas, summed).
- `n`: pupils with a valid answer; `count`: those above the cut point (factor) or reporting the behaviour
  (outcome); `share` = count / n.

## effects.csv — the verdicts
- `estimate`: difference-in-differences, the area's change less the comparison's, as a share
  (−0.05 = five percentage points less); `low`, `high`: its {confidence:.0%} confidence interval.
- `p`: two-sided p-value; `p_adjusted`: corrected within the area (Holm–Šidák) over every measure tested.
- `detectable`: the smallest difference the design finds with {power:.0%} power.
- `verdict`: `improved` / `worsened` (p_adjusted < {alpha}, by the measure's direction: lower is better for
  risk factors and outcomes, higher for protective factors), `no_difference`, `too_few` (a suppressed figure,
  or detectable > {max_detectable}), `not_yet` (no wave since the baseline).

## Method
Weighted least squares on the wave shares with a term per wave, one for the area and one for the area
after its decision; weights n / (p(1 − p)) with p = (count + ½) / (n + 1); the scale fixed at 1 (binomial
variance), statsmodels. The design supports "moved differently from the comparison", not by itself a causal
effect of the programmes; pupils are not followed over time (each wave is new pupils).
"""


def effects(as_of: date, area_id: str | None = None) -> list[AreaEffects]:
    defs = ready()
    if area_id is not None:
        defs.org.known_area(area_id)
    return _judged(defs, load_survey(), as_of, [area_id] if area_id else None)


def _judged(defs: Definitions, survey: SurveyDef, as_of: date, area_ids: list[str] | None) -> list[AreaEffects]:
    with session_scope() as session:
        return area_effects(session, defs.org, survey, as_of, area_ids)


def priority_trends(settings: Settings, defs: Definitions, as_of: date,
                    area_ids: list[str]) -> dict[str, list[tuple[str, float]]]:
    """Per area on the overview: its priority factors' distance from the comparison, wave by wave."""
    with session_scope(settings) as session:
        return priority_gaps(session, defs.org, load_survey(settings), as_of, area_ids)


def profile_page(session: Session, defs: Definitions, settings: Settings, area_id: str, wave_id: str, lang: str,
                 as_of: date, back: str | None = None) -> str:
    """The områdesprofil of a wave, with its effects part as recorded by ``as_of`` (decisions
    based on later waves left out)."""
    survey = load_survey(settings)
    story = area_story(session, defs.org, survey, as_of, area_id, wave_id)
    part = None if story is None else profile_effects(
        story, titles(defs, survey, load_programmes(settings), lang), words(lang), lang)
    return render_profile(session, defs, survey, area_id, wave_id, lang, part, back)


def as_json(found: list[AreaEffects]) -> list[dict[str, Any]]:
    return [{**asdict(a), "decided_on": a.decided_on.isoformat(),
             "programmes": [{**asdict(p), "chosen_on": p.chosen_on.isoformat(),
                             "ran_until": p.ran_until.isoformat() if p.ran_until else None}
                            for p in a.programmes]}
            for a in found]


def export(folder: Path, as_of: date) -> list[Path]:
    """shares.csv, effects.csv and codebook.md in ``folder``."""
    defs, survey = ready(), load_survey()
    found = _judged(defs, survey, as_of, None)
    folder.mkdir(parents=True, exist_ok=True)
    shares, verdicts = folder / "shares.csv", folder / "effects.csv"
    with shares.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["area_id", "measure", "prioritised", "wave", "period", "group", "comparison_kind", "n",
                         "count", "share"])
        for area in found:
            for e in area.effects:
                for wave, n_area, c_area, n_other, c_other in e.counts:
                    period = "baseline" if wave in e.waves_before else "after"
                    for group, n, c in (("area", n_area, c_area), ("comparison", n_other, c_other)):
                        writer.writerow([e.area_id, e.measure, int(e.prioritised), wave, period, group, e.comparison,
                                         n, c, f"{c / n:.4f}"])
    with verdicts.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["area_id", "measure", "prioritised", "baseline", "waves_after", "comparison_kind",
                         "estimate", "low", "high", "p", "p_adjusted", "detectable", "verdict"])
        for area in found:
            for e in area.effects:
                figures = [e.estimate, e.low, e.high, e.p, e.p_adjusted, e.detectable]
                writer.writerow([e.area_id, e.measure, int(e.prioritised), " ".join(e.waves_before),
                                 " ".join(e.waves_after), e.comparison,
                                 *("" if f is None else f"{f:.4f}" for f in figures), e.verdict])
    design = survey.effects
    codebook = folder / "codebook.md"
    codebook.write_text(CODEBOOK.format(municipality=defs.org.municipality, as_of=as_of, min_cell=survey.min_cell,
                                        confidence=1 - design.alpha, power=design.power, alpha=design.alpha,
                                        max_detectable=design.max_detectable), encoding="utf-8")
    return [shares, verdicts, codebook]
