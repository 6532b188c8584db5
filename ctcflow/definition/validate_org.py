"""Cross-checks of areas.yml against phases.yml: administrations, roles, people and their
references, responsibilities — and that every area's milestones can fall due."""

from __future__ import annotations

from datetime import date

from ctcflow.core.folding import fold
from ctcflow.definition.duerules import AfterMilestone, DueRule, Recurring
from ctcflow.definition.findings import Findings, duplicates
from ctcflow.definition.organisation import REFERENCE, OrganisationDef, PersonDef, ResponsibilityDef
from ctcflow.definition.process import ProcessDef


def check_never_due(process: ProcessDef, org: OrganisationDef, rules: dict[str, DueRule], out: Findings) -> None:
    """A required milestone whose rule has no occurrence after the first area starts would
    block its phase gate forever."""
    earliest = min((a.start for a in org.areas), default=None)
    never: set[str] = set()
    for phase in process.phases:
        for ms in phase.milestones:
            rule = rules.get(ms.id)
            if isinstance(rule, Recurring):
                years = rule.years()
                if not years or (earliest and rule.occurrence(years[-1]) < earliest):
                    never.add(ms.id)
    for phase in process.phases:  # propagate through 'after' rules, in definition order
        for ms in phase.milestones:
            rule = rules.get(ms.id)
            if isinstance(rule, AfterMilestone) and rule.milestone in never:
                never.add(ms.id)
    for phase in process.phases:
        for ms in phase.milestones:
            if ms.id in never and ms.required:
                out.phases(ms, ms.id, f"required milestone can never become due (rule '{ms.due}')",
                           "extend 'until', fix the years, or set required: false", "due")


def _check_person(person: PersonDef, scope: str, process: ProcessDef, org_admins: set[str], out: Findings) -> None:
    roles = {r.id: r for r in process.roles}
    sectors = {s.id for s in process.sectors}
    role = roles.get(person.role)
    if role is None:
        out.areas(person, person.id, f"unknown role '{person.role}'", f"use one of: {', '.join(sorted(roles))}", "role")
    elif role.scope != scope:
        where = "under an area's people" if role.scope == "area" else "under 'central'"
        out.areas(person, person.id, f"role '{person.role}' is a {role.scope} role",
                  f"list this person {where}", "role")
    if not REFERENCE.match(person.notify):
        if "://" in person.notify or "@" in person.notify:
            message = "notification target is a literal address or secret, which must never be in this file"
            hint = ("put the apprise URL in an environment variable or a Prefect Secret block "
                    "and write notify: env:NAME or secret:BLOCK")
        else:
            message = f"cannot read notification reference '{person.notify}'"
            hint = "write notify: env:VARIABLE_NAME or notify: secret:prefect-block-name"
        out.areas(person, person.id, message, hint, "notify")
    if person.sector is not None and person.sector not in sectors:
        out.areas(person, person.id, f"unknown sector '{person.sector}'",
                  f"use one of: {', '.join(sorted(sectors))}", "sector")
    if person.valid_from and person.valid_until and person.valid_until < person.valid_from:
        out.areas(person, person.id, "'until' is before 'from'", "swap or correct the dates", "until")


def _check_overlaps(entries: list[ResponsibilityDef], out: Findings) -> None:
    """One holder per role at a time: two entries for a role from the same day leave it open who holds it."""
    first: dict[tuple[str, date], ResponsibilityDef] = {}
    for resp in entries:
        earlier = first.setdefault((resp.role, resp.valid_from), resp)
        if earlier is not resp:
            out.areas(resp, resp.role, f"role '{resp.role}' is given to both '{earlier.administration}' (line "
                      f"{earlier.line()}) and '{resp.administration}' from {resp.valid_from}",
                      "keep one, or give the later holder a later 'from' date", "responsibilities")


def check_organisation(process: ProcessDef, org: OrganisationDef, out: Findings) -> None:
    sectors = {s.id for s in process.sectors}
    for area in org.areas:
        unknown = [s for s in area.team_sectors if s not in sectors]
        if unknown:
            out.areas(area, area.id, f"unknown sectors in team_sectors: {', '.join(unknown)}",
                      f"use sector ids from phases.yml: {', '.join(sorted(sectors))}", "team_sectors")
    reports = {r.id for r in process.reports}
    for report_id, wording in org.reports.items():
        if report_id not in reports:
            out.areas(wording, report_id, f"reports: '{report_id}' is not a report of phases.yml",
                      f"use a report id from phases.yml: {', '.join(sorted(reports)) or '(none)'}")
    admins = {a.id for a in org.administrations}
    roles = {r.id for r in process.roles}
    for ident, node, first in duplicates((a.id, a) for a in org.administrations):
        out.areas(node, ident, f"duplicate administration id (first on line {first.line()})", "give each its own id")
    for ident, node, first in duplicates([*((a.id, a) for a in org.areas), *((c.id, c) for c in org.comparison_areas)]):
        out.areas(node, ident, f"duplicate area id (first on line {first.line()})", "give each area its own id")
    taken: dict[str, str] = {}
    for area in org.areas:  # a delområde in two areas would split its pupils between them
        for d in area.delomraden:
            if taken.get(fold(d), area.id) != area.id:
                out.areas(area, area.id, f"delområde '{d}' is also in area {taken[fold(d)]}",
                          "a delområde belongs to one area: list it once", "delomraden")
            taken.setdefault(fold(d), area.id)
    for c in org.comparison_areas:
        for d in c.delomraden:
            if fold(d) in taken:
                out.areas(c, c.id, f"delområde '{d}' is in CTC area {taken[fold(d)]} and in this comparison area",
                          "a comparison area is one where CTC does not run: list each delområde once")
    people = [*((p.id, p) for p in org.central), *((p.id, p) for a in org.areas for p in a.people)]
    for ident, node, first in duplicates(people):
        out.areas(node, ident, f"duplicate person id (first on line {first.line()})",
                  "person ids must be unique in the file")
    for entries in (org.responsibilities, *(a.responsibilities for a in org.areas)):
        _check_overlaps(entries, out)
    responsibilities = [*org.responsibilities, *(r for a in org.areas for r in a.responsibilities)]
    for resp in responsibilities:
        if resp.role not in roles:
            out.areas(resp, resp.role, f"unknown role '{resp.role}'", f"use one of: {', '.join(sorted(roles))}", "role")
        if resp.administration not in admins:
            out.areas(resp, resp.administration, f"unknown administration '{resp.administration}'",
                      "add it under 'administrations' or correct the id", "administration")
    for person in org.central:
        _check_person(person, "central", process, admins, out)
    for area in org.areas:
        for person in area.people:
            _check_person(person, "area", process, admins, out)
        lead = process.area_lead
        # an area with people must name its lead; one with nobody yet is planned, not started —
        # its vacant lead is escalated from its start day on, like any vacancy
        if lead and area.people and not any(p.role == lead for p in area.people):
            out.areas(area, area.id, f"area has no {lead}",
                      f"add a person with role: {lead} under the area's people", "people")
