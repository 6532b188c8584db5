"""What an intruder can infer from a published table, cheaply: for every cell, bounds on its
value by propagating them through the table's additive relations (wider than the exact linear
programme of ctcflow.survey.audit, which decides what is exposed). Used to choose which
relation pins an exposed cell, so that the figure hidden next is the one that frees it."""

from __future__ import annotations

import numpy as np

# (column-wise?, the total's index, the parts' indices): ``[:, total] = Σ [:, parts]`` along
# axis 1 of the [row, column, measure] arrays — or, column-wise, along axis 0.
Relation = tuple[bool, int, list[int]]
UNKNOWN = 1e9  # the largest value an intruder must allow for a hidden cell before the relations narrow it
MAX_ROUNDS = 100


def views(arrays: tuple[np.ndarray, ...], columnwise: bool) -> tuple[np.ndarray, ...]:
    """The arrays with the relation's members on axis 1 (views: writing to them writes through)."""
    return tuple(np.swapaxes(a, 0, 1) for a in arrays) if columnwise else arrays


def bounds(n: np.ndarray, hidden: np.ndarray, relations: list[Relation]
           ) -> tuple[np.ndarray, np.ndarray]:
    """What an intruder can infer of every cell from the published ones: the smallest and
    largest value the relations allow, by propagating bounds through them until they hold."""
    low = np.where(hidden, 0.0, n.astype(float))
    high = np.where(hidden, UNKNOWN, n.astype(float))
    for _ in range(MAX_ROUNDS):
        moved = 0.0
        for columnwise, total, parts in relations:
            lo, hi = views((low, high), columnwise)
            part_lo, part_hi = lo[:, parts, :], hi[:, parts, :]
            sum_lo, sum_hi = part_lo.sum(axis=1), part_hi.sum(axis=1)
            new_lo = np.maximum(part_lo, lo[:, [total], :] - (sum_hi[:, None, :] - part_hi))
            new_hi = np.minimum(part_hi, hi[:, [total], :] - (sum_lo[:, None, :] - part_lo))
            total_lo, total_hi = np.maximum(lo[:, total, :], sum_lo), np.minimum(hi[:, total, :], sum_hi)
            moved = max(moved, float((new_lo - part_lo).max(initial=0)), float((part_hi - new_hi).max(initial=0)),
                        float((total_lo - lo[:, total, :]).max(initial=0)),
                        float((hi[:, total, :] - total_hi).max(initial=0)))
            lo[:, parts, :], hi[:, parts, :] = new_lo, new_hi
            lo[:, total, :], hi[:, total, :] = total_lo, total_hi
        if moved < 0.5:
            break
    return low, high


def pinning_relation(low: np.ndarray, high: np.ndarray, relations: list[Relation]) -> np.ndarray:
    """Per cell, the index of the relation that alone allows it the narrowest range."""
    widths = []
    for columnwise, total, parts in relations:
        width = np.full(low.shape, np.inf)
        lo, hi, w = views((low, high, width), columnwise)
        sum_lo, sum_hi = lo[:, parts, :].sum(axis=1), hi[:, parts, :].sum(axis=1)
        w[:, parts, :] = (hi[:, [total], :] - (sum_lo[:, None, :] - lo[:, parts, :])) - \
            (lo[:, [total], :] - (sum_hi[:, None, :] - hi[:, parts, :])).clip(min=0)
        w[:, total, :] = sum_hi - sum_lo
        widths.append(width)
    narrowest: np.ndarray = np.argmin(np.stack(widths), axis=0)
    return narrowest
