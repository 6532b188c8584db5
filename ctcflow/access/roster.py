"""Who is who after the changes made on the web: areas.yml is the baseline, and each dated
change — someone joins an area (or the central staff) in a role, someone leaves — is applied
over it in the order it was made. The result is an ordinary organisation, so the permission
rule, the directory of role holders, sign-in and every notice read the same roster.

The database holds these changes: the source of truth for people is areas.yml *plus* the
changes, so editing areas.yml (and `ctc sync`, which never touches them) and the web never fight —
a change on the web stays in force over a later edit of the file."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ctcflow.definition.organisation import AreaDef, OrganisationDef, PersonDef
from db.statuses import StaffChangeKind

MAIL = "mail:"  # a person reached at their own address through the organisation's mail server


@dataclass(frozen=True)
class Change:
    kind: str  # join | leave | address (a corrected e-mail address, from its day on)
    person_id: str
    on: date  # join: the first day; leave: the last day
    name: str | None = None
    role: str | None = None
    area_id: str | None = None
    email: str | None = None
    sector: str | None = None
    lang: str | None = None


def joined(change: Change) -> PersonDef:
    return PersonDef.model_validate({
        "id": change.person_id, "name": change.name, "role": change.role, "notify": f"{MAIL}{change.email}",
        "email": change.email, "lang": change.lang or "sv", "sector": change.sector, "from": change.on})


def apply_changes(org: OrganisationDef, changes: Iterable[Change]) -> OrganisationDef:
    central = list(org.central)
    people = {a.id: list(a.people) for a in org.areas}
    for change in changes:
        if change.kind == StaffChangeKind.JOIN:
            people.get(change.area_id or "", central).append(joined(change))
        elif change.kind == StaffChangeKind.ADDRESS:
            for group in (central, *people.values()):
                for i, person in enumerate(group):
                    if person.id == change.person_id:
                        group[i] = person.model_copy(update={"notify": f"{MAIL}{change.email}",
                                                             "email": change.email})
        elif change.kind == StaffChangeKind.LEAVE:
            for group in (central, *people.values()):
                for i, person in enumerate(group):
                    if person.id == change.person_id:
                        until = min(person.valid_until or change.on, change.on)
                        group[i] = person.model_copy(update={"valid_until": until})
    areas: list[AreaDef] = [a.model_copy(update={"people": people[a.id]}) for a in org.areas]
    return org.model_copy(update={"central": central, "areas": areas})


def new_person_id(name: str, taken: set[str]) -> str:
    """'Åsa Nilsson-Berg' → 'asa_nilsson_berg' (then _2, _3 … if taken): an id nobody types."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "_", plain).strip("_") or "person"
    base = base if base[0].isalpha() else f"p_{base}"
    found, n = base, 1
    while found in taken:
        n += 1
        found = f"{base}_{n}"
    return found
