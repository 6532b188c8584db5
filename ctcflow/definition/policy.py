"""The notification policy of phases.yml as typed data: reminders, the escalation ladders, when
an area counts as stalled, the brief, the roll-up, the top's reminders and acknowledgements."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field

from ctcflow.definition.located import Located

# What a role means to ctcflow, whatever the municipality calls it (phases.yml names the role
# of each kind once). Code asks for a kind, never for a role id.
RoleKind = Literal["coordinator", "area_lead", "area_team", "steering", "analyst", "chief", "director", "board"]


class EscalationStep(Located):
    after: int = Field(ge=0, description="working days since the thing fell due (or the stall began)")
    to: str


# The kinds of thing that climb a ladder of their own: an overdue milestone, a report to the
# board not sent, an area that never started, an area gone quiet, a role nobody holds — and this
# software's own morning not run (working days without one).
LadderKind = Literal["milestone", "report", "not_started", "inactive", "vacancy", "morning"]
OPTIONAL_LADDERS: tuple[LadderKind, ...] = ("morning",)  # without one: the coordinator, then the chief from day 3


class Ladders(Located):
    """One escalation ladder per kind of thing, each from its first step to the board."""

    milestone: list[EscalationStep] = Field(default_factory=list)
    report: list[EscalationStep] = Field(default_factory=list)
    not_started: list[EscalationStep] = Field(default_factory=list)
    inactive: list[EscalationStep] = Field(default_factory=list)
    vacancy: list[EscalationStep] = Field(default_factory=list)
    morning: list[EscalationStep] = Field(default_factory=list)

    def of(self, kind: LadderKind) -> list[EscalationStep]:
        ladder: list[EscalationStep] = getattr(self, kind)
        return ladder

    def items(self) -> list[tuple[LadderKind, list[EscalationStep]]]:
        return [(kind, self.of(kind)) for kind in get_args(LadderKind)]


class StallPolicy(Located):
    """When an area counts as stalled."""

    not_started_after: int = Field(
        default=1, ge=1, description="working days after the area's first due date passed with nothing done")
    inactive_after: int = Field(default=60, ge=1, description="working days without any recorded activity")


class BriefPolicy(Located):
    """How notices reach people: one ranked brief per working day (or week, by the person's
    preference), except a small set that goes out at once."""

    hour: int = Field(default=7, ge=0, le=23, description="the brief goes out from this hour, Stockholm time")
    immediate: list[str] = Field(default_factory=list, description="kinds of notice sent at once")
    immediate_escalations_to: list[str] = Field(
        default_factory=list, description="roles told of a new escalation the day it happens")
    max_immediate_per_day: int = Field(default=3, ge=0, description="more than this per person waits for the brief")
    max_lines: int = Field(default=40, ge=0, description="routine lines a brief shows; the rest waits for the next "
                           "brief (escalations are never folded)")


class NotificationPolicy(Located):
    reminders_before_due: list[int] = Field(default_factory=list)
    on_due_date: bool = True
    overdue_repeat_every: int = Field(ge=1, description="working days between overdue notices")
    escalation: Ladders = Field(default_factory=Ladders)
    remind_top_every: int = Field(default=20, ge=0, description="working days between reminders to the top of a "
                                  "ladder while the thing stays open (0: told once)")
    acknowledge_for_at_most: int = Field(default=40, ge=1, description="working days an acknowledgement may pause a "
                                         "climb")
    roll_up_from: RoleKind = Field(default="chief", description="from this kind's level up, late milestones are "
                                   "told per area, not one by one")
    stalls: StallPolicy = Field(default_factory=StallPolicy)
    brief: BriefPolicy = Field(default_factory=BriefPolicy)
