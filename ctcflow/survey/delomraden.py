"""Pupils to areas by the delområde their export names: case, accents and spacing ignored, the
area's own name accepted, and a near miss or a short form refused with the name it resembles
(counting 'Bellevue' as outside every area would lose those pupils silently)."""

from __future__ import annotations

import difflib
import re
from typing import Protocol

import pandas as pd

from ctcflow.core.folding import fold
from ctcflow.definition.organisation import AreaDef, ComparisonAreaDef, OrganisationDef

DELOMRADE = "delomrade"
MAX_LISTED = 200  # problems listed per column


class Report(Protocol):
    """Adds one problem: where, what is wrong and how to fix it (in the command line's words),
    and its kind with the values the pages' words are filled with."""

    def __call__(self, row: int | None, column: str | None, message: str, hint: str, key: str = "",
                 **values: str) -> None: ...


def match_areas(values: pd.Series, org: OrganisationDef, problem: Report) -> tuple[pd.Series, dict[str, int]]:
    areas: list[AreaDef | ComparisonAreaDef] = [*org.areas, *org.comparison_areas]  # tabulated alike
    known = {fold(d): a.id for a in areas for d in a.delomraden}
    names = {fold(d): d for a in areas for d in a.delomraden}
    known |= {fold(name): a.id for a in areas for name in (a.name, a.id)}  # the area's own name or id
    names |= {fold(name): a.name for a in areas for name in (a.name, a.id)}
    folded = values.map(fold)
    area = folded.map(known)
    outside: dict[str, int] = {}
    for name, count in values[area.isna()].value_counts().items():
        near = difflib.get_close_matches(fold(str(name)), list(known), n=1, cutoff=0.8) or \
            _shortened(fold(str(name)), list(names))
        if not str(name):
            for row in values.index[(values == "")][:MAX_LISTED]:
                problem(int(row), DELOMRADE, "empty", "every pupil needs the delområde of the school or home",
                        "empty_delomrade")
        elif near:
            for row in values.index[values == name][:MAX_LISTED]:
                problem(int(row), DELOMRADE, f"'{name}' is not a delområde of any area; did you mean "
                        f"'{names[near[0]]}'?", "correct the spelling, or add the delområde to areas.yml",
                        "near_delomrade", value=str(name), near=names[near[0]])
        else:
            outside[str(name)] = int(count)
    return area.fillna(""), outside


def _shortened(name: str, candidates: list[str]) -> list[str]:
    """A delområde or area written short: 'Bellevue' for 'Bellevuegården', 'Kirseberg' for
    'Kirsebergsstaden/Rostorp/…' — the start of the name or of one of its words."""
    if len(name) < 4:
        return []
    return [c for c in candidates if any(word.startswith(name) for word in [c, *re.split(r"[/\s-]+", c)])][:1]
