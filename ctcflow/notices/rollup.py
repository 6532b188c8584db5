"""Roll-up by level: from the chiefs upward (``roll_up_from`` in phases.yml) late milestones are
told per area, not one by one — "Holma: 6 milestones more than 20 working days late, the oldest
since …" — one line a chief or the board can act on. The area's roll-up climbs like any thing:
its rungs come from its milestones' rungs, the top is reminded at its cadence, and an
acknowledgement of the area pauses it.

Keys name the area, the role told and the oldest late milestone's due date: the roll-up is told again
when that changes (the oldest was done, the picture moved), never each day."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlmodel import Session

from ctcflow.definition.organisation import PersonDef
from ctcflow.delivery import keys
from ctcflow.delivery.kinds import NoticeKind
from ctcflow.notices.acks import Ack
from ctcflow.notices.composer import Composer
from ctcflow.notices.milestone_notices import lapsed_context
from ctcflow.notices.open_work import OpenMilestone
from ctcflow.notices.outbox import Notice
from ctcflow.notices.policy import Occasion, Rung, repeat_at_top

AREA_LATE = NoticeKind.AREA_LATE


class Rollups:
    """The late milestones of one sweep that reached a rolled-up rung, gathered per area and rung."""

    def __init__(self, composer: Composer) -> None:
        self.composer = composer
        self.levels = composer.levels
        kinds = composer.defs.process.hierarchy
        start = composer.defs.process.notification_policy.roll_up_from
        self.from_level = next((i for i, level in enumerate(kinds) if start in level), len(kinds))
        # per area and role told: each late milestone that reached that role, with its rung (the
        # rung differs by owner: a samordnare's milestone reaches the chief at its first rung)
        self._late: dict[tuple[str, str], list[tuple[OpenMilestone, int, Rung]]] = defaultdict(list)

    def takes(self, occasion: Occasion) -> bool:
        """An escalation to a role at or above the roll-up level: told per area."""
        return occasion.kind == "escalation" and self.levels.get(occasion.role, -1) >= self.from_level

    def add(self, row: OpenMilestone, occasion: Occasion) -> None:
        if occasion.repeat:
            return  # the roll-up's own top is reminded at its cadence, below
        rung = Rung(occasion.stage, occasion.role, occasion.level, occasion.top, occasion.above)
        self._late[(row.area_id, occasion.role)].append((row, occasion.days_overdue, rung))

    def notices(self, session: Session) -> list[Notice]:
        composer = self.composer
        paused, acks = composer.paused(session), composer.acks(session)
        every = composer.defs.process.notification_policy.remind_top_every
        planned: list[Notice] = []
        for (area_id, _), late in sorted(self._late.items(), key=lambda item: (item[0][0], self.levels[item[0][1]])):
            topic = keys.topic_area_late(area_id)
            if topic in paused:
                continue  # acknowledged: the area's climb waits
            late.sort(key=lambda item: (item[0].due_date, item[0].milestone_id))
            rung = min((r for _, _, r in late), key=lambda r: r.after)  # "more than X working days": the least
            rung = Rung(rung.after, rung.role, rung.level, any(r.top for _, _, r in late), rung.above)
            for repeat in sorted({0, repeat_at_top(rung, max(days for _, days, _ in late), every)}):
                planned += _notices(composer, area_id, rung, [(row, days) for row, days, _ in late], repeat,
                                    acks.get(topic))
        return planned


def _notices(composer: Composer, area_id: str, rung: Rung, late: list[tuple[OpenMilestone, int]], repeat: int,
             ack: Ack | None) -> list[Notice]:
    told = composer.directory.on_ladder((rung.role, *rung.above), area_id)
    topic = keys.topic_area_late(area_id)
    oldest: date = late[0][0].due_date
    stage = f"rung-{rung.role}" + (f"-again-{repeat}" if repeat else "")
    notices = []
    for person in told.people:
        def context(person: PersonDef = person, lang: str = person.lang) -> dict[str, Any]:
            return {
                "person": person.name, "area": composer.directory.area_name(area_id), "count": len(late),
                "after": rung.after, "oldest": oldest, "top": rung.top, "repeat": repeat, "as_of": composer.as_of,
                "role": composer.role_title(told.role, lang), "responsible": composer.responsible(area_id, lang),
                "milestones": [{"title": composer.milestones[row.milestone_id][1].title.get(lang), "due": row.due_date,
                                "days": days,
                                "owner": composer.role_title(composer.milestones[row.milestone_id][1].owner, lang)}
                               for row, days in late],
                "lapsed": lapsed_context(composer, ack, lang), "municipality": composer.defs.org.municipality,
                "link": composer.links.page(person.id, area_id)}

        notices.append(Notice(
            key=keys.stall(topic, oldest, stage, person.id), kind=AREA_LATE, as_of=composer.as_of,
            area_id=area_id, recipient=person.id, reference=person.notify, lang=person.lang,
            template=AREA_LATE, context=context, topic=topic, due=oldest, role=told.role))
    return notices
