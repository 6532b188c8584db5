"""Cross-checks of phases.yml and areas.yml that a schema cannot express.

Every check adds Problems instead of stopping, so one run of ``ctc check`` lists them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from ctcflow.core.errors import Problem
from ctcflow.definition.duerules import AfterMilestone, DueRule, DueRuleError, Recurring, parse_due_rule
from ctcflow.definition.located import Located
from ctcflow.definition.organisation import REFERENCE, OrganisationDef, PersonDef
from ctcflow.definition.process import REQUIRED_KINDS, ProcessDef


class Findings:
    def __init__(self, phases_path: Path, areas_path: Path):
        self.phases_path, self.areas_path = phases_path, areas_path
        self.problems: list[Problem] = []

    def phases(self, node: Located, ident: str | None, message: str, hint: str, key: str | None = None) -> None:
        self.problems.append(Problem(self.phases_path, node.line(key), ident, message, hint))

    def areas(self, node: Located, ident: str | None, message: str, hint: str, key: str | None = None) -> None:
        self.problems.append(Problem(self.areas_path, node.line(key), ident, message, hint))


def _duplicates(items: Iterable[tuple[str, Located]]) -> list[tuple[str, Located, Located]]:
    seen: dict[str, Located] = {}
    found = []
    for ident, node in items:
        if ident in seen:
            found.append((ident, node, seen[ident]))
        else:
            seen[ident] = node
    return found


def parse_rules(process: ProcessDef, out: Findings) -> dict[str, DueRule]:
    rules: dict[str, DueRule] = {}
    for phase in process.phases:
        for ms in phase.milestones:
            try:
                rules[ms.id] = parse_due_rule(ms.due)
            except DueRuleError as exc:
                out.phases(ms, ms.id, f"unparsable due rule: {exc}", "fix the 'due' phrase", "due")
    return rules


def _check_role_kinds(process: ProcessDef, out: Findings) -> None:
    """Each kind names one role, and the kinds ctcflow cannot work without are there."""
    for kind, node, first in _duplicates((r.kind, r) for r in process.roles if r.kind is not None):
        out.phases(node, kind, f"two roles of kind '{kind}' (the other on line {first.line()})",
                   "give the kind to one role only", "kind")
    for kind, scope in REQUIRED_KINDS.items():
        role = next((r for r in process.roles if r.kind == kind), None)
        if role is None:
            out.phases(process, None, f"no role of kind '{kind}'",
                       f"mark the {scope} role that is the {kind.replace('_', ' ')} with kind: {kind}", "roles")
        elif role.scope != scope:
            out.phases(role, role.id, f"the {kind.replace('_', ' ')} role must have scope: {scope}",
                       f"set scope: {scope} or give kind: {kind} to another role", "scope")


def check_process(process: ProcessDef, rules: dict[str, DueRule], out: Findings) -> None:
    role_ids = {r.id for r in process.roles}
    for ident, node, first in _duplicates((r.id, r) for r in process.roles):
        out.phases(node, ident, f"duplicate role id (first on line {first.line()})", "give each role its own id")
    for ident, node, first in _duplicates((s.id, s) for s in process.sectors):
        out.phases(node, ident, f"duplicate sector id (first on line {first.line()})", "give each sector its own id")
    for ident, node, first in _duplicates((p.id, p) for p in process.phases):
        out.phases(node, ident, f"duplicate phase id (first on line {first.line()})", "give each phase its own id")
    all_ms = [(m.id, m) for p in process.phases for m in p.milestones]
    for ident, node, first in _duplicates(all_ms):
        out.phases(node, ident, f"duplicate milestone id (first on line {first.line()})",
                   "milestone ids must be unique across all phases; rename one")

    _check_role_kinds(process, out)

    def unknown_role(node: Located, ident: str, role: str, key: str) -> None:
        if role not in role_ids:
            out.phases(node, ident, f"unknown role '{role}'", f"use one of: {', '.join(sorted(role_ids))}", key)

    policy = process.notification_policy
    for step in policy.escalation:
        unknown_role(step, step.to, step.to, "to")
    afters = [s.after for s in policy.escalation]
    if afters != sorted(set(afters)):
        out.phases(policy, None, f"escalation steps must come in increasing 'after' order, got {afters}",
                   "order the ladder from the first step to the last", "escalation")
    if any(n < 1 for n in policy.reminders_before_due):
        out.phases(policy, None, "reminders_before_due must be positive numbers of working days",
                   "write e.g. [10, 3]", "reminders_before_due")

    for index, phase in enumerate(process.phases):
        unknown_role(phase.gate, phase.id, phase.gate.approver, "approver")
        if phase.recurs_every_years and index != len(process.phases) - 1:
            out.phases(phase, phase.id, "only the last phase may recur",
                       "remove recurs_every_years or move the phase last", "recurs_every_years")
        for ms in phase.milestones:
            unknown_role(ms, ms.id, ms.owner, "owner")
    _check_dependencies(process, rules, out)
    _check_reports(process, out, unknown_role)


def _check_reports(process: ProcessDef, out: Findings, unknown_role: Callable[[Located, str, str, str], None]) -> None:
    milestone_ids = set(_phase_of(process))
    for ident, node, first in _duplicates((r.id, r) for r in process.reports):
        out.phases(node, ident, f"duplicate report id (first on line {first.line()})", "give each report its own id")
    for report in process.reports:
        unknown_role(report, report.id, report.owner, "owner")
        for role in report.recipients:
            unknown_role(report, report.id, role, "recipients")
        for role in report.mandated.values():
            unknown_role(report, report.id, role, "mandated")
        for step in report.escalation:
            unknown_role(step, report.id, step.to, "to")
        try:
            rule = parse_due_rule(report.due)
        except DueRuleError as exc:
            out.phases(report, report.id, f"unparsable due rule: {exc}", "fix the 'due' phrase", "due")
        else:
            if not isinstance(rule, Recurring):
                out.phases(report, report.id, "a report's due rule must recur on the calendar",
                           "write e.g. 'every 2 years from 2020 on 04-30'", "due")
        if report.area_input and report.area_input not in milestone_ids:
            out.phases(report, report.id, f"area_input names unknown milestone '{report.area_input}'",
                       "use the id of the areas' input milestone in phases.yml", "area_input")
        if any(n < 1 for n in report.gap_checks_before):
            out.phases(report, report.id, "gap_checks_before must be positive numbers of working days",
                       "write e.g. [15, 5]", "gap_checks_before")


def _phase_of(process: ProcessDef) -> dict[str, int]:
    return {m.id: i for i, p in enumerate(process.phases) for m in p.milestones}


def _check_dependencies(process: ProcessDef, rules: dict[str, DueRule], out: Findings) -> None:
    phase_of = _phase_of(process)
    edges: dict[str, list[str]] = {}
    for index, phase in enumerate(process.phases):
        for ms in phase.milestones:
            targets = list(ms.depends_on)
            for dep in ms.depends_on:
                if dep not in phase_of:
                    out.phases(ms, ms.id, f"depends_on names unknown milestone '{dep}'",
                               "use the id of a milestone defined in phases.yml", "depends_on")
                elif phase_of[dep] > index:
                    out.phases(ms, ms.id, f"depends on '{dep}' of a later phase, so it can never become due",
                               "depend only on milestones of this phase or earlier ones", "depends_on")
            rule = rules.get(ms.id)
            if isinstance(rule, AfterMilestone):
                if rule.milestone not in phase_of:
                    out.phases(ms, ms.id, f"due rule refers to unknown milestone '{rule.milestone}'",
                               "write 'after ID + …' with the id of a milestone in this phase", "due")
                elif phase_of[rule.milestone] != index:
                    out.phases(ms, ms.id, f"due rule refers to '{rule.milestone}' of another phase",
                               "an 'after' rule must refer to a milestone of the same phase", "due")
                else:
                    targets.append(rule.milestone)
            edges[ms.id] = [t for t in targets if t in phase_of]
    cycle = _find_cycle(edges)
    if cycle:
        where = next(m for p in process.phases for m in p.milestones if m.id == cycle[0])
        out.phases(where, cycle[0], "dependency cycle: " + " → ".join(cycle),
                   "remove one of these depends_on/after links")


def _find_cycle(edges: dict[str, list[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in edges.get(node, []):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if state.get(nxt) is None and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in edges:
        if state.get(node) is None and (found := visit(node)):
            return found
    return None


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


def check_organisation(process: ProcessDef, org: OrganisationDef, out: Findings) -> None:
    sectors = {s.id for s in process.sectors}
    for area in org.areas:
        unknown = [s for s in area.team_sectors if s not in sectors]
        if unknown:
            out.areas(area, area.id, f"unknown sectors in team_sectors: {', '.join(unknown)}",
                      f"use sector ids from phases.yml: {', '.join(sorted(sectors))}", "team_sectors")
    admins = {a.id for a in org.administrations}
    roles = {r.id for r in process.roles}
    for ident, node, first in _duplicates((a.id, a) for a in org.administrations):
        out.areas(node, ident, f"duplicate administration id (first on line {first.line()})", "give each its own id")
    for ident, node, first in _duplicates((a.id, a) for a in org.areas):
        out.areas(node, ident, f"duplicate area id (first on line {first.line()})", "give each area its own id")
    people = [*((p.id, p) for p in org.central), *((p.id, p) for a in org.areas for p in a.people)]
    for ident, node, first in _duplicates(people):
        out.areas(node, ident, f"duplicate person id (first on line {first.line()})",
                  "person ids must be unique in the file")
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
        if lead and not any(p.role == lead for p in area.people):
            out.areas(area, area.id, f"area has no {lead}",
                      f"add a person with role: {lead} under the area's people", "people")
