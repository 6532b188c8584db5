"""What a sync plans: its steps, each of a named kind, and the plan the command line prints
before anything changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class StepKind(StrEnum):
    """What one step of a sync changes (also the event the history records for it)."""

    AREA_ADDED = "area_added"
    AREA_RENAMED = "area_renamed"
    AREA_START_CHANGED = "area_start_changed"
    AREA_DEACTIVATED = "area_deactivated"
    AREA_REACTIVATED = "area_reactivated"
    MILESTONE_ADDED = "milestone_added"
    MILESTONE_RENAMED = "milestone_renamed"
    MILESTONE_RETIRED = "milestone_retired"
    MILESTONE_RESTORED = "milestone_restored"
    DUE_CHANGED = "due_changed"


@dataclass(frozen=True)
class Step:
    kind: StepKind
    area_id: str
    subject: str | None = None
    old: str | None = None
    new: str | None = None
    row_id: int | None = None  # milestone_instance or phase_instance id the step touches

    def describe(self) -> str:
        arrow = f": {self.old} → {self.new}" if self.old or self.new else ""
        subject = f" {self.subject}" if self.subject else ""
        return f"{self.kind:<20} {self.area_id}{subject}{arrow}"


@dataclass
class SyncPlan:
    steps: list[Step] = field(default_factory=list)
    new_areas: list[str] = field(default_factory=list)
    # (area, phase, cycle, opened on): phases and cycles the applied sync opened because their time had come
    opened: list[tuple[str, str, int, date]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.steps and not self.opened

    def counts(self) -> dict[str, int]:
        result: dict[str, int] = {}
        for step in self.steps:
            result[step.kind] = result.get(step.kind, 0) + 1
        return result
