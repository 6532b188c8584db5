"""Handover: a person who takes over a role someone held before (a new holder, a reorganisation)
gets one handover brief — everything open in their remit, ranked and whole, nothing folded —
so a change of people never loses the thread. It is their first brief: the morning's sweep has
decided for them every rung and stage that is current (keys are per person), so what reaches
them is what is open, not what happens to be new."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlmodel import Session, col

from ctcflow.definition.loader import Definitions
from ctcflow.definition.organisation import PersonDef
from ctcflow.delivery.kinds import BRIEF
from db.models import Notification
from db.statuses import NoticeStatus

if TYPE_CHECKING:
    from ctcflow.notices.composer import Composer


@dataclass(frozen=True)
class Handover:
    person: PersonDef
    area_id: str | None
    previous: PersonDef | None  # who held the role before, if they have left

    def context(self, composer: Composer, lang: str) -> dict[str, Any]:
        return {"role": composer.role_title(self.person.role, lang), "since": self.person.valid_from,
                "area": composer.directory.area_name(self.area_id) if self.area_id else None,
                "previous": self.previous.name if self.previous else None}


def took_over(defs: Definitions, person_id: str) -> Handover | None:
    """The person's handover, if they started in a role that someone else held before them."""
    found = defs.org.person(person_id)
    start = found[0].valid_from if found else None
    if found is None or start is None:
        return None
    person, area = found
    pool = area.people if area else defs.org.central
    before = [p for p in pool if p.id != person.id and p.role == person.role
              and (p.valid_from is None or p.valid_from < start)]
    if not before:
        return None
    left = [p for p in before if p.valid_until is not None and p.valid_until < start]
    previous = max(left, key=lambda p: p.valid_until or date.min) if left else None
    return Handover(person, area.id if area else None, previous)


def handovers(session: Session, defs: Definitions, as_of: date, candidates: set[str]) -> dict[str, Handover]:
    """Of ``candidates`` (people with something to be told), those whose next brief is their
    handover brief: they took over a role, have started by ``as_of`` and have had no brief yet."""
    taking = {person_id: h for person_id in candidates
              if (h := took_over(defs, person_id)) is not None and h.person.valid_from is not None
              and h.person.valid_from <= as_of}
    if not taking:
        return {}
    had = set(session.execute(select(col(Notification.recipient)).distinct()
                              .where(col(Notification.kind) == BRIEF, col(Notification.recipient).in_(taking),
                                     col(Notification.status) != NoticeStatus.CANCELLED)).scalars())
    return {person_id: h for person_id, h in taking.items() if person_id not in had}
