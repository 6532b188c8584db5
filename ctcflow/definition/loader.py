"""Load phases.yml and areas.yml together and refuse them unless everything checks out."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pydantic import ValidationError

from ctcflow.core.config import Settings, get_settings
from ctcflow.core.errors import DefinitionError, Problem
from ctcflow.definition.cache import cached
from ctcflow.definition.duerules import DueRule
from ctcflow.definition.findings import Findings
from ctcflow.definition.located import Located, attach_sources, problems_from_validation
from ctcflow.definition.organisation import OrganisationDef
from ctcflow.definition.process import MilestoneDef, PhaseDef, ProcessDef, Titles
from ctcflow.definition.validate_org import check_never_due, check_organisation
from ctcflow.definition.validation import check_process, parse_rules
from ctcflow.definition.yamlload import load_yaml


@dataclass(frozen=True)
class Definitions:
    process: ProcessDef
    org: OrganisationDef
    rules: dict[str, DueRule]
    _names: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def milestones(self) -> dict[str, tuple[PhaseDef, MilestoneDef]]:
        """Milestone id → its phase and definition (looked up by id, never scanned)."""
        return {m.id: (p, m) for p in self.process.phases for m in p.milestones}

    def milestone(self, milestone_id: str) -> tuple[PhaseDef, MilestoneDef] | None:
        return self.milestones.get(milestone_id)

    def names(self, lang: str) -> dict[str, dict[str, str]]:
        """The display names of every id the definitions hold, in ``lang``: built once per language
        and shared by the command line, the messages, the pages and the report."""
        if lang not in self._names:
            self._names[lang] = {
                "phase": {p.id: p.title.get(lang) for p in self.process.phases},
                "milestone": {m.id: m.title.get(lang) for p in self.process.phases for m in p.milestones},
                "role": {r.id: r.title.get(lang) for r in self.process.roles},
                "administration": {a.id: a.name for a in self.org.administrations},
                "person": {p.id: p.name for p in self.org.everyone()},
                "area": {a.id: a.name for a in self.org.areas},
            }
        return self._names[lang]

    def name(self, kind: str, ident: str, lang: str) -> str:
        """A phase's, milestone's, role's … display name; the id itself when there is none."""
        return self.names(lang)[kind].get(ident, ident)

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
    """Both files, validated against each other; raises DefinitionError listing every problem.
    Validated once per change of the files (see ``cache``)."""
    settings = settings or get_settings()
    return cached([settings.phases_path, settings.areas_path], settings.data_dir / "cache",
                  lambda: validate_definitions(settings))


def validate_definitions(settings: Settings) -> Definitions:
    """Parse and check both files, every time (``load_definitions`` keeps the result)."""
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
    return Definitions(in_municipality(process, org), org, rules)


MUNICIPALITY = "{municipality}"


def in_municipality(process: ProcessDef, org: OrganisationDef) -> ProcessDef:
    """The process's reports as this municipality words them: its own title, background, case
    numbers and meetings from its areas.yml where given, ``{municipality}`` in phases.yml's words
    replaced by its name — so a process shared by many municipalities names each one's own."""
    def named(titles: Titles | None) -> Titles | None:
        if titles is None:
            return None
        return titles.model_copy(update={"sv": titles.sv.replace(MUNICIPALITY, org.municipality),
                                         "en": titles.en.replace(MUNICIPALITY, org.municipality)})

    reports = []
    for report in process.reports:
        own = org.reports.get(report.id)
        reports.append(report.model_copy(update={
            "title": named(own.title if own and own.title else report.title),
            "background": named(own.background if own and own.background else report.background),
            "case_numbers": own.case_numbers if own and own.case_numbers else report.case_numbers,
            "meetings": own.meetings if own and own.meetings else report.meetings}))
    return process.model_copy(update={"reports": reports})
