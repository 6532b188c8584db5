"""The attack the publication rule must withstand: an intruder who knows the table's structure
(areas, city, grade groups, genders; the city is the areas plus the pupils outside them; a
total is its grade groups, and its genders plus those who gave none) solves, per measure, the
linear programme of the published cells for the smallest and largest value each unpublished
cell can take. A cell is *recovered* when it may be a small group (it can be non-empty and
below the threshold) and its range is narrower than the threshold."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog

ALL, CITY, OUTSIDE, NOT_STATED = "*", "", "outside", "not stated"


@dataclass(frozen=True)
class Recovered:
    area_id: str
    grade_group: str
    gender: str
    measure: str
    low: float
    high: float


def attack(published: pd.DataFrame, areas: list[str], grades: list[str], genders: list[str],
           min_cell: int) -> tuple[list[Recovered], int]:
    """``published``: area_id, grade_group, gender, measure, n. Returns the recovered cells and
    how many unpublished cells were attacked."""
    rows = [*areas, OUTSIDE, CITY]
    columns = [(ALL, ALL), *((g, ALL) for g in grades), *((ALL, s) for s in [*genders, NOT_STATED])]
    grade_cols = [columns.index((g, ALL)) for g in grades]
    gender_cols = [columns.index((ALL, s)) for s in [*genders, NOT_STATED]]
    relations: list[tuple[tuple[int, int], list[tuple[int, int]]]] = []
    for r in range(len(rows)):
        relations.append(((r, 0), [(r, c) for c in grade_cols]))
        relations.append(((r, 0), [(r, c) for c in gender_cols]))
    for c in range(len(columns)):
        relations.append(((len(rows) - 1, c), [(r, c) for r in range(len(rows) - 1)]))
    recovered: list[Recovered] = []
    attacked = 0
    for measure, cells in published.groupby("measure"):
        known = {(rows.index(a), columns.index((g, s))): float(n)
                 for a, g, s, n in zip(cells["area_id"], cells["grade_group"], cells["gender"], cells["n"],
                                       strict=True)}
        unknown = [(r, c) for r in range(len(rows)) for c in range(len(columns)) if (r, c) not in known]
        position = {cell: i for i, cell in enumerate(unknown)}
        a_eq, b_eq = [], []
        for total, parts in relations:
            row = np.zeros(len(unknown))
            constant = 0.0
            for cell, sign in [(total, 1.0), *((p, -1.0) for p in parts)]:
                if cell in position:
                    row[position[cell]] += sign
                else:
                    constant -= sign * known[cell]
            if row.any():
                a_eq.append(row)
                b_eq.append(constant)
        attacked += len(unknown)
        for i, (r, c) in enumerate(unknown):
            low, high = (_solve(i, len(unknown), a_eq, b_eq, sign) for sign in (1.0, -1.0))
            high = -high
            if high > 0 and low < min_cell and high - low < min_cell:
                grade, gender = columns[c]
                recovered.append(Recovered(rows[r], grade, gender, str(measure), low, high))
    return recovered, attacked


def _solve(i: int, size: int, a_eq: list[np.ndarray], b_eq: list[float], sign: float) -> float:
    objective = np.zeros(size)
    objective[i] = sign
    result = linprog(objective, A_eq=np.array(a_eq) if a_eq else None, b_eq=b_eq or None, bounds=(0, None),
                     method="highs")
    if result.status == 3:  # unbounded above
        return -np.inf
    assert result.status == 0, result.message
    return float(result.fun)
