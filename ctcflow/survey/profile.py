"""The områdesprofil as a self-contained HTML page: each factor's share beside the city's and
the previous wave's, trends across waves, breakdowns by grade group and gender (small cells
shown as '–'), the suggested candidates with their reasons and the team's decision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session, col

from ctcflow.core.config import get_settings
from ctcflow.core.errors import CtcError
from ctcflow.core.templating import renderer
from ctcflow.definition.loader import Definitions
from ctcflow.definition.survey import DOMAIN_TITLES, SurveyDef
from ctcflow.survey.comparison import comparison_words
from ctcflow.survey.disclosure import ALL, CITY
from ctcflow.survey.publication import counted
from ctcflow.survey.store import previous_wave, suggestions
from db.models import PriorityDecision, SurveyResult, SurveyWave


@dataclass(frozen=True)
class Cell:
    share: float | None  # None when suppressed (not stored) or without answers
    n: int | None


def _cells(frame: pd.DataFrame) -> dict[tuple[str, str, str, str], Cell]:
    """Stored cells are the published ones; a cell not stored was suppressed (shown as '–')."""
    return {(r.area_id, r.grade_group, r.gender, r.measure): Cell(r.count / r.n if r.n else None, int(r.n))
            for r in frame.itertuples()}


def profile_context(session: Session, defs: Definitions, survey: SurveyDef, area_id: str, wave_id: str,
                    lang: str, effects: dict[str, Any] | None = None) -> dict[str, Any]:
    area = defs.org.known_area(area_id)
    wave = session.get(SurveyWave, wave_id)
    if wave is None:
        raise CtcError(f"no survey wave '{wave_id}'; `ctc survey waves` lists the imported ones")
    waves = list(session.execute(select(col(SurveyWave.id)).order_by(col(SurveyWave.id))).scalars())
    waves = [w for w in waves if w <= wave_id]
    r = SurveyResult
    rows = pd.DataFrame(session.execute(
        select(col(r.wave_id), col(r.area_id), col(r.grade_group), col(r.gender), col(r.measure), col(r.n),
               col(r.count))
        .where(col(r.wave_id).in_(waves), col(r.area_id).in_([area_id, CITY]))).all(),
        columns=["wave_id", "area_id", "grade_group", "gender", "measure", "n", "count"])
    by_wave = {w: _cells(rows[rows["wave_id"] == w]) for w in waves}
    now = by_wave[wave_id]
    before = previous_wave(session, wave_id)
    suggested = {s.factor_id: s for s in suggestions(session, wave_id, area_id)}
    empty = Cell(None, None)

    def trend(measure: str) -> list[dict[str, Any]]:
        return [{"wave": w, "share": by_wave[w].get((area_id, ALL, ALL, measure), empty).share} for w in waves]

    def breakdown(measure: str) -> list[Cell]:
        return [now.get((area_id, g.id, ALL, measure), empty) for g in survey.grade_groups] + \
               [now.get((area_id, ALL, s.id, measure), empty) for s in survey.genders]

    domains = []
    for domain, title in DOMAIN_TITLES.items():
        factors = []
        for factor in (f for f in survey.factors if f.domain == domain):
            mine = now.get((area_id, ALL, ALL, factor.id), empty)
            suggestion = suggested.get(factor.id)
            factors.append({
                "id": factor.id, "title": factor.title.get(lang), "kind": factor.kind, "share": mine.share,
                "n": mine.n, "city": now.get((CITY, ALL, ALL, factor.id), empty).share,
                "previous": by_wave[before].get((area_id, ALL, ALL, factor.id), empty).share if before else None,
                "suggestion": suggestion, "trend": trend(factor.id), "breakdown": breakdown(factor.id),
                "placeholder_cut": factor.cut_point_source == "placeholder"})
        domains.append({"title": title.get(lang), "factors": factors})
    outcomes = [{"title": o.title.get(lang), "share": now.get((area_id, ALL, ALL, o.id), empty).share,
                 "city": now.get((CITY, ALL, ALL, o.id), empty).share, "trend": trend(o.id)} for o in survey.outcomes]
    decision = session.execute(select(PriorityDecision).where(
        col(PriorityDecision.area_id) == area_id, col(PriorityDecision.wave_id) == wave_id)
        .order_by(col(PriorityDecision.id).desc())).scalars().first()
    titles = {f.id: f.title.get(lang) for f in survey.factors}
    heads = counted(rows[rows["wave_id"] == wave_id])  # the only counts of pupils a page may print
    respondents, compared = heads.get(area_id, 0), heads.get(CITY, 0)
    return {
        "area": area.name, "area_id": area_id, "delomraden": area.delomraden, "wave": wave, "previous": before,
        "waves": waves, "respondents": respondents, "compared": compared, "domains": domains, "outcomes": outcomes,
        "comparison": comparison_words(wave.comparison, lang), "comparison_kind": wave.comparison,
        "excluded": {reason: count if count >= survey.min_cell or count == 0 else None for reason, count in (
            ("fictitious", wave.excluded_fictitious), ("implausible", wave.excluded_implausible),
            ("inconsistent", wave.excluded_inconsistent))},
        "suggestions": [{"rank": s.rank, "title": titles.get(s.factor_id, s.factor_id), "share": s.share,
                         "city": s.city_share, "previous": s.previous_share, "above_city": s.above_city,
                         "risen": s.risen} for s in sorted(suggested.values(), key=lambda s: s.rank)],
        "decision": {"factors": [titles.get(f, f) for f in decision.factors.split(",")], "on": decision.decided_on,
                     "by": decision.decided_by, "note": decision.note} if decision else None,
        "groups": [g.title.get(lang) for g in survey.grade_groups] + [g.title.get(lang) for g in survey.genders],
        "min_cell": survey.min_cell, "municipality": defs.org.municipality,
        "any_placeholder": any(f.cut_point_source == "placeholder" for f in survey.factors),
        "effects": effects,
    }


def render_profile(session: Session, defs: Definitions, survey: SurveyDef, area_id: str, wave_id: str,
                   lang: str, effects: dict[str, Any] | None = None, back: str | None = None) -> str:
    """The page; ``effects`` is its effects part (ctcflow.report.effect_view), None before a
    decision; ``back``: the page it was opened from, when it is served on the web."""
    context = profile_context(session, defs, survey, area_id, wave_id, lang, effects)
    return renderer(get_settings().templates_dir).page("omradesprofil", lang, back=back, **context)
