"""The publication rule's audit: the attacker's own problem, solved. For every hidden cell that
could be a small group, the smallest and largest value it can take given everything published
beside it — a linear programme per measure over the table's additive relations (a total is the
sum of its grade groups, and of its genders plus those who gave none; the comparison row is the
sum of the areas plus the pupils outside them), with counts rounded inwards to whole pupils.

Why per measure is the whole problem: the measures share one population, and a pupil counted in
one measure is a pupil of the same group in another, but that ties measures together only
through a count of pupils per group — and no such count is ever published (every count the
pages print is one of the cells audited here). Without it, any set of per-measure solutions
extends to all measures together (give every group as many pupils as the measures' counts sum
to), so no range is narrower across measures than within one.

Solved with HiGHS, one model per measure, re-solved from the previous basis for each cell:
only cells of at most ``2 × min_cell − 2`` pupils are attacked, as a larger group's range is at
least ``min_cell`` wide whatever the attacker knows (it reaches from its own size down to below
the threshold, or it does not reach below the threshold at all)."""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from ctcflow.survey.intruder import Relation

EPSILON = 1e-6
CEILING = 10  # × the largest count of the measure: as large as any hidden cell can be


@dataclass(frozen=True)
class Exposed:
    """Hidden cells an attacker can pin to a range narrower than ``min_cell`` that may hold a
    small group: as a boolean array over the table, and each one's range."""

    cells: np.ndarray
    low: np.ndarray
    high: np.ndarray


def exposed(n: np.ndarray, hidden: np.ndarray, relations: list[Relation], min_cell: int) -> Exposed:
    """The cells of ``n`` [row, column, measure] the published ones give away (see the module)."""
    at_risk = hidden & (n <= 2 * min_cell - 2)
    found = np.zeros(n.shape, bool)
    low = np.zeros(n.shape)
    high = np.full(n.shape, np.inf)
    for m in np.nonzero(at_risk.any(axis=(0, 1)))[0]:
        model = _Model(n[:, :, m], hidden[:, :, m], relations)
        cells = list(zip(*np.nonzero(at_risk[:, :, m]), strict=True))
        model.seen(np.array([model.variable[cell] for cell in cells]))
        for r, c in cells:
            if model.wide(r, c, min_cell):
                continue  # two solutions already seen set it ``min_cell`` apart
            top = model.extreme(r, c, maximise=True)
            high[r, c, m] = top
            if model.wide(r, c, min_cell):
                continue
            if EPSILON < top < min_cell - EPSILON:
                found[r, c, m] = True  # 1 to min_cell − 1 pupils, whatever the least is
                continue
            bottom = model.extreme(r, c, maximise=False)
            low[r, c, m] = bottom
            found[r, c, m] = top > EPSILON and bottom < min_cell and top - bottom < min_cell
    return Exposed(found, low, high)


class _Model:
    """One measure's hidden cells as HiGHS variables (≥ 0) under the relations."""

    def __init__(self, n: np.ndarray, hidden: np.ndarray, relations: list[Relation]) -> None:
        self.variable = np.full(n.shape, -1)
        self.truth = n.astype(float)
        self.variable[hidden] = np.arange(int(hidden.sum()))
        rows_of: list[list[tuple[int, float]]] = []
        constants: list[float] = []
        for columnwise, total, parts in relations:
            for line in range(n.shape[1] if columnwise else n.shape[0]):
                members = [(total, 1.0), *((p, -1.0) for p in parts)]
                cells = [((p, line) if columnwise else (line, p), sign) for p, sign in members]
                entries = [(int(self.variable[cell]), sign) for cell, sign in cells if self.variable[cell] >= 0]
                if entries:
                    rows_of.append(entries)
                    constants.append(-sum(sign * float(n[cell]) for cell, sign in cells if self.variable[cell] < 0))
        self.size = int(hidden.sum())
        self.highs = highspy.Highs()  # type: ignore[no-untyped-call]
        self.highs.setOptionValue("output_flag", False)
        ceiling = CEILING * (float(n.max()) + 1)  # no group is larger: the attacker knows the city's size
        self.highs.addVars(self.size, np.zeros(self.size), np.full(self.size, ceiling))
        for entries, constant in zip(rows_of, constants, strict=True):
            index = np.array([i for i, _ in entries], dtype=np.int32)
            value = np.array([v for _, v in entries])
            self.highs.addRow(constant, constant, len(index), index, value)
        self.everyone = np.arange(self.size, dtype=np.int32)

    def seen(self, targets: np.ndarray) -> None:
        """Starts the solutions seen with the truth, and with the targets all as large, then
        all as small, as they can be together: most cells are shown wide by these alone."""
        self.least = np.where(self.variable >= 0, self.truth, np.inf)
        self.most = np.where(self.variable >= 0, self.truth, -np.inf)
        for sign in (-1.0, 1.0):
            costs = np.zeros(self.size)
            costs[targets] = sign
            self._solve(costs)

    def wide(self, row: int, column: int, min_cell: int) -> bool:
        return bool(self.most[row, column] - self.least[row, column] >= min_cell - EPSILON)

    def extreme(self, row: int, column: int, maximise: bool) -> float:
        """The cell's largest (or smallest) value, to whole pupils."""
        costs = np.zeros(self.size)
        costs[int(self.variable[row, column])] = -1.0 if maximise else 1.0
        self._solve(costs)
        value = self.highs.getInfo().objective_function_value
        value = -value if maximise else value
        return float(np.floor(value + EPSILON) if maximise else np.ceil(value - EPSILON))

    def _solve(self, costs: np.ndarray) -> None:
        """Solves with these costs; every solution found widens the range seen of each cell."""
        self.highs.changeColsCost(self.size, self.everyone, costs)
        self.highs.run()
        status = self.highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            # the truth is a solution, so only a fault of the model itself comes here
            raise RuntimeError(f"the audit's model is {self.highs.modelStatusToString(status)}")
        values = np.asarray(self.highs.getSolution().col_value)
        hidden = self.variable >= 0
        solution = np.zeros(self.variable.shape)
        solution[hidden] = values[self.variable[hidden]]
        self.least = np.where(hidden, np.minimum(self.least, solution), self.least)
        self.most = np.where(hidden, np.maximum(self.most, solution), self.most)
