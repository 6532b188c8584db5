"""Which notices the policy in phases.yml calls for on one working day — plain arithmetic on
working-day distances, no database.

Every open milestone has at most one *owner stage* per day: the nearest reminder before the
due date, the due-day notice, or the current overdue repeat. A missed day (the server was down,
a holiday) is caught up by the stage that is current now, not by every stage missed.
Escalations are different: each rung of the ladder fires once its day has come, missed days or
not, so an escalation is never skipped — and the ladder (``climb``) never skips a person above
the owner, and never tells anyone below or beside them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ctcflow.definition.policy import EscalationStep, NotificationPolicy


@dataclass(frozen=True)
class Occasion:
    kind: str  # reminder | due | overdue | escalation
    stage: int  # reminder: working days before; overdue: repeat number; escalation: its "after"
    role: str  # whom to tell
    days_overdue: int  # negative: working days left
    level: int = 0  # escalation: the rung (1 = the first step above the owner)
    top: bool = False  # escalation: the last rung, the board
    above: tuple[str, ...] = ()  # escalation: the roles of the rungs above, for a rung nobody holds
    repeat: int = 0  # escalation at the top: the how-manieth reminder while the thing stays open

    @property
    def stage_key(self) -> str:
        """The stage as the idempotency key names it: each repeat at the top is a notice of its own."""
        return f"{self.kind}-{self.stage}" + (f"-again-{self.repeat}" if self.repeat else "")


@dataclass(frozen=True)
class Rung:
    after: int
    role: str
    level: int
    top: bool
    above: tuple[str, ...] = ()


def climb(ladder: list[EscalationStep], owner: str | None, levels: Mapping[str, int]) -> list[Rung]:
    """The ladder as it applies to a thing ``owner`` owns: only the steps to roles above the
    owner's level in the hierarchy (``levels``: role → level). When steps at or below the owner
    are left out, the first step above is told when the ladder's first step would have been —
    telling the owner that they are late is the reminder's job, not an escalation, and the
    climb starts as early for every owner. A thing nobody owns climbs the whole ladder."""
    steps = ladder
    if owner is not None and owner in levels:
        steps = [step for step in ladder if levels.get(step.to, -1) > levels[owner]]
    roles = [step.to for step in steps]
    afters = [step.after for step in steps]
    if steps and len(steps) < len(ladder):
        afters[0] = ladder[0].after
    return [Rung(after, role, level, level == len(roles), tuple(roles[level:]))
            for level, (after, role) in enumerate(zip(afters, roles, strict=True), start=1)]


def reached(ladder: list[EscalationStep], owner: str | None, days: int, levels: Mapping[str, int]) -> list[Rung]:
    """The rungs whose day has come ``days`` working days after the thing fell due."""
    return [rung for rung in climb(ladder, owner, levels) if rung.after <= days]


def repeat_at_top(rung: Rung, days: int, every: int) -> int:
    """The top of a ladder is reminded every ``every`` working days while the thing stays open:
    0 on the day it is first told, then 1, 2, … — the current one only, like an overdue repeat."""
    return max(0, days - rung.after) // every if rung.top and every > 0 else 0


def occasions(policy: NotificationPolicy, days_overdue: int, owner: str, required: bool,
              levels: Mapping[str, int], ladder: list[EscalationStep] | None = None) -> list[Occasion]:
    """The notices due on a day that is ``days_overdue`` working days after the due date;
    ``ladder`` is the milestone ladder unless given (a report's)."""
    found: list[Occasion] = []
    if days_overdue < 0:
        ahead = sorted(n for n in policy.reminders_before_due if n >= -days_overdue)
        if ahead:
            found.append(Occasion("reminder", ahead[0], owner, days_overdue))
    elif days_overdue == 0:
        if policy.on_due_date:
            found.append(Occasion("due", 0, owner, 0))
    else:
        repeat = (days_overdue - 1) // policy.overdue_repeat_every
        found.append(Occasion("overdue", repeat, owner, days_overdue))
        if required:
            steps = policy.escalation.milestone if ladder is None else ladder
            for rung in reached(steps, owner, days_overdue, levels):
                if rung.after < 1:
                    continue
                again = repeat_at_top(rung, days_overdue, policy.remind_top_every)
                found += [Occasion("escalation", rung.after, rung.role, days_overdue, rung.level, rung.top, rung.above,
                                   repeat) for repeat in sorted({0, again})]
    return found


def horizon(policy: NotificationPolicy) -> int:
    """How many working days ahead of a due date the first reminder goes out."""
    return max(policy.reminders_before_due, default=0)
