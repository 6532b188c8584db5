"""The one gate a wave's figures pass before anything is stored: what is published, against
what it is compared, and the only counts of pupils anyone may print.

Everything published afterwards — stored results, suggestions, profile headers and tables,
the KS report, the effects export, the web — is read from what this returns, and nothing else
of the wave is kept: no count of pupils per area, of the city or of those outside the areas.
Every count a page prints is the largest published count among a group's measures, which any
reader can take from the table anyway; so the per-measure audit (``audit``) is the whole
attacker's problem, and a count of pupils per group can never tie the measures together.

The comparison keeps its figures: when a few pupils live outside the CTC areas (and the
comparison areas), or in an area with very few answers, the city's figure minus the other
areas' would give them away in every measure, and hiding the city's figure in every measure
would erase the comparison each area needs. So those few pupils are left out of the comparison
(a tiny area keeps its own row, all but empty), and every area is compared with *the areas
together* — said so beside each comparison."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ctcflow.definition.survey import SurveyDef
from ctcflow.survey.analysis import cell_table, measure_flags
from ctcflow.survey.audit import Exposed, exposed
from ctcflow.survey.comparison import AREAS_TOGETHER, CITY_WIDE
from ctcflow.survey.disclosure import ALL, CITY, NOT_STATED, OUTSIDE, WEAK_ROW, as_grid, protect
from ctcflow.survey.reading import AREA


@dataclass(frozen=True)
class Hidden:
    """How much of a wave's publishable table was hidden, for the import to say."""

    cells: int  # cells with answers that a reader could see: every area and the city
    primary: int  # hidden because the group is small (fewer than min_cell)
    secondary: int  # hidden so that a small group cannot be derived
    min_cell: int

    @property
    def share(self) -> float:
        return (self.primary + self.secondary) / self.cells if self.cells else 0.0


@dataclass(frozen=True)
class Publication:
    table: pd.DataFrame  # every cell, ``suppressed`` on those not to be published
    comparison: str  # CITY_WIDE or AREAS_TOGETHER
    hidden: Hidden
    apart: frozenset[str]  # areas too small to be in the comparison (nor to be compared with it)

    @property
    def published(self) -> pd.DataFrame:
        return self.table[~self.table["suppressed"]]

    def counted(self) -> dict[str, int]:
        """Area ('' the comparison) → the pupils its published figures count (see the module)."""
        return counted(self.published)


def publish(valid: pd.DataFrame, survey: SurveyDef) -> Publication:
    """The valid answers of a wave (one row per pupil, ``area_id`` '' outside every area) as
    what may be published of them."""
    pupils = valid[AREA].value_counts()
    left_out = frozenset(str(area) for area, count in pupils.items() if count < WEAK_ROW * survey.min_cell)
    comparison = AREAS_TOGETHER if left_out else CITY_WIDE
    tabulated = valid[valid[AREA] != CITY] if CITY in left_out else valid
    flags = measure_flags(tabulated, survey)
    table = cell_table(tabulated, flags)
    apart = left_out - {CITY}
    if apart:  # the comparison's own row, of the pupils it counts
        counted_in = tabulated[~tabulated[AREA].isin(apart)]
        row = cell_table(counted_in, flags.loc[counted_in.index])
        table = pd.concat([table[table[AREA] != CITY], row[row[AREA] == CITY]], ignore_index=True)
    table = protect(table, survey.min_cell, apart)
    return Publication(table, comparison, hidden_cells(table, survey.min_cell), apart)


def counted(published: pd.DataFrame) -> dict[str, int]:
    """Per row of published cells, its largest headline count (all grades, all genders)."""
    gender = "kon" if "kon" in published.columns else "gender"
    heads = published[(published["grade_group"] == ALL) & (published[gender] == ALL)
                      & (published["area_id"] != OUTSIDE)]
    return {str(area): int(n) for area, n in heads.groupby("area_id")["n"].max().items()}


def audit(table: pd.DataFrame, min_cell: int, apart: frozenset[str] = frozenset()) -> Exposed:
    """The audit over a table ``protect`` returned: what its published cells give away (nothing,
    unless the table was changed afterwards) — for the benchmark and anyone checking a wave."""
    grid = as_grid(table, apart)
    hidden = grid.suppressed & (grid.pseudo | ~grid.never_published)  # a known-empty row is no secret
    return exposed(grid.n, hidden, grid.relations(), min_cell)


def hidden_cells(table: pd.DataFrame, min_cell: int) -> Hidden:
    """The hidden share among the cells a reader could see (the never-published groups aside)."""
    visible = table[published_group(table) & (table["n"] > 0)]
    suppressed = visible["suppressed"].to_numpy()
    small = suppressed & (visible["n"].to_numpy() < min_cell)
    return Hidden(len(visible), int(small.sum()), int((suppressed & ~small).sum()), min_cell)


def published_group(table: pd.DataFrame) -> pd.Series:
    """Rows of a group that is published at all: an area or the city, a stated gender or none."""
    return (table["area_id"] != OUTSIDE) & (table["kon"] != NOT_STATED)
