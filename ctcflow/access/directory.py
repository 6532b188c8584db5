"""Who holds a role in an area (or centrally) on a day — and who is told when nobody does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ctcflow.definition.loader import Definitions
from ctcflow.definition.organisation import PersonDef


@dataclass(frozen=True)
class Recipients:
    """The people a message for ``role`` goes to. ``vacant``: nobody held the role, so these are
    the coordinators, told of that instead — a message without a reader is news, not silence."""

    role: str
    people: list[PersonDef]
    vacant: bool


class Directory:
    """Role holders looked up once per (area, role) and day; one per sweep or request."""

    def __init__(self, defs: Definitions, as_of: date) -> None:
        self.defs, self.as_of = defs, as_of
        self._cache: dict[tuple[str | None, str], list[PersonDef]] = {}

    def holders(self, role: str, area_id: str | None) -> list[PersonDef]:
        key = (area_id, role)
        if key not in self._cache:
            area = self.defs.org.area(area_id) if area_id else None
            pool = [*(area.people if area else []), *self.defs.org.central]
            self._cache[key] = [p for p in pool if p.role == role and p.active_on(self.as_of)]
        return self._cache[key]

    def coordinators(self) -> list[PersonDef]:
        return self.holders(self.defs.process.coordinator, None)

    def recipients(self, role: str, area_id: str | None) -> Recipients:
        """The one rule for a role nobody holds: its holders, or else the coordinators."""
        people = self.holders(role, area_id)
        if people:
            return Recipients(role, people, vacant=False)
        return Recipients(role, self.coordinators(), vacant=True)

    def on_ladder(self, roles: Sequence[str], area_id: str | None) -> Recipients:
        """An escalation's rung: its role's holders, or those of the first role above it someone
        holds — a vacant rung passes the news up, it does not drop it. Nobody on the way up: the
        coordinators, told that nobody holds the role."""
        for role in roles:
            people = self.holders(role, area_id)
            if people:
                return Recipients(role, people, vacant=False)
        return Recipients(roles[0], self.coordinators(), vacant=True)

    def area_name(self, area_id: str) -> str:
        return self.defs.org.area_name(area_id)
