"""Cross-checks of phases.yml and areas.yml that a schema cannot express.

Every check adds Problems instead of stopping, so one run of ``ctc check`` lists them all.
"""

from __future__ import annotations

from collections.abc import Callable

from ctcflow.definition.duerules import AfterMilestone, DueRule, DueRuleError, Recurring, parse_due_rule
from ctcflow.definition.findings import Findings, duplicates
from ctcflow.definition.located import Located
from ctcflow.definition.process import REQUIRED_KINDS, ProcessDef
from ctcflow.definition.validate_ladders import check_hierarchy, check_ladders


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
    for kind, node, first in duplicates((r.kind, r) for r in process.roles if r.kind is not None):
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
    for ident, node, first in duplicates((r.id, r) for r in process.roles):
        out.phases(node, ident, f"duplicate role id (first on line {first.line()})", "give each role its own id")
    for ident, node, first in duplicates((s.id, s) for s in process.sectors):
        out.phases(node, ident, f"duplicate sector id (first on line {first.line()})", "give each sector its own id")
    for ident, node, first in duplicates((p.id, p) for p in process.phases):
        out.phases(node, ident, f"duplicate phase id (first on line {first.line()})", "give each phase its own id")
    all_ms = [(m.id, m) for p in process.phases for m in p.milestones]
    for ident, node, first in duplicates(all_ms):
        out.phases(node, ident, f"duplicate milestone id (first on line {first.line()})",
                   "milestone ids must be unique across all phases; rename one")

    _check_role_kinds(process, out)

    def unknown_role(node: Located, ident: str, role: str, key: str) -> None:
        if role not in role_ids:
            out.phases(node, ident, f"unknown role '{role}'", f"use one of: {', '.join(sorted(role_ids))}", key)

    policy = process.notification_policy
    check_ladders(process, out, unknown_role)
    check_hierarchy(process, out)
    for role in policy.brief.immediate_escalations_to:
        unknown_role(policy.brief, role, role, "immediate_escalations_to")
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
    for ident, node, first in duplicates((r.id, r) for r in process.reports):
        out.phases(node, ident, f"duplicate report id (first on line {first.line()})", "give each report its own id")
    for report in process.reports:
        unknown_role(report, report.id, report.owner, "owner")
        for role in report.recipients:
            unknown_role(report, report.id, role, "recipients")
        for role in report.mandated.values():
            unknown_role(report, report.id, role, "mandated")
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
