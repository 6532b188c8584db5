"""How a brief ranks and folds what it carries — the one rule for what a person reads first and
for what may wait.

Each thing is one line, however many notices about it were decided. Escalated things come
first, heaviest first (a missed report, an area stalled, a vacancy, an area's late work rolled
up, a single milestone), then what others have acknowledged, then the routine: due today,
overdue (oldest first, per area), coming up. Only routine lines are folded, and only past the
brief's line budget: a folded line's notices stay waiting for the next brief — nothing is marked
delivered that the reader was not shown. A handover brief folds nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ctcflow.core import calendar
from ctcflow.delivery.kinds import ACKNOWLEDGED, ESCALATION_KINDS, WEIGHT, NoticeKind, weight

SECTIONS = ("escalated", "acknowledged", "today", "overdue", "coming", "other")  # the brief's order
ROUTINE = ("today", "overdue", "coming", "other")  # what may be folded into the next brief
K = NoticeKind
_SECTION_OF: dict[str, str] = {
    K.DUE: "today", K.REPORT_DUE: "today", K.OVERDUE: "overdue", K.REPORT_OVERDUE: "overdue", K.UNASSIGNED: "overdue",
    K.REMINDER: "coming", K.REPORT_REMINDER: "coming", K.REPORT_GAP: "coming",
    ACKNOWLEDGED: "acknowledged", **{kind: "escalated" for kind in ESCALATION_KINDS}}


@dataclass
class Item:
    id: int
    kind: str
    topic: str | None
    due: date | None
    area_id: str | None
    subject: str
    decided: date
    milestone_instance_id: int | None = None


@dataclass
class Line:
    text: str
    area: str | None
    since: date | None
    days: int | None  # working days overdue (or since the stall began); None: not overdue
    items: int = 1
    link: str | None = None  # where the reader acts on it: the milestone, or the area's page
    ids: list[int] = field(default_factory=list)  # the notices this line shows
    weight: int = len(WEIGHT)
    ack: Any = None  # the thing's acknowledgement holding today, if any: shown beside it


@dataclass
class BriefContent:
    sections: dict[str, list[Line]] = field(default_factory=lambda: {s: [] for s in SECTIONS})
    folded: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))

    def count(self, section: str) -> int:
        return len(self.sections[section])

    @property
    def empty(self) -> bool:
        return not any(self.sections.values())

    @property
    def shown_ids(self) -> list[int]:
        return [i for lines in self.sections.values() for line in lines for i in line.ids]

    @property
    def lines(self) -> int:
        return sum(len(lines) for lines in self.sections.values())


def rank(items: Iterable[Item], area_name: Callable[[str], str], as_of: date,
         link: Callable[[Item], str | None] = lambda item: None, acks: dict[str, Any] | None = None) -> BriefContent:
    """One line per topic, in the highest section any of its items belongs to, with the link to
    act on it; escalated heaviest first, overdue oldest first and grouped per area, the rest by date."""
    by_topic: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        by_topic[item.topic or f"#{item.id}"].append(item)
    content = BriefContent()
    today = calendar.business_ordinal(as_of)
    for topic, group in by_topic.items():
        section = min((_SECTION_OF.get(i.kind, "other") for i in group), key=SECTIONS.index)
        latest = max(group, key=lambda i: (i.decided, _SECTION_OF.get(i.kind, "other") == section, i.id))
        due = latest.due
        days = today - calendar.business_ordinal(due) if due is not None and due < as_of else None
        heaviest = min(weight(i.kind) for i in group)
        content.sections[section].append(Line(
            latest.subject, area_name(latest.area_id) if latest.area_id else None, due, days, len(group),
            link(latest), [i.id for i in group], heaviest, (acks or {}).get(topic)))
    for section, lines in content.sections.items():
        if section == "escalated":
            lines.sort(key=lambda line: (line.weight, -(line.days or 0), line.area or "", line.text))
        elif section == "overdue":
            lines.sort(key=lambda line: (line.area or "", -(line.days or 0), line.text))
        else:
            lines.sort(key=lambda line: (line.since or date.max, line.area or "", line.text))
    return content


def fold(content: BriefContent, budget: int) -> BriefContent:
    """Keep every escalated and acknowledged line; of the routine ones, as many as ``budget``
    allows in rank order. The rest is counted in ``folded`` and not shown (its notices wait)."""
    left = budget
    for section in ROUTINE:
        lines = content.sections[section]
        kept = lines[:max(left, 0)]
        content.folded[section] = len(lines) - len(kept)
        content.sections[section] = kept
        left -= len(kept)
    return content
