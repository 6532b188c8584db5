"""The report calendar of phases.yml: which report is owed when, for which period, and whether
it has gone out — the central samordnare's milestone of preparing it, without a table of its
own: an occasion is open until the archive shows it sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from ctcflow.core.errors import CtcError
from ctcflow.definition.duerules import Recurring, parse_due_rule
from ctcflow.definition.loader import Definitions
from ctcflow.definition.process import ReportDef
from ctcflow.report.archive import sent_on


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def label(self) -> str:
        if (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31):
            return str(self.start.year) if self.start.year == self.end.year else f"{self.start.year}–{self.end.year}"
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))


@dataclass(frozen=True)
class ReportOccasion:
    """One report owed: ``year`` is the year it is due (its name: "the 2022 report")."""

    report: ReportDef
    year: int
    due: date
    period: Period

    @property
    def key(self) -> str:
        return f"{self.report.id}/{self.year}"


def _rule(report: ReportDef) -> Recurring:
    rule = parse_due_rule(report.due)
    assert isinstance(rule, Recurring), "checked when phases.yml is loaded"
    return rule


def occasion(report: ReportDef, year: int) -> ReportOccasion:
    rule = _rule(report)
    if year not in rule.years():
        listed = ", ".join(str(y) for y in rule.years()[:6])
        raise CtcError(f"no {report.id} report is due in {year} (phases.yml: '{report.due}'; due in {listed} …); "
                       "give one of those years, or an explicit period FROM..TO")
    period = Period(date(year - report.covers_years, 1, 1), date(year - 1, 12, 31))
    return ReportOccasion(report, year, rule.occurrence(year), period)


def first_day(defs: Definitions) -> date:
    """Reports are owed from the first area's start on."""
    return min((a.start for a in defs.org.areas), default=date.max)


def occasions(defs: Definitions, until: date) -> list[ReportOccasion]:
    """Every occasion due from the first area's start until ``until``, in due order."""
    start = first_day(defs)
    found = [occasion(report, year) for report in defs.process.reports for year in _rule(report).years()
             if date(year, 1, 1) <= until]
    return sorted((o for o in found if start <= o.due <= until), key=lambda o: (o.due, o.report.id))


def report_def(defs: Definitions, report_id: str) -> ReportDef:
    found = next((r for r in defs.process.reports if r.id == report_id), None)
    if found is None:
        known = ", ".join(r.id for r in defs.process.reports) or "none"
        raise CtcError(f"phases.yml defines no report '{report_id}' (reports: {known})")
    return found


def open_occasions(session: Session, defs: Definitions, as_of: date, horizon_until: date) -> list[ReportOccasion]:
    """Occasions due by ``horizon_until`` and not sent by ``as_of`` — overdue ones stay open
    (and escalated) until the report goes out."""
    sent = sent_on(session, as_of)
    return [o for o in occasions(defs, horizon_until) if o.key not in sent]


@dataclass(frozen=True)
class LateReport:
    """An earlier occasion whose report went out after its due date, or not at all."""

    occasion: ReportOccasion
    sent_on: date | None  # None: not sent by the as-of day

    def days_late(self, as_of: date) -> int:
        return ((self.sent_on or as_of) - self.occasion.due).days


def late_before(session: Session, defs: Definitions, this: ReportOccasion, as_of: date) -> list[LateReport]:
    """The earlier occasions of the same report that were late or never sent, back to the last
    one delivered on time: what the board should read first."""
    sent = sent_on(session, as_of)
    earlier = [o for o in occasions(defs, this.due) if o.report.id == this.report.id and o.due < this.due]
    late: list[LateReport] = []
    for found in reversed(earlier):
        when = sent.get(found.key)
        if when is not None and when <= found.due:
            break
        late.append(LateReport(found, when))
    return list(reversed(late))
