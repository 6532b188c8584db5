"""Statistical disclosure control of the survey's published cells: no group smaller than the
threshold can be read off, or derived from the other published cells by arithmetic.

The published table, per measure, is a hierarchy with these additive relations:

* in every row (an area, the pupils outside every CTC area, the city): the total is the sum of
  the grade groups, and the sum of the genders plus the pupils who gave no gender;
* in every column: the city is the sum of the areas plus the pupils outside them (an area
  ``apart`` — too small to be in the comparison, see ctcflow.survey.publication — not among them).

Two groups are never published, so they are hidden from the start: the pupils outside the CTC
areas (``OUTSIDE``: the city minus the areas) and the pupils who gave no gender (``NOT_STATED``);
an OUTSIDE row that is empty is known to be (nobody outside is no secret).

Primary suppression hides every cell with 1 to ``min_cell − 1`` answers. Secondary suppression
then makes every relation safe, the way the hypercube/singleton heuristics of statistical
offices do: a relation holding a hidden cell that needs protection must hide at least two cells
of ``min_cell`` or more answers together, else one more cell is hidden — the published part
with the fewest answers, an area's or the city's headline figure (all grades, all genders) last,
and the city's before an area's. Repeated until every relation is safe; then the audit
(ctcflow.survey.audit) solves the attacker's linear programme over the pattern and, where a
cell that could be small is still pinned, one more member of the relation that pins it is
hidden, until none is. An empty cell (0 answers) is no group and needs no protection.

So a small "annat" group is protected first by the pupils who gave no gender (hidden anyway),
and the girls' or boys' figure is hidden only where those two groups together are still small.
The tests attack the result apart from the audit: every measure together, integer counts,
everything one wave publishes (tests/joint_attack.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ctcflow.survey.audit import exposed
from ctcflow.survey.intruder import MAX_ROUNDS, Relation, bounds, pinning_relation, views

ALL = "*"  # a margin: all grade groups or all genders
CITY = ""  # the area id of the city-wide rows
OUTSIDE = "~outside"  # the pupils outside every CTC area: a row never published
NOT_STATED = "~not-stated"  # the pupils who gave no gender: a column never published
HEADLINE_COST = 1e12  # an area's headline figure is hidden only when nothing else will do
CITY_HEADLINE_COST = 1e11  # the city's headline figure before an area's
WEAK_ROW = 3  # a hidden row of fewer than 3 × min_cell pupils cannot shield another row's cell


@dataclass
class Grid:
    """The table as arrays [row, column, measure]: rows are the areas, then OUTSIDE, then the
    city; columns the total, the grade groups and the genders (NOT_STATED among them)."""

    rows: list[str]
    columns: list[tuple[str, str]]
    measures: list[str]
    n: np.ndarray
    count: np.ndarray
    apart: frozenset[str] = frozenset()  # areas outside the comparison: not in the column relation
    suppressed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    @property
    def never_published(self) -> np.ndarray:
        """The pupils outside the areas and those who gave no gender: groups never published."""
        outside = np.array([row == OUTSIDE for row in self.rows])
        not_stated = np.array([kon == NOT_STATED for _, kon in self.columns])
        return np.broadcast_to((outside[:, None] | not_stated[None, :])[:, :, None], self.n.shape)

    @property
    def pseudo(self) -> np.ndarray:
        """The groups never published that an attacker does not know. Nobody outside the areas
        is no secret: a municipality whose schools all lie in the areas knows it (and when the
        few outside are left out of what is published, they are nobody to the table), so an
        empty OUTSIDE row counts as known."""
        outside = np.array([row == OUTSIDE for row in self.rows])
        nobody_outside = not self.n[outside].any()
        return self.never_published & ~(outside[:, None, None] & nobody_outside)

    def relations(self) -> list[Relation]:
        """(column-wise?, the total's index, the parts' indices) of each kind of relation."""
        grades = [i for i, (grade, _) in enumerate(self.columns) if grade != ALL]
        genders = [i for i, (_, kon) in enumerate(self.columns) if kon != ALL]
        summed = [i for i, row in enumerate(self.rows[:-1]) if row not in self.apart]
        kinds = [(False, 0, grades), (False, 0, genders), (True, len(self.rows) - 1, summed)]
        return [kind for kind in kinds if kind[2]]


def as_grid(table: pd.DataFrame, apart: frozenset[str] = frozenset()) -> Grid:
    rows = [a for a in pd.unique(table["area_id"]) if a not in (OUTSIDE, CITY)] + [OUTSIDE, CITY]
    columns = [(ALL, ALL), *(key for key in dict.fromkeys(zip(table["grade_group"], table["kon"], strict=True))
                             if key != (ALL, ALL))]
    measures = [str(m) for m in pd.unique(table["measure"])]
    r = pd.Categorical(table["area_id"], categories=rows).codes
    c = pd.Index(columns).get_indexer(list(zip(table["grade_group"], table["kon"], strict=True)))
    m = pd.Categorical(table["measure"], categories=measures).codes
    n = np.zeros((len(rows), len(columns), len(measures)), dtype=np.int64)
    count = np.zeros_like(n)
    n[r, c, m] = table["n"].to_numpy()
    count[r, c, m] = table["count"].to_numpy()
    grid = Grid(rows, columns, measures, n, count, apart)
    if "suppressed" in table.columns:  # a protected table: the pattern as published
        grid.suppressed = np.ones_like(n, dtype=bool)
        grid.suppressed[r, c, m] = table["suppressed"].to_numpy(bool)
    return grid


def protect(table: pd.DataFrame, min_cell: int, apart: frozenset[str] = frozenset()) -> pd.DataFrame:
    """Every cell of the hierarchy (an empty group as 0 answers), with ``suppressed`` set on
    each one not to be published (see the module). ``apart``: areas whose pupils the city's row
    leaves out (ctcflow.survey.publication), so it is not their sum with the others."""
    grid = as_grid(table, apart)
    n, pseudo = grid.n, grid.pseudo
    hidden = pseudo | ((n > 0) & (n < min_cell))
    cost = n.astype(float)
    cost[:, 0, :] += HEADLINE_COST
    cost[-1, 0, :] = CITY_HEADLINE_COST + n[-1, 0, :]
    relations = grid.relations()
    for _ in range(MAX_ROUNDS):
        _secondary(hidden, n, cost, pseudo, relations, min_cell)
        if not _strengthen(hidden, n, cost, relations, min_cell):
            break
    r, c, m = np.indices(n.shape).reshape(3, -1)
    return pd.DataFrame({
        "area_id": np.asarray(grid.rows, dtype=object)[r],
        "grade_group": np.asarray([g for g, _ in grid.columns], dtype=object)[c],
        "kon": np.asarray([k for _, k in grid.columns], dtype=object)[c],
        "measure": np.asarray(grid.measures, dtype=object)[m],
        "n": n.reshape(-1), "count": grid.count.reshape(-1), "suppressed": (hidden | grid.never_published).reshape(-1)})


def _secondary(hidden: np.ndarray, n: np.ndarray, cost: np.ndarray, pseudo: np.ndarray,
               relations: list[Relation], min_cell: int) -> None:
    small_row = hidden[:, :1, :] & (n[:, :1, :] < WEAK_ROW * min_cell)
    weak = np.broadcast_to(small_row, n.shape).copy()
    weak[:, 0, :] = False  # the small rows' totals protect each other in the city's total
    for _ in range(MAX_ROUNDS):
        changed = False
        for columnwise, total, parts in relations:
            h, nn, cc, ps, wk = views((hidden, n, cost, pseudo, weak), columnwise)
            changed |= _secure(h, nn, cc, ps, wk, total, parts, min_cell)
        if not changed:
            return


def _secure(hidden: np.ndarray, n: np.ndarray, cost: np.ndarray, pseudo: np.ndarray, weak: np.ndarray,
            total: int, parts: list[int], min_cell: int) -> bool:
    """One pass over the relations ``[:, total] = Σ [:, parts]`` (axis 1 holds the relation's
    cells; axes 0 and 2 index the relations): hides one more cell in every unsafe relation.
    ``weak`` cells protect nobody: they lie in a small hidden row, so they cannot move further
    than that row's few pupils."""
    part_n, part_hidden = n[:, parts, :], hidden[:, parts, :] & (n[:, parts, :] > 0)
    protecting = part_hidden & ~weak[:, parts, :]
    count, together = protecting.sum(axis=1), (part_n * protecting).sum(axis=1)
    needs_protection = (part_hidden & (~pseudo[:, parts, :] | (part_n < min_cell))).any(axis=1)
    total_hidden = hidden[:, total, :] & (n[:, total, :] > 0)
    unsafe = (needs_protection & ~total_hidden & ((count < 2) | (together < min_cell))) | \
             (total_hidden & (count == 0))
    return bool(unsafe.any()) and _hide_cheapest(hidden, n, cost, total, parts, unsafe)


