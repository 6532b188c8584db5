"""Load phases.yml and areas.yml together and refuse them unless everything checks out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from ctcflow.core.config import Settings, get_settings
from ctcflow.core.errors import DefinitionError, Problem
from ctcflow.definition.duerules import DueRule
from ctcflow.definition.located import Located, attach_sources, problems_from_validation
from ctcflow.definition.organisation import OrganisationDef
from ctcflow.definition.process import MilestoneDef, PhaseDef, ProcessDef
from ctcflow.definition.validation import Findings, check_never_due, check_organisation, check_process, parse_rules
from ctcflow.definition.yamlload import load_yaml


@dataclass(frozen=True)
class Definitions:
    process: ProcessDef
    org: OrganisationDef
    rules: dict[str, DueRule]

    def milestone(self, milestone_id: str) -> tuple[PhaseDef, MilestoneDef] | None:
        for phase in self.process.phases:
            for ms in phase.milestones:
                if ms.id == milestone_id:
                    return phase, ms
        return None

    def phase_rules(self, phase: PhaseDef) -> dict[str, DueRule]:
        return {m.id: self.rules[m.id] for m in phase.milestones}


def load_validated(path: Path, model: type[Located]) -> Located:
    raw = load_yaml(path)
    if not isinstance(raw, dict):
        raise DefinitionError([Problem(path, 1, None, "expected a mapping at the top of the file",
                                       "see the shipped file for the expected structure")])
    try:
        parsed = model.model_validate(raw)
    except ValidationError as exc:
        raise DefinitionError(problems_from_validation(path, raw, exc)) from None
    attach_sources(parsed, raw)
    return parsed


def load_definitions(settings: Settings | None = None) -> Definitions:
    """Both files, validated against each other; raises DefinitionError listing every problem."""
    settings = settings or get_settings()
    problems: list[Problem] = []
    process = org = None
    try:
        process = load_validated(settings.phases_path, ProcessDef)
    except DefinitionError as exc:
        problems += exc.problems
    try:
        org = load_validated(settings.areas_path, OrganisationDef)
    except DefinitionError as exc:
        problems += exc.problems
    if problems:
        raise DefinitionError(problems)
    assert isinstance(process, ProcessDef) and isinstance(org, OrganisationDef)
    findings = Findings(settings.phases_path, settings.areas_path)
    rules = parse_rules(process, findings)
    check_process(process, rules, findings)
    check_organisation(process, org, findings)
    if not findings.problems:
        check_never_due(process, org, rules, findings)
    if findings.problems:
        raise DefinitionError(findings.problems)
    return Definitions(process, org, rules)
