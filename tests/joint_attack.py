"""The attack on everything a wave publishes at once: every measure's table together, tied by the
pupils themselves — a pupil counted in one measure is a pupil of the same group, so each
measure's count of a group is at most the group's pupils, N — and any count of pupils a page
prints fixing N. Integer counts, solved as a mixed-integer programme (scipy's HiGHS): for each
unpublished cell that could be a small group, its least and largest value.

Independent of the product's audit (ctcflow.survey.audit), which solves one measure at a time
as a linear programme and claims that is the whole problem because no N is published: this
attack adds N and integers, so a count printed somewhere — or a measure's pattern tying
another's — would show here."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from tests.disclosure_attack import Recovered

ALL, COMPARISON, OUTSIDE, NOT_STATED = "*", "", "outside", "not stated"
PUPILS = "~pupils"  # the measure of N: how many pupils each group has


@dataclass
class Table:
    """The shape an intruder knows: areas, the comparison row (the areas plus those outside,
    or the areas alone when ``outside_empty``; without the areas ``apart``), grade groups,
    genders and those who gave none."""

    areas: list[str]
    grades: list[str]
    genders: list[str]
    outside_empty: bool
    apart: frozenset[str] = frozenset()  # areas the comparison row leaves out

    @property
    def rows(self) -> list[str]:
        return [*self.areas, OUTSIDE, COMPARISON]

    @property
    def columns(self) -> list[tuple[str, str]]:
        return [(ALL, ALL), *((g, ALL) for g in self.grades), *((ALL, s) for s in [*self.genders, NOT_STATED])]

    def relations(self) -> list[tuple[tuple[int, int], list[tuple[int, int]]]]:
        rows, columns = self.rows, self.columns
        grade_cols = [columns.index((g, ALL)) for g in self.grades]
        gender_cols = [columns.index((ALL, s)) for s in [*self.genders, NOT_STATED]]
        found = []
        for r in range(len(rows)):
            found.append(((r, 0), [(r, c) for c in grade_cols]))
            found.append(((r, 0), [(r, c) for c in gender_cols]))
        summed = [r for r in range(len(rows) - 1) if rows[r] not in self.apart]
        for c in range(len(columns)):
            found.append(((len(rows) - 1, c), [(r, c) for r in summed]))
        return found


def attack(table: Table, published: pd.DataFrame, truth: pd.DataFrame, min_cell: int,
           pupils: dict[tuple[str, str, str], float] | None = None) -> list[Recovered]:
    """``published``: area_id, grade_group, gender, measure, n — every cell any source shows.
    ``truth``: the same columns for every cell, with the groups' pupils as measure PUPILS (to
    know which could be small and to start from a true solution; the intruder knows neither).
    ``pupils``: counts of pupils a page prints as such, (area, grade, gender) → N."""
    rows, columns = table.rows, table.columns
    measures = sorted((set(published["measure"]) | set(truth["measure"])) - {PUPILS}) + [PUPILS]
    shape = (len(measures), len(rows), len(columns))  # the last measure is N
    known = np.full(shape, np.nan)
    position = {m: i for i, m in enumerate(measures)}

    def index(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        m = frame["measure"].map(position).to_numpy()
        r = frame["area_id"].map({a: i for i, a in enumerate(rows)}).to_numpy()
        c = pd.Series(list(zip(frame["grade_group"], frame["gender"], strict=True))).map(
            {col: i for i, col in enumerate(columns)}).to_numpy()
        return m, r, c

    known[index(published)] = published["n"].to_numpy(float)
    if table.outside_empty:
        known[:, rows.index(OUTSIDE), :] = 0
    for (area, grade, gender), value in (pupils or {}).items():
        known[-1, rows.index(area), columns.index((grade, gender))] = value
    true_n = np.zeros(shape)
    true_n[index(truth)] = truth["n"].to_numpy(float)
    variable = np.full(shape, -1)
    unknown = np.isnan(known)
    variable[unknown] = np.arange(int(unknown.sum()))
    size = int(unknown.sum())
    a_rows, a_cols, a_vals, lower, upper = [], [], [], [], []
    line = 0

    def add(cells: list[tuple[tuple[int, int, int], float]], low: float, high: float) -> None:
        nonlocal line
        constant = 0.0
        entries = []
        for cell, sign in cells:
            if variable[cell] >= 0:
                entries.append((int(variable[cell]), sign))
            else:
                constant += sign * known[cell]
        if not entries:
            return
        for i, sign in entries:
            a_rows.append(line)
            a_cols.append(i)
            a_vals.append(sign)
        lower.append(low - constant)
        upper.append(high - constant)
        line += 1

    for m in range(shape[0]):
        for total, parts in table.relations():
            add([((m, *total), 1.0), *(((m, *p), -1.0) for p in parts)], 0.0, 0.0)
    for m in range(shape[0] - 1):  # a measure counts at most a group's pupils
        for r in range(len(rows)):
            for c in range(len(columns)):
                add([((m, r, c), 1.0), ((shape[0] - 1, r, c), -1.0)], -np.inf, 0.0)
    matrix = coo_array((a_vals, (a_rows, a_cols)), shape=(line, size)).tocsr()
    constraint = LinearConstraint(matrix, lower, upper)
    ceiling = 10 * (np.nanmax(known) + np.nanmax(true_n) + 1)
    bounds = Bounds(np.zeros(size), np.full(size, ceiling))
    integral = np.ones(size)
    truth_values = true_n[unknown]
    least, most = truth_values.copy(), truth_values.copy()

    def solve(costs: np.ndarray) -> float:
        result = milp(costs, constraints=constraint, bounds=bounds, integrality=integral)
        assert result.status == 0, result.message
        least[:] = np.minimum(least, result.x)
        most[:] = np.maximum(most, result.x)
        return float(result.fun)

    at_risk = unknown & (true_n <= 2 * min_cell - 2)
    at_risk[-1] &= False  # N itself is no published figure: its cells are what the others tie to
    targets = variable[at_risk]

    def unresolved() -> np.ndarray:
        left: np.ndarray = targets[most[targets] - least[targets] < min_cell - 1e-6]
        return left

    # solutions where the unresolved cells are all as large, then all as small, as they can be
    # together show most cells wide; repeated while that resolves more (each one is sound: a
    # range seen between two solutions is a range the cell has)
    left = unresolved()
    while len(left):
        for sign in (-1.0, 1.0):
            costs = np.zeros(size)
            costs[left] = sign
            solve(costs)
        still = unresolved()
        if len(still) > 0.8 * len(left):
            break
        left = still
    found: list[Recovered] = []
    for m, r, c in zip(*np.nonzero(at_risk), strict=True):
        i = int(variable[m, r, c])
        if most[i] - least[i] >= min_cell - 1e-6:
            continue
        costs = np.zeros(size)
        costs[i] = -1.0
        high = np.floor(-solve(costs) + 1e-6)
        if high <= 0 or most[i] - least[i] >= min_cell - 1e-6:
            continue  # nobody, for certain; or two solutions apart
        low = 0.0
        if high >= min_cell:
            costs[i] = 1.0
            low = np.ceil(solve(costs) - 1e-6)
        if low < min_cell and high - low < min_cell:
            grade, gender = columns[c]
            found.append(Recovered(rows[r], grade, gender, measures[m], low, high))
    return found
