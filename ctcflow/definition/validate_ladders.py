"""Cross-checks of the escalation ladders and the hierarchy they climb: every ladder ends at the
board, climbs in time and in rank, and every role that owns or receives something has a place in
the hierarchy — so an escalation can never go down or sideways."""

from __future__ import annotations

from collections.abc import Callable

from ctcflow.definition.findings import Findings
from ctcflow.definition.located import Located
from ctcflow.definition.policy import OPTIONAL_LADDERS
from ctcflow.definition.process import ProcessDef


def check_hierarchy(process: ProcessDef, out: Findings) -> None:
    """Each kind stands on one level only, and each role that owns work or is on a ladder has a
    kind the hierarchy places."""
    seen: dict[str, int] = {}
    for level, kinds in enumerate(process.hierarchy):
        for kind in kinds:
            if kind in seen:
                out.phases(process, kind, f"the hierarchy places '{kind}' on two levels ({seen[kind] + 1} and "
                           f"{level + 1})", "name each kind on one level only", "hierarchy")
            seen[kind] = level
    levels = process.levels
    policy = process.notification_policy
    needed = {*(s.to for _, ladder in policy.escalation.items() for s in ladder),
              *(m.owner for p in process.phases for m in p.milestones), *(r.owner for r in process.reports)}
    for role in process.roles:
        if role.id in needed and role.id not in levels:
            where = f"kind '{role.kind}' is not in the hierarchy" if role.kind else "it has no kind"
            out.phases(role, role.id, f"role '{role.id}' owns work or is on an escalation ladder, but {where}",
                       "give it a kind and make sure the hierarchy lists that kind, so ctcflow knows who is "
                       "above it", "kind")


def check_ladders(process: ProcessDef, out: Findings,
                  unknown_role: Callable[[Located, str, str, str], None]) -> None:
    """Every ladder climbs in order — later in time and higher in rank at each step — and ends
    at the board: nothing stays at one level forever, nothing goes down or sideways."""
    board = process.role_of("board")
    levels = process.levels
    ladders = process.notification_policy.escalation
    for kind, ladder in ladders.items():
        for step in ladder:
            unknown_role(step, step.to, step.to, "to")
        afters = [s.after for s in ladder]
        if afters != sorted(set(afters)):
            out.phases(ladders, kind, f"the {kind} ladder's steps must come in increasing 'after' order, got {afters}",
                       "order the ladder from the first step to the last", kind)
        for below, step in zip(ladder, ladder[1:], strict=False):
            if below.to in levels and step.to in levels and levels[step.to] <= levels[below.to]:
                out.phases(step, kind, f"the {kind} ladder goes from '{below.to}' to '{step.to}', which is not "
                           "above it in the hierarchy", "order each ladder from the lowest role to the board", "to")
        if not ladder and kind not in OPTIONAL_LADDERS:
            out.phases(ladders, kind, f"no escalation ladder for '{kind}'",
                       "give it steps from the first role told up to the board", kind)
        elif board is not None and ladder[-1].to != board:
            out.phases(ladder[-1], kind, f"the {kind} ladder ends at '{ladder[-1].to}', not at the board",
                       f"end it with a step to '{board}', so nothing stays at one level forever", "to")
