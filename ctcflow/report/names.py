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
        **defs.names(lang),
        "factor": {**{f.id: f.title.get(lang) for f in survey.factors},
                   **{o.id: o.title.get(lang) for o in survey.outcomes}},
        "programme": {p.id: p.name for p in catalogue.programmes},
    }
