"""What the tasks hand the flows, and the flows return: typed models (the Prefect UI shows
them as JSON, tests and callers read attributes, not dictionary keys)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from ctcflow.app import jobs
from ctcflow.delivery.sender import DeliveryReport
from ctcflow.notices.outbox import Planned
from tasks.words import flow_text


class NoticeLine(BaseModel):
    kind: str
    area: str
    recipient: str
    subject: str

    @classmethod
    def of(cls, planned: Planned) -> NoticeLine:
        return cls(kind=planned.kind, area=planned.area_id or "", recipient=planned.recipient,
                   subject=planned.subject)

    def line(self) -> str:
        return f"{self.kind} · {self.area} · {self.subject} → {self.recipient}"


class Opened(BaseModel):
    area: str
    phase: str
    cycle: int

    def line(self) -> str:
        return f"{self.area}: {self.phase} ({flow_text('lines', 'cycle', n=self.cycle)})"


def _opened(opened: list[tuple[str, str, int]]) -> list[Opened]:
    return [Opened(area=a, phase=p, cycle=c) for a, p, c in opened]


class SweepSummary(BaseModel):
    as_of: date
    business_day: bool
    opened: list[Opened]
    decided: int
    new: list[NoticeLine]

    @classmethod
    def of(cls, result: jobs.SweepResult) -> SweepSummary:
        return cls(as_of=result.as_of, business_day=result.business_day, opened=_opened(result.opened),
                   decided=result.decided, new=[NoticeLine.of(p) for p in result.enqueued])


class Sent(BaseModel):
    id: int
    kind: str
    recipient: str
    subject: str


class Failed(BaseModel):
    id: int
    recipient: str
    attempts: int
    error: str | None


class DeliverySummary(BaseModel):
    skipped: str | None = None
    sent: list[Sent] = []
    failed: list[Failed] = []
    recovered: int = 0
    cancelled: int = 0
    briefs: list[str] = []  # whose brief was composed (person ids)

    @classmethod
    def of(cls, report: DeliveryReport | None) -> DeliverySummary:
        if report is None:
            return cls(skipped=flow_text("lines", "not_business_day"))
        return cls(skipped=flow_text("lines", "another_run", holder=report.busy) if report.busy else None,
                   sent=[Sent(id=o.id, kind=o.kind, recipient=o.recipient, subject=o.subject) for o in report.sent],
                   failed=[Failed(id=o.id, recipient=o.recipient, attempts=o.attempts, error=o.error)
                           for o in report.failed],
                   recovered=report.recovered, cancelled=report.cancelled, briefs=report.briefs)

    def sections(self) -> dict[str, list[str]]:
        sections = {
            "sent": [f"{s.kind} · {s.subject} → {s.recipient}" for s in self.sent],
            "failed": [f"#{f.id} {f.recipient} ({flow_text('lines', 'attempts', n=f.attempts)}): {f.error}"
                       for f in self.failed],
        }
        if self.skipped:
            sections["nothing_sent"] = [self.skipped]
        return sections


class FindingLine(BaseModel):
    area: str
    phase: str
    cycle: int
    check: str
    blocks_gate: bool
    tell: str
    text: str


class PhaseRun(BaseModel):
    """A per-area phase step to run: an area, the phase whose work changed there, and what the
    day's batch found in it — so the step shows the batch's findings instead of checking again."""

    area: str
    phase: str
    opened: list[Opened] = []
    findings: list[FindingLine] = []


class PhaseWorkSummary(BaseModel):
    as_of: date
    opened: list[Opened]
    findings: list[FindingLine]
    new: list[NoticeLine]
    active_areas: list[str]
    runs: list[PhaseRun] = []

    @classmethod
    def of(cls, work: jobs.PhaseWork, phase_id: str | None = None) -> PhaseWorkSummary:
        opened = [o for o in _opened(work.opened) if phase_id is None or o.phase == phase_id]
        findings = [FindingLine(area=f.area_id, phase=f.phase_id, cycle=f.cycle, check=f.check,
                                blocks_gate=f.blocks_gate, tell=f.tell, text=f.text())
                    for f in work.findings if phase_id is None or f.phase_id == phase_id]
        return cls(as_of=work.as_of, opened=opened, findings=findings,
                   new=[NoticeLine.of(p) for p in work.enqueued], active_areas=work.active_areas,
                   runs=_runs(work.runs, opened, findings))

    @classmethod
    def shown(cls, run: PhaseRun, as_of: date) -> PhaseWorkSummary:
        """What a per-area step reports when the batch already did the work (and wrote its notices)."""
        return cls(as_of=as_of, opened=run.opened, findings=run.findings, new=[], active_areas=[run.area])


def _runs(runs: list[tuple[str, str]], opened: list[Opened], findings: list[FindingLine]) -> list[PhaseRun]:
    """Each per-area step to run with what was found in its area and phase (grouped once)."""
    found: dict[tuple[str, str], PhaseRun] = {(a, p): PhaseRun(area=a, phase=p) for a, p in runs}
    for o in opened:
        if (run := found.get((o.area, o.phase))) is not None:
            run.opened.append(o)
    for f in findings:
        if (run := found.get((f.area, f.phase))) is not None:
            run.findings.append(f)
    return list(found.values())


class ReportSent(BaseModel):
    occasion: str
    recipients: list[str]


class ReportsSummary(BaseModel):
    as_of: date
    gaps: int
    sent: list[ReportSent]

    def lines(self) -> list[str]:
        return [f"{s.occasion} → {', '.join(s.recipients)} ({flow_text('lines', 'gaps', n=self.gaps)})"
                for s in self.sent] or [flow_text("lines", "no_report_due")]


class Candidate(BaseModel):
    area: str
    factor: str
    rank: int


class Marked(BaseModel):
    area: str
    milestone: str


class Waiting(BaseModel):
    area: str
    milestone: str
    why: str


class WaveSummary(BaseModel):
    wave: str
    counted: int  # pupils the comparison's published figures count (no other count is kept)
    previous: str | None
    areas: list[str]
    candidates: list[Candidate]
    milestones_done: list[Marked]
    milestones_waiting: list[Waiting]
    profiles: list[str] = []
