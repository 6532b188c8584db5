"""areas.yml as typed data: areas, people with notification references, and who is
responsible when — dated, so a reorganisation is a change with a history, not an overwrite."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import Field, PrivateAttr

from ctcflow.core.errors import Invalid
from ctcflow.definition.located import Located
from ctcflow.definition.process import IDENT, DecisionMeetingsDef, Titles

REFERENCE = re.compile(r"^(env|secret):([A-Za-z0-9_][A-Za-z0-9_.\-]*)$")


class AdministrationDef(Located):
    id: str = Field(pattern=IDENT)
    name: str


class ResponsibilityDef(Located):
    """From ``from`` on, ``role`` belongs to ``administration`` (until the next dated entry)."""

    role: str
    administration: str
    valid_from: date = Field(alias="from")


NAME_MAX = 200  # a person's name; anything longer is a paste gone wrong


class PersonDef(Located):
    id: str = Field(pattern=IDENT, max_length=NAME_MAX)
    name: str = Field(min_length=1, max_length=NAME_MAX)
    role: str
    notify: str = Field(description="env:VARIABLE or secret:prefect-secret-block")
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$",
                              description="the address the person signs in with (default: their mail channel's)")
    lang: Literal["sv", "en"] = "sv"
    sector: str | None = None
    brief: Literal["daily", "weekly"] = Field(default="daily", description="how often the person's brief comes")
    valid_from: date | None = Field(default=None, alias="from")
    valid_until: date | None = Field(default=None, alias="until")

    def active_on(self, day: date) -> bool:
        starts_ok = self.valid_from is None or self.valid_from <= day
        return starts_ok and (self.valid_until is None or day <= self.valid_until)


class AreaDef(Located):
    id: str = Field(pattern=IDENT)
    name: str
    delomraden: list[str] = Field(min_length=1)
    start: date
    people: list[PersonDef] = Field(default_factory=list)
    responsibilities: list[ResponsibilityDef] = Field(default_factory=list)
    # Sectors represented in the områdesteam by members who get no notifications of their own
    # (people listed above with a sector count too).
    team_sectors: list[str] = Field(default_factory=list)

    def sectors_represented(self, day: date) -> set[str]:
        return {*self.team_sectors, *(p.sector for p in self.people if p.sector and p.active_on(day))}


class ComparisonAreaDef(Located):
    """An area that does not run CTC, its pupils tabulated like an area's so the effects of CTC
    can be measured against it."""

    id: str = Field(pattern=IDENT)
    name: str
    delomraden: list[str] = Field(min_length=1)


class ReportWordingDef(Located):
    """What a municipality's report of the process says about the municipality: its title, the
    decision behind it, the diarienummer and meetings of its occasions. phases.yml's process may
    be shared by many municipalities; these are each one's own (each given replaces phases.yml's)."""

    title: Titles | None = None
    background: Titles | None = None
    case_numbers: dict[int, str] = Field(default_factory=dict)
    meetings: dict[int, DecisionMeetingsDef] = Field(default_factory=dict)


class UnknownArea(Invalid):
    """An area id that is not one of the municipality's: said once, with the ones there are."""

    def __init__(self, area_id: str, known: list[str]) -> None:
        super().__init__("area", "unknown_area", f"unknown area '{area_id}'; known areas: {', '.join(known)}")


class OrganisationDef(Located):
    municipality: str
    # report id of phases.yml → this municipality's own wording of it
    reports: dict[str, ReportWordingDef] = Field(default_factory=dict)
    administrations: list[AdministrationDef] = Field(default_factory=list)
    responsibilities: list[ResponsibilityDef] = Field(default_factory=list)
    central: list[PersonDef] = Field(default_factory=list)
    areas: list[AreaDef] = Field(default_factory=list)
    comparison_areas: list[ComparisonAreaDef] = Field(default_factory=list)
    # Lookups by id, built on first use from the lists they index (a copy with other lists —
    # the roster's changes — builds its own): one dict probe per lookup, never a scan, so work
    # done once per area stays linear in the city.
    _areas_by_id: tuple[list[AreaDef], dict[str, AreaDef]] | None = PrivateAttr(default=None)
    _people_by_id: tuple[tuple[list[AreaDef], list[PersonDef]],
                         dict[str, tuple[PersonDef, AreaDef | None]]] | None = PrivateAttr(default=None)

    @property
    def sender_name(self) -> str:
        """Whom mail comes from, as a reader sees it: the municipality's CTC, not the software."""
        return f"CTC {self.municipality}"

    def area(self, area_id: str) -> AreaDef | None:
        index = self._areas_by_id
        if index is None or index[0] is not self.areas:
            by_id: dict[str, AreaDef] = {}
            for a in self.areas:
                by_id.setdefault(a.id, a)
            index = self._areas_by_id = (self.areas, by_id)
        return index[1].get(area_id)

    def known_area(self, area_id: str) -> AreaDef:
        """The area of areas.yml, or the one refusal every command, page and flow gives."""
        area = self.area(area_id)
        if area is None:
            raise UnknownArea(area_id, [a.id for a in self.areas])
        return area

    def area_name(self, area_id: str) -> str:
        """The area's name — its id when areas.yml no longer has it (history outlives edits)."""
        area = self.area(area_id)
        return area.name if area else area_id

    def responsible_administration(self, role: str, day: date, area_id: str | None = None) -> str | None:
        """The administration holding ``role`` on ``day``; an area's own entries win."""
        area = self.area(area_id) if area_id else None
        for entries in ((area.responsibilities if area else []), self.responsibilities):
            dated = sorted((r for r in entries if r.role == role), key=lambda r: r.valid_from)
            current = [r for r in dated if r.valid_from <= day]
            if current:
                return current[-1].administration
        return None

    def people_with_role(self, role: str, day: date, area_id: str | None) -> list[PersonDef]:
        area = self.area(area_id) if area_id else None
        pool = [*(area.people if area else []), *self.central]
        return [p for p in pool if p.role == role and p.active_on(day)]

    def everyone(self) -> list[PersonDef]:
        """Central people first, then every area's."""
        return [*self.central, *(p for a in self.areas for p in a.people)]

    def person(self, person_id: str) -> tuple[PersonDef, AreaDef | None] | None:
        """The person and their area (None: central staff); an area's entry comes first."""
        index = self._people_by_id
        if index is None or index[0][0] is not self.areas or index[0][1] is not self.central:
            by_id: dict[str, tuple[PersonDef, AreaDef | None]] = {}
            for area in self.areas:
                for person in area.people:
                    by_id.setdefault(person.id, (person, area))
            for person in self.central:
                by_id.setdefault(person.id, (person, None))
            index = self._people_by_id = ((self.areas, self.central), by_id)
        return index[1].get(person_id)
