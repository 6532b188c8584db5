"""The board's paper in the form of a Malmö tjänsteskrivelse: the few pages a board decides on,
the detail in numbered bilagor. Every sentence here is built from counts and states — never
from the text of a mail — and every list in the paper is capped (the few worst named, the rest
counted and pointed to a bilaga), so the paper stays the same length for 14 areas or 1,000.

Plain data and plain functions: the template prints what this decides."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ctcflow.core.words import Words
from ctcflow.definition.loader import Definitions
from ctcflow.report.escalation_log import HELD, RESOLVED
from ctcflow.report.model import ReportContent
from ctcflow.report.officials import Person, decision_meetings, decision_to, handler, responsible_people
from ctcflow.report.sentences import (
    NAMED,
    capped,
    listing,
    phase_counts,
    stall_lines,
    stalls_by_kind,
    vacancy_name,
)
from ctcflow.report.terms import PROPOSAL_MANY, PROPOSAL_ONE, SUMMARY_STALLS


@dataclass(frozen=True)
class Appendix:
    number: str  # "1", "1–14"
    title: str
    anchor: str


@dataclass
class Paper:
    summary: list[str]
    proposals: list[str]
    basis: list[Appendix]
    meetings: list[tuple[str, date]]
    meetings_preliminary: bool
    send_to: list[str]
    matter: list[str]
    handler: Person | None
    responsible: list[Person]
    economy: list[tuple[int, int | None]]  # year → öre reported, None: nothing reported
    area_appendix: dict[str, str] = field(default_factory=dict)  # area id → its bilaga's number
    gaps_appendix: str = ""
    log_appendix: str = ""
    inputs_appendix: str = ""


def paper(content: ReportContent, defs: Definitions, t: Words, names: dict[str, dict[str, str]],
          responsible: str, lang: str) -> Paper:
    """The paper's parts for ``content``: what the board reads, in the order it reads it."""
    areas = content.areas
    numbers = {a.id: str(i) for i, a in enumerate(areas, start=1)}
    after = len(areas)
    gaps_no, log_no, inputs_no = str(after + 1), str(after + 2), str(after + 3)
    per_area = t("Account per area, one appendix per area")
    basis = [Appendix(f"1–{after}" if after > 1 else "1", per_area, "bilaga-1")] if areas else []
    basis += [Appendix(gaps_no, t("Gaps in the account and who should have provided the information"), "bilaga-luckor"),
              Appendix(log_no, t("Escalations and where they stand"), "bilaga-eskaleringar"),
              Appendix(inputs_no, t("The areas' input"), "bilaga-underlag")]
    meetings, preliminary = decision_meetings(content)
    return Paper(
        summary=summary(content, t, names, gaps_no),
        proposals=proposals(content, t, names, responsible, gaps_no),
        basis=basis,
        meetings=[(t("The board's working committee"), meetings[0]), (t("The municipal board"), meetings[1])],
        meetings_preliminary=preliminary, send_to=decision_to(defs, content.as_of, names),
        matter=matter(content, defs, t, names, log_no),
        handler=handler(defs, content.as_of, names, lang), responsible=responsible_people(defs, content.as_of, names,
                                                                                           lang),
        economy=economy(content), area_appendix=numbers, gaps_appendix=gaps_no, log_appendix=log_no,
        inputs_appendix=inputs_no)


def summary(content: ReportContent, t: Words, names: dict[str, dict[str, str]], gaps_no: str) -> list[str]:
    """At most ~150 words: lateness first (this report's own, then earlier ones), then how many
    areas run, what stands still, what reached the board and how much of it is dealt with, the
    milestones against plan, and the gaps."""
    said: list[str] = []
    if content.due and content.as_of > content.due:
        said.append(t("This report was due with the municipal board by {due} and is {days} days late.").format(
            due=content.due.isoformat(), days=(content.as_of - content.due).days))
    for late in content.late_reports:
        if late.sent_on:
            said.append(t("The report for {year} was {days} days late.").format(
                year=late.occasion.year, days=late.days_late(content.as_of)))
        else:
            said.append(t("The report for {year} (the period {period}) was never delivered.").format(
                year=late.occasion.year, period=late.occasion.period.label()))
    said.append(t("CTC runs in {running} of {n} planned areas.").format(running=content.running, n=content.planned))
    area_name = names["area"]
    by_kind = stalls_by_kind(content.stalls)
    for kind in ("not_started", "inactive"):
        found = by_kind.get(kind, [])
        if found:
            said.append(t(SUMMARY_STALLS[kind]).format(
                n=len(found), names=listing([area_name.get(s.area_id or "", s.area_id or "") for s in found], t)))
    vacant = by_kind.get("vacancy", [])
    if vacant:
        said.append(t("Vacant roles ({n}): {names}.").format(n=len(vacant), names=listing(
            [vacancy_name(s, t, names) for s in vacant], t)))
    board = [e for e in content.log if e.reached_board]
    if board:
        held = [e for e in board if e.outcome == HELD]
        named = [t("{by} until {until}").format(by=names["person"].get(e.ack.by, e.ack.by), until=e.ack.until)
                 for e in held[:2] if e.ack]
        taken = " (" + t(", ").join(named) + ")" if named else ""
        said.append(t("Matters that reached the municipal board since {since}: {n}. Of them {resolved} are resolved, "
                      "{held} someone has taken on{taken} and {open} are unresolved.").format(
            n=len(board), since=(content.log_since or content.period.start).isoformat(),
            resolved=sum(1 for e in board if e.outcome == RESOLVED), held=len(held), taken=taken,
            open=sum(1 for e in board if e.outcome not in (RESOLVED, HELD))))
    else:
        said.append(t("No matter has reached the municipal board since {since}.").format(
            since=(content.log_since or content.period.start).isoformat()))
    due = sum(a.due_in_period for a in content.areas)
    if due:
        said.append(t("Of {due} milestones planned to be done in the period, {on_time} were done on time, {late} late "
                      "and {missing} are not done.").format(
            due=due, on_time=sum(a.on_time for a in content.areas), late=sum(len(a.late) for a in content.areas),
            missing=sum(len(a.missing) for a in content.areas)))
    said.append(t("The account lacks {n} mandated items (appendix {bilaga}).").format(
        n=len(content.gaps), bilaga=gaps_no) if content.gaps else t("Every mandated item has been reported."))
    return said


