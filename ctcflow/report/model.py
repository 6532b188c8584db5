"""What a report holds: each area's part, the gaps, the scope asked for — plain data the
content gathers and the templates print."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from ctcflow.definition.process import THEMES
from ctcflow.engine.stalls import Stall
from ctcflow.report.attention import StartMove
from ctcflow.report.escalation_log import Logged
from ctcflow.report.schedule import LateReport, Period, ReportOccasion

if TYPE_CHECKING:  # the evaluation needs pandas, which a sweep never loads
    from ctcflow.survey.evaluation import AreaEffects

AREA_SECTIONS = THEMES  # the sections each area reports on
INPUT = "underlag"  # the area's own input milestone, a gap like the mandated sections
NEXT_STEPS = 5
NEXT_STEPS_DAYS = 183


@dataclass(frozen=True)
class Gap:
    area_id: str | None  # None: the city's part (costs)
    section: str  # boendemedverkan | jamstalldhetsintegrering | rasism_sexism | kostnader | underlag
    role: str
    people: tuple[str, ...]  # names of who held the role
    person_ids: tuple[str, ...]
    year: int | None = None  # kostnader: the year without costs


@dataclass(frozen=True)
class PhaseSpan:
    phase_id: str
    cycle: int
    opened_on: date
    planned_end: date | None  # the phase's last due date
    completed_on: date | None  # None: still open on the as-of day
    instance_id: int | None = None


@dataclass(frozen=True)
class MilestoneLine:
    milestone_id: str
    phase_id: str
    due: date  # the current due date
    done_on: date | None  # None: not done by the as-of day
    planned: date | None = None  # the first due date, when the current one has moved from it

    @property
    def measured(self) -> date:
        """What 'i tid' is judged against: the plan — a due date moved by late work earlier in
        the chain does not make the milestone on time."""
        return min(self.planned, self.due) if self.planned else self.due


def moved(planned: date | None, due: date) -> date | None:
    """The planned date where the current one moved from it."""
    return planned if planned is not None and planned != due else None


@dataclass(frozen=True)
class ClosedLine:
    """A milestone the coordinator closed as no longer relevant in the period, and why."""

    milestone_id: str
    phase_id: str
    due: date | None
    closed_on: date
    closed_by: str
    reason: str


@dataclass(frozen=True)
class EscalationLine:
    milestone_id: str
    due: date  # the current due date
    first_on: date
    roles: tuple[str, ...]
    resolved_on: date | None
    told_due: date | None = None  # the due date the first escalation named
    planned: date | None = None  # the first due date, when the current one has moved from it


@dataclass(frozen=True)
class Entry:
    happened_on: date
    description: str
    evidence: str | None


@dataclass
class AreaReport:
    id: str
    name: str
    current_phase: str | None = None
    current_cycle: int = 1
    spans: list[PhaseSpan] = field(default_factory=list)
    on_time: int = 0
    late: list[MilestoneLine] = field(default_factory=list)
    missing: list[MilestoneLine] = field(default_factory=list)
    # due before the period and still not done when it began: a stall older than the period
    overdue_before: list[MilestoneLine] = field(default_factory=list)
    closed: list[ClosedLine] = field(default_factory=list)  # closed as no longer relevant in the period
    escalations: list[EscalationLine] = field(default_factory=list)
    priorities: list[tuple[str, float | None, float | None]] = field(default_factory=list)  # factor, share, city
    compared_with: str = "city"  # the priorities' wave's comparison (ctcflow.survey.comparison)
    decided_on: date | None = None
    plan: list[tuple[str, str]] = field(default_factory=list)  # factor, programme id
    entries: dict[str, list[Entry]] = field(default_factory=dict)
    costs: dict[int, int] = field(default_factory=dict)  # year → öre
    input_done_on: date | None = None
    input_due: date | None = None
    next_steps: list[MilestoneLine] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)

    @property
    def due_in_period(self) -> int:
        return self.on_time + len(self.late) + len(self.missing)


@dataclass
class ReportContent:
    title: str
    municipality: str
    occasion: ReportOccasion | None
    period: Period
    as_of: date
    due: date | None
    areas: list[AreaReport]
    costs: dict[int, dict[str, int]]  # year → administration → öre (all areas and central)
    gaps: list[Gap]  # every gap, the city's first
    late_reports: list[LateReport] = field(default_factory=list)  # earlier occasions late or never sent
    stalls: list[Stall] = field(default_factory=list)  # on the report's day: what the board must decide on
    # every thing escalated since the log's first day (the period's, or a missed report's) and
    # every one still open, with how it stands on the report's day
    log: list[Logged] = field(default_factory=list)
    log_since: date | None = None
    planned: int = 0  # areas that were to have started by the report's day
    effects: dict[str, AreaEffects] = field(default_factory=dict)  # area id → what moved since its decision
    start_moves: list[StartMove] = field(default_factory=list)  # starts moved in the period, and by whom
    case_number: str | None = None  # the diarienummer the paper is filed under

    @property
    def missed_reports(self) -> list[LateReport]:
        """The earlier occasions whose report never went out: their period is this one's to tell."""
        return [late for late in self.late_reports if late.sent_on is None]

    @property
    def running(self) -> int:
        """The planned areas that have started: not among the stalls of kind not_started."""
        return self.planned - sum(1 for s in self.stalls if s.kind == "not_started")

    @property
    def total_cost(self) -> int:
        return sum(sum(by_admin.values()) for by_admin in self.costs.values())


@dataclass(frozen=True)
class Scope:
    """What to gather: the period, the day, and the areas (None: every active area)."""

    period: Period
    as_of: date
    area_ids: list[str] | None = None
    input_due: date | None = None  # the occasion's due date: the area input is due before it


Gathered = tuple[list["AreaReport"], dict[int, dict[str, int]], list["Gap"]]


AreaFilter = Callable[[Any], Any]


def in_areas_filter(ids: list[str]) -> AreaFilter:
    """A filter on an area column: the given areas, or — for a whole city, where a 4,000-item
    IN costs more than it saves — any (areas outside the set are skipped when read)."""
    everyone = len(ids) > 500

    def where(column: Any) -> Any:
        return column.is_not(None) if everyone else column.in_(ids)

    return where
