"""The Composer: what every kind of notice of one sweep needs, looked up once — the day, the
definitions, who holds which role, the templates, the links, the hierarchy, the day's stalls
and acknowledgements."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from ctcflow.access.directory import Directory
from ctcflow.access.vacancies import Vacancy, vacancies
from ctcflow.core.config import get_settings
from ctcflow.core.links import Links
from ctcflow.core.templating import Renderer, renderer
from ctcflow.core.words import say
from ctcflow.definition.loader import Definitions
from ctcflow.engine.stalls import Stall, stalls
from ctcflow.notices.acks import Ack, acks_on


class Composer:
    """Addresses notices and holds the templates; one per sweep, so people and titles are looked
    up once."""

    def __init__(self, defs: Definitions, as_of: date, templates: Renderer | None = None) -> None:
        self.defs, self.as_of = defs, as_of
        self.directory = Directory(defs, as_of)
        self.templates = templates or renderer(get_settings().templates_dir)
        self.milestones = defs.milestones
        self.levels = defs.process.levels  # who is above whom: ladders only climb
        self.links = Links(deferred=True)  # markers: the outbox never holds a working link
        self._stalls: list[Stall] | None = None
        self._acks: dict[str, Ack] | None = None
        self._vacancies: dict[tuple[str | None, str], Vacancy] | None = None

    def role_title(self, role_id: str, lang: str) -> str:
        return self.defs.name("role", role_id, lang)

    def stalls(self, session: Session) -> list[Stall]:
        """The day's stalls, found once per sweep."""
        if self._stalls is None:
            self._stalls = stalls(session, self.defs, self.as_of)
        return self._stalls

    def stalled_areas(self, session: Session) -> set[str]:
        """Areas whose own stall (never started, gone quiet) climbs for them: their late
        milestones are not escalated one by one as well."""
        return {s.area_id for s in self.stalls(session) if s.area_id and s.kind != "vacancy"}

    def acks(self, session: Session) -> dict[str, Ack]:
        if self._acks is None:
            self._acks = acks_on(session, self.as_of)
        return self._acks

    def paused(self, session: Session) -> dict[str, Ack]:
        """The things whose climb waits today: acknowledged until today or later."""
        return {topic: ack for topic, ack in self.acks(session).items() if ack.holds(self.as_of)}

    def vacancy(self, area_id: str | None, role: str) -> Vacancy | None:
        """The role's vacancy here (an area role in the area, a central role centrally), if any."""
        if self._vacancies is None:
            self._vacancies = {(v.area_id, v.role): v for v in vacancies(self.defs, self.as_of)}
        return self._vacancies.get((self.defs.process.held_in(role, area_id), role))

    def responsible(self, area_id: str | None, lang: str) -> list[str]:
        """Who answers for an area's work (its lead, then the coordinator) — 'Role: names' or
        'Role: vacant' — the line every escalation above the samordnare carries."""
        vacant = say(lang, "vacant")
        roles = [self.defs.process.area_lead, self.defs.process.coordinator] if area_id else \
            [self.defs.process.coordinator]
        return [f"{self.role_title(role, lang)}: "
                f"{', '.join(p.name for p in self.directory.holders(role, area_id)) or vacant}" for role in roles]