def proposals(content: ReportContent, t: Words, names: dict[str, dict[str, str]], responsible: str,
              gaps_no: str) -> list[str]:
    """The att-satser: approve the account; the missing period's account; one per stall (or one
    for a kind when there are more than a few); the gaps completed."""
    said = [t("to approve the account of the work with Communities That Care for {period} and place it on file").format(
        period=content.period.label())]
    for late in content.missed_reports:
        said.append(t("to instruct {responsible} to account for the work in {period}, which was due {due} and never "
                      "reported").format(responsible=responsible, period=late.occasion.period.label(),
                                         due=late.occasion.due.isoformat()))
    area_name = names["area"]
    for kind, found in stalls_by_kind(content.stalls).items():
        if len(found) > NAMED:
            said.append(t(PROPOSAL_MANY[kind]).format(responsible=responsible, n=len(found)))
            continue
        for stall in found:
            if kind == "vacancy":
                said.append(t("to instruct {responsible} to see that the role {what} is filled").format(
                    responsible=responsible, what=vacancy_name(stall, t, names)))
            else:
                said.append(t(PROPOSAL_ONE[kind]).format(responsible=responsible,
                                                         area=area_name.get(stall.area_id or "", stall.area_id)))
    if content.gaps:
        said.append(t("to instruct {responsible} to complete the account with the {n} missing items (appendix "
                      "{bilaga})").format(responsible=responsible, n=len(content.gaps), bilaga=gaps_no))
    return said


def matter(content: ReportContent, defs: Definitions, t: Words, names: dict[str, dict[str, str]],
           log_no: str) -> list[str]:
    """The Ärendet after its background: the period, the missed period covered, what stands
    still (and who took it on), what moved — each a few lines, the rest in the bilagor."""
    said = [t("The account covers {period}, with data as of {as_of}. CTC runs in {running} of {n} planned "
              "areas.").format(period=content.period.label(), as_of=content.as_of.isoformat(),
                               running=content.running, n=content.planned)]
    phases = phase_counts(content, defs, t, names)
    if phases:
        said.append(t("The areas that have started are now in these phases: {phases}.").format(
            phases=listing(phases, t, most=len(phases))))
    missed = content.missed_reports
    if missed and content.log_since:
        board = sum(1 for e in content.log if e.reached_board)
        said.append(t("The report for {years} was never delivered to the municipal board. This account therefore also "
                      "covers everything that reached the board since {since}: {n} matters (appendix "
                      "{bilaga}).").format(years=listing([str(m.occasion.year) for m in missed], t, most=9),
                                           since=content.log_since.isoformat(), n=board, bilaga=log_no))
    lines = stall_lines(content, defs, t, names, group=True)
    said += capped(lines, t, log_no)
    moved = [t("The start of {area} was moved from {old} to {new}, decided by {by} ({on})").format(
        area=names["area"].get(m.area_id, m.area_id), old=m.old, new=m.new, by=names["person"].get(m.by, m.by),
        on=m.on)
             + (t(": {note}").format(note=m.note) if m.note else "") + "."
             for m in content.start_moves]
    said += capped(moved, t, log_no)
    return said


def economy(content: ReportContent) -> list[tuple[int, int | None]]:
    """Each year of the period: what was reported, or None — never 0 for a year nobody reported."""
    return [(year, sum(content.costs[year].values()) if content.costs.get(year) else None)
            for year in content.period.years()]
