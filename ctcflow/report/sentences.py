"""The paper's sentences about things: a list named ("A, B och 3 till"), each stall with who has
taken it on, how an escalated thing stands, the phases counted — the words from report.yml."""

from __future__ import annotations

from collections.abc import Sequence

from ctcflow.core.words import Words
from ctcflow.definition.loader import Definitions
from ctcflow.delivery.kinds import weight
from ctcflow.engine.stalls import Stall
from ctcflow.notices.stalls import topic_of
from ctcflow.report.escalation_log import HELD, LAPSED, Logged
from ctcflow.report.model import ReportContent
from ctcflow.report.terms import ACKNOWLEDGED, OUTCOMES, STALLS_MANY

NAMED = 3  # the worst of a kind named in the Sammanfattning and given an att-sats of their own
LISTED = 10  # the lines of a kind in the Ärendet before the rest is counted


def listing(names: Sequence[str], t: Words, most: int = NAMED) -> str:
    """'A, B och C' — or 'A, B, C och 6 till' when there are more than ``most``."""
    shown = list(names[:most])
    rest = len(names) - len(shown)
    if rest:
        return t(", ").join(shown) + t(" and {n} more").format(n=rest)
    if len(shown) <= 1:
        return "".join(shown)
    return t(", ").join(shown[:-1]) + t(" and ") + shown[-1]


def stalls_by_kind(stalls: list[Stall]) -> dict[str, list[Stall]]:
    """The stalls of each kind, the heaviest kind first, each kind's longest-standing first."""
    found: dict[str, list[Stall]] = {}
    for stall in sorted(stalls, key=lambda s: (weight(s.kind), s.since, s.area_id or "")):
        found.setdefault(stall.kind, []).append(stall)
    return found


def vacancy_name(stall: Stall, t: Words, names: dict[str, dict[str, str]]) -> str:
    role = names["role"].get(stall.role or "", stall.role or "")
    if stall.area_id:
        return t("{role} in {area}").format(role=role, area=names["area"].get(stall.area_id, stall.area_id))
    return role


def stall_lines(content: ReportContent, defs: Definitions, t: Words,
                names: dict[str, dict[str, str]], group: bool = False) -> list[str]:
    """Each stall in a sentence — the heaviest kind first (an area not started before a vacancy),
    then the longest-standing — with who has taken it on. With ``group``, a kind with more than
    a few stalls is one sentence naming them (those someone has taken on still one each)."""
    starts = {a.id: a.start for a in defs.org.areas}
    acks = {e.topic: e.ack for e in content.log if e.ack is not None}
    lines = []
    for kind, found in stalls_by_kind(content.stalls).items():
        alone = [s for s in found if topic_of(s) in acks] if group and len(found) > NAMED else found
        if len(alone) < len(found):
            rest = [s for s in found if s not in alone]
            what = [vacancy_name(s, t, names) if kind == "vacancy" else names["area"].get(s.area_id or "", "")
                    for s in rest]
            lines.append(t(STALLS_MANY[kind]).format(n=len(rest), names=listing(what, t, most=LISTED)))
        for stall in alone:
            area = names["area"].get(stall.area_id or "", stall.area_id or "")
            at = names["milestone"].get(stall.milestone_id or "", "–")  # where the work stands still
            if kind == "not_started":
                line = t("{area} was to start {start} but has not started (since {since}); the work stands at "
                         "{milestone}.").format(area=area, start=starts.get(stall.area_id or "", stall.since),
                                                since=stall.since, milestone=at)
            elif kind == "inactive":
                line = t("In {area} no work has been recorded since {last}; the work stands at {milestone}.").format(
                    area=area, last=stall.last_activity or "–", milestone=at)
            else:
                line = t("The role {what} has been vacant since {since}.").format(
                    what=vacancy_name(stall, t, names), since=stall.since)
            ack = acks.get(topic_of(stall))
            if ack is not None:
                key = "holds" if ack.holds(content.as_of) else "lapsed"
                line += " " + t(ACKNOWLEDGED[key]).format(
                    by=names["person"].get(ack.by, ack.by), plan=ack.plan, until=ack.until)
            lines.append(line)
    return lines


def outcome_words(entry: Logged, t: Words, names: dict[str, dict[str, str]]) -> str:
    """How an escalated thing stands on the report's day, in words."""
    if entry.outcome in (HELD, LAPSED) and entry.ack is not None:
        return t(OUTCOMES[entry.outcome]).format(by=names["person"].get(entry.ack.by, entry.ack.by),
                                                    until=entry.ack.until)
    return t(OUTCOMES[entry.outcome])


def capped(lines: list[str], t: Words, bilaga: str) -> list[str]:
    if len(lines) <= LISTED:
        return lines
    return [*lines[:LISTED], t("… and {n} more (appendix {bilaga}).").format(n=len(lines) - LISTED, bilaga=bilaga)]


def phase_counts(content: ReportContent, defs: Definitions, t: Words,
                 names: dict[str, dict[str, str]]) -> list[str]:
    """'2 i Handlingsplan, 3 i Uppföljning' in the process's order: the areas that have started
    (one that never did is not 'in Mobilisering' because its first phase opened by plan)."""
    counts: dict[str, int] = {}
    not_started = {s.area_id for s in content.stalls if s.kind == "not_started"}
    for area in content.areas:
        if area.current_phase and area.id not in not_started:
            counts[area.current_phase] = counts.get(area.current_phase, 0) + 1
    order = defs.process.order
    return [t("{n} in {phase}").format(n=n, phase=names["phase"].get(phase, phase))
            for phase, n in sorted(counts.items(), key=lambda item: order.get(item[0], len(order)))]