def _hide_cheapest(hidden: np.ndarray, n: np.ndarray, cost: np.ndarray, total: int, parts: list[int],
                   where: np.ndarray) -> bool:
    """In each relation marked in ``where`` [axis 0, axis 2], hides its cheapest published member."""
    members = [total, *parts]
    candidate_cost = np.where(hidden[:, members, :] | (n[:, members, :] == 0), np.inf, cost[:, members, :])
    best = candidate_cost.argmin(axis=1)
    found = np.take_along_axis(candidate_cost, best[:, None, :], axis=1)[:, 0, :] < np.inf
    x, m = np.nonzero(where & found)
    if len(x) == 0:
        return False
    hidden[x, np.asarray(members)[best[x, m]], m] = True
    return True


def _strengthen(hidden: np.ndarray, n: np.ndarray, cost: np.ndarray, relations: list[Relation],
                min_cell: int) -> bool:
    """Audits the pattern as an intruder would (``audit.exposed``: the linear programme of
    everything published); where a hidden cell that may be a small group is pinned to a range
    narrower than ``min_cell``, hides one more member of the relation that pins it."""
    found = exposed(n, hidden, relations, min_cell)
    narrow = found.cells
    if not narrow.any():
        return False
    low, high = bounds(n, hidden, relations)
    low, high = np.where(narrow, found.low, low), np.where(narrow, found.high, high)
    pinning = pinning_relation(low, high, relations)
    changed = False
    for k, (columnwise, total, parts) in enumerate(relations):
        cells = narrow & (pinning == k)
        if cells.any():
            h, nn, cc, pinned = views((hidden, n, cost, cells), columnwise)
            changed |= _hide_cheapest(h, nn, cc, total, parts, np.asarray(pinned.any(axis=1)))
    return changed
