"""Which notices the policy in phases.yml calls for on one working day — plain arithmetic on
working-day distances, no database.

Every open milestone has at most one *owner stage* per day: the nearest reminder before the
due date, the due-day notice, or the current overdue repeat. A missed day (the server was down,
a holiday) is caught up by the stage that is current now, not by every stage missed.
Escalations are different: each step fires once its day has come, missed days or not, so an
escalation is never skipped. A step addressed to the milestone's own owner role is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

from ctcflow.definition.process import NotificationPolicy


@dataclass(frozen=True)
class Occasion:
    kind: str  # reminder | due | overdue | escalation
    stage: int  # reminder: working days before; overdue: repeat number; escalation: its "after"
    role: str  # whom to tell
    days_overdue: int  # negative: working days left


def occasions(policy: NotificationPolicy, days_overdue: int, owner: str, required: bool) -> list[Occasion]:
    """The notices due on a day that is ``days_overdue`` working days after the due date."""
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
            found += [Occasion("escalation", step.after, step.to, days_overdue)
                      for step in policy.escalation if step.after <= days_overdue and step.to != owner]
    return found


def horizon(policy: NotificationPolicy) -> int:
    """How many working days ahead of a due date the first reminder goes out."""
    return max(policy.reminders_before_due, default=0)
