"""programmes.yml: the catalogue of prevention programmes a handlingsplan chooses from."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field

from ctcflow.core.config import Settings, get_settings
from ctcflow.core.errors import DefinitionError, Problem
from ctcflow.definition.loader import load_validated
from ctcflow.definition.located import Located
from ctcflow.definition.process import IDENT, Titles
from ctcflow.definition.survey import load_survey


class FidelityDef(Located):
    measures: list[str] = Field(min_length=1)
    min_adherence: float = Field(gt=0, le=1, description="share of the protocol followed below which it is flagged")


class ProgrammeDef(Located):
    id: str = Field(pattern=IDENT)
    name: str
    description: Titles
    targets: list[str] = Field(min_length=1)
    age_group: Titles
    evidence: Titles
    source: str
    fidelity: FidelityDef


class CatalogueDef(Located):
    version: Literal[1]
    programmes: list[ProgrammeDef] = Field(min_length=1)
    # the milestone (phases.yml) that a reported period of every programme in an area's plan
    # completes — sessions held, participants reached and adherence, as its done_when asks
    fidelity_milestone: str | None = Field(default=None, pattern=IDENT)

    def programme(self, programme_id: str) -> ProgrammeDef | None:
        return next((p for p in self.programmes if p.id == programme_id), None)

    def for_factor(self, factor_id: str) -> list[ProgrammeDef]:
        return [p for p in self.programmes if factor_id in p.targets]


def load_programmes(settings: Settings | None = None) -> CatalogueDef:
    """programmes.yml, checked against survey.yml; read again only when either file changes."""
    settings = settings or get_settings()
    path, survey_path = settings.programmes_path, settings.survey_path
    return _load_programmes(path, _mtime(path), survey_path, _mtime(survey_path))


def _mtime(path: Path) -> int:
    return path.stat().st_mtime_ns if path.exists() else 0


@lru_cache(maxsize=4)
def _load_programmes(path: Path, _stamp: int, survey_path: Path, _survey_stamp: int) -> CatalogueDef:

    survey = load_survey()

    catalogue = load_validated(path, CatalogueDef)
    assert isinstance(catalogue, CatalogueDef)
    factors = {f.id for f in survey.factors}
    problems: list[Problem] = []
    seen: set[str] = set()
    for programme in catalogue.programmes:
        if programme.id in seen:
            problems.append(Problem(path, programme.line(), programme.id, "duplicate programme id",
                                    "give each programme its own id"))
        seen.add(programme.id)
        unknown = [t for t in programme.targets if t not in factors]
        if unknown:
            problems.append(Problem(path, programme.line("targets"), programme.id,
                                    f"targets factors survey.yml does not define: {', '.join(unknown)}",
                                    "use factor ids from survey.yml"))
    if problems:
        raise DefinitionError(problems)
    return catalogue
