"""Display names for ids — phases, milestones, roles, factors, programmes, administrations,
people — in one language, for the report and the pages."""

from __future__ import annotations

from ctcflow.definition.loader import Definitions
from ctcflow.definition.programmes import CatalogueDef
from ctcflow.definition.survey import SurveyDef


def titles(defs: Definitions, survey: SurveyDef, catalogue: CatalogueDef, lang: str) -> dict[str, dict[str, str]]:
    """Display names the templates look up: phases, milestones, roles, factors, programmes,
    administrations."""
    return {
        "phase": {p.id: p.title.get(lang) for p in defs.process.phases},
        "milestone": {m.id: m.title.get(lang) for p in defs.process.phases for m in p.milestones},
        "role": {r.id: r.title.get(lang) for r in defs.process.roles},
        "factor": {**{f.id: f.title.get(lang) for f in survey.factors},
                   **{o.id: o.title.get(lang) for o in survey.outcomes}},
        "programme": {p.id: p.name for p in catalogue.programmes},
        "administration": {a.id: a.name for a in defs.org.administrations},
        "person": {p.id: p.name for p in defs.org.everyone()},
    }
