"""phases.yml as typed data: roles, sectors, phases, milestones, gates and the reminder policy."""

from __future__ import annotations

from datetime import date
from typing import Literal, get_args

from pydantic import Field

from ctcflow.definition.located import Located
from ctcflow.definition.policy import NotificationPolicy, RoleKind

IDENT = r"^[a-z][a-z0-9_]*$"


class Titles(Located):
    sv: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.sv


# The kinds ctcflow cannot work without, and the scope each must have (RoleKind: definition.policy).
REQUIRED_KINDS: dict[RoleKind, str] = {"coordinator": "central", "area_lead": "area", "area_team": "area"}
# Who stands above whom, from the bottom up; kinds on one level stand side by side. An escalation
# only climbs: it tells roles of a higher level than the owner's, never below or beside.
DEFAULT_HIERARCHY: list[list[RoleKind]] = [["area_team"], ["area_lead"], ["steering"], ["coordinator", "analyst"],
                                           ["chief"], ["director"], ["board"]]


class RoleDef(Located):
    id: str = Field(pattern=IDENT)
    title: Titles
    scope: Literal["area", "central"]
    kind: RoleKind | None = None


class SectorDef(Located):
    id: str = Field(pattern=IDENT)
    title: Titles


class MilestoneDef(Located):
    id: str = Field(pattern=IDENT)
    title: Titles
    done_when: Titles
    owner: str
    due: str
    depends_on: list[str] = Field(default_factory=list)
    evidence_required: bool = False
    required: bool = True
    renamed_from: list[str] = Field(default_factory=list)
    # What the code needs to find among the municipality's milestones, by what it is for:
    # budget_handover — the plan handed to the city's budget preparation (the plan names it).
    purpose: Literal["budget_handover"] | None = None


class GateDef(Located):
    approver: str


PhaseCheck = Literal["team_sectors", "survey_wave", "priority_decision", "programme_coverage", "fidelity"]


class PhaseDef(Located):
    id: str = Field(pattern=IDENT)
    title: Titles
    description: Titles
    gate: GateDef
    recurs_every_years: int | None = Field(default=None, ge=1)
    # What the phase's own flow checks in the data (ctcflow/phasework.py): team_sectors and
    # survey_wave report what is missing, priority_decision and programme_coverage also hold the
    # gate, fidelity flags programmes run below their protocol.
    checks: list[PhaseCheck] = Field(default_factory=list)
    # A phase a new survey wave reopens for a revision while uppföljning goes on.
    revised_by_survey: bool = False
    milestones: list[MilestoneDef] = Field(min_length=1)


# The themes the 2017 KS decision mandated, each area reports on them; with the costs, the
# sections a report can require. Declared here only: everything else derives from these.
MandatedTheme = Literal["boendemedverkan", "jamstalldhetsintegrering", "rasism_sexism"]
ReportSection = MandatedTheme | Literal["kostnader"]
THEMES: tuple[str, ...] = get_args(MandatedTheme)


class DecisionMeetingsDef(Located):
    """The meetings an occasion's paper goes to, when they are set (KSAU first, then KS)."""

    ksau: date
    ks: date


class ReportDef(Located):
    """A report the process owes on a calendar — to KS, say. Preparing it is a milestone of
    ``owner`` with the usual reminders, escalated on the policy's ``report`` ladder. Every
    mandated section names the role that owes its data, so a section left empty says whose it
    was — and that gap is told ``gap_checks_before`` working days before the due date."""

    id: str = Field(pattern=IDENT)
    title: Titles
    owner: str
    recipients: list[str] = Field(min_length=1, description="roles the report is sent to")
    due: str = Field(description="a recurring due rule: the day the report must be with them")
    covers_years: int = Field(ge=1, description="the calendar years before the due year it covers")
    area_input: str | None = Field(default=None, description="the area milestone that is each area's input")
    mandated: dict[ReportSection, str] = Field(default_factory=dict, description="section → role that owes it")
    gap_checks_before: list[int] = Field(default_factory=list, description="working days before due")
    background: Titles | None = Field(default=None, description="the paper's background: the decision behind it")
    case_numbers: dict[int, str] = Field(default_factory=dict,
                                         description="occasion year → the diarienummer its paper is filed under")
    meetings: dict[int, DecisionMeetingsDef] = Field(
        default_factory=dict, description="occasion year → the KSAU and KS meetings (else derived, preliminary)")

    def owed_by(self) -> dict[str, str]:
        """Mandated section → the role that owes it."""
        return {str(section): role for section, role in self.mandated.items()}


class ProcessDef(Located):
    version: Literal[1]
    roles: list[RoleDef]
    hierarchy: list[list[RoleKind]] = Field(default_factory=lambda: [list(level) for level in DEFAULT_HIERARCHY])
    sectors: list[SectorDef] = Field(default_factory=list)
    notification_policy: NotificationPolicy
    phases: list[PhaseDef] = Field(min_length=1)
    reports: list[ReportDef] = Field(default_factory=list)

    def phase(self, phase_id: str) -> PhaseDef:
        return next(p for p in self.phases if p.id == phase_id)

    @property
    def plan_phase(self) -> str:
        """The phase in which the handlingsplan is written: the one whose gate needs a programme
        for every priority factor (its ``programme_coverage`` check)."""
        return next((p.id for p in self.phases if "programme_coverage" in p.checks), "")

    def milestone_for(self, purpose: str) -> str | None:
        """The milestone marked with this ``purpose`` in phases.yml, if the municipality has one."""
        return next((m.id for p in self.phases for m in p.milestones if m.purpose == purpose), None)

    @property
    def order(self) -> dict[str, int]:
        """Phase id → its place in the process (the current-phase rule compares by it)."""
        return {p.id: i for i, p in enumerate(self.phases)}

    def phase_index(self, phase_id: str) -> int:
        return next(i for i, p in enumerate(self.phases) if p.id == phase_id)

    def next_phase(self, phase_id: str) -> PhaseDef | None:
        index = self.phase_index(phase_id) + 1
        return self.phases[index] if index < len(self.phases) else None

    def role(self, role_id: str) -> RoleDef | None:
        return next((r for r in self.roles if r.id == role_id), None)

    @property
    def levels(self) -> dict[str, int]:
        """Role id → its level in the hierarchy (0 the lowest); roles without a kind have none."""
        of_kind = {kind: level for level, kinds in enumerate(self.hierarchy) for kind in kinds}
        return {r.id: of_kind[r.kind] for r in self.roles if r.kind is not None and r.kind in of_kind}

    def held_in(self, role_id: str, area_id: str | None) -> str | None:
        """Where ``role_id`` is held for an area's work: in the area (an area role), or centrally
        (None) — how a vacancy is keyed, so work and vacancy are matched one way everywhere."""
        role = self.role(role_id)
        return area_id if role is None or role.scope == "area" else None

    @property
    def ladder_roles(self) -> set[str]:
        """The roles some escalation ladder tells: who may take an escalated thing on."""
        return {step.to for _, ladder in self.notification_policy.escalation.items() for step in ladder}

    def role_of(self, kind: RoleKind) -> str | None:
        """The id of the role of this kind (validation makes the required kinds exist once)."""
        return next((r.id for r in self.roles if r.kind == kind), None)

    @property
    def coordinator(self) -> str:
        """The central role told when nobody else can be, and allowed to act for any area."""
        return self.role_of("coordinator") or ""

    @property
    def area_lead(self) -> str:
        return self.role_of("area_lead") or ""

    @property
    def area_team(self) -> str:
        return self.role_of("area_team") or ""

