"""survey.yml as typed data, checked as a whole: every problem with its line and a fix."""

from __future__ import annotations

from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field

from ctcflow.core.config import Settings, get_settings
from ctcflow.core.errors import DefinitionError, Problem
from ctcflow.definition.findings import shared_codes
from ctcflow.definition.loader import load_validated
from ctcflow.definition.located import Located
from ctcflow.definition.process import IDENT, Titles

DOMAINS = ("samhalle", "familj", "skola", "individ")
DOMAIN_TITLES = {"samhalle": Titles(sv="Samhälle och närområde", en="Community"),
                 "familj": Titles(sv="Familj", en="Family"), "skola": Titles(sv="Skola", en="School"),
                 "individ": Titles(sv="Individ och kamrater", en="Individual and peers")}


class AnswerScale(Located):
    title: Titles
    codes: dict[int, Titles] = Field(min_length=2)

    @property
    def low(self) -> int:
        return min(self.codes)

    @property
    def high(self) -> int:
        return max(self.codes)


class ItemDef(Located):
    id: str = Field(pattern=IDENT)
    scale: str
    text: Titles


class GradeGroup(Located):
    id: str = Field(pattern=IDENT)
    title: Titles
    grades: list[str] = Field(min_length=1)


class GenderDef(Located):
    id: str = Field(pattern=IDENT)
    title: Titles
    codes: list[str] = Field(min_length=1)


class FactorDef(Located):
    id: str = Field(pattern=IDENT)
    title: Titles
    domain: Literal["samhalle", "familj", "skola", "individ"]
    kind: Literal["risk", "skydd"]
    items: list[str] = Field(min_length=1)
    reverse: list[str] = Field(default_factory=list)
    min_answered: int = Field(ge=1)
    cut_point: float
    cut_point_source: str = "placeholder"


class OutcomeDef(Located):
    id: str = Field(pattern=IDENT)
    title: Titles
    item: str
    at_least: int


class Threshold(Located):
    item: str
    at_least: int


class Inconsistency(Located):
    recent: str
    ever: str


class ValidityDef(Located):
    fictitious_drug: Threshold | None = None
    implausible: list[Threshold] = Field(default_factory=list)
    inconsistent: list[Inconsistency] = Field(default_factory=list)


class SurveyMilestones(Located):
    wave_done: list[str] = Field(default_factory=list)
    decision: str | None = None


class EffectsDef(Located):
    """How the effects evaluation judges (ctcflow.survey.effects)."""

    alpha: float = Field(default=0.05, gt=0, lt=0.5)  # per area, over everything it tests
    power: float = Field(default=0.8, gt=0.5, lt=1)
    max_detectable: float = Field(default=0.12, gt=0, lt=1)  # a design blinder than this says "too few answers"
    min_comparison: int = Field(default=200, ge=1)  # answers per wave the comparison areas need


class SurveyDef(Located):
    version: Literal[1]
    min_cell: int = Field(default=10, ge=1)
    significance: float = Field(default=0.01, gt=0, lt=0.5)
    min_difference: float = Field(default=0.05, ge=0, lt=1)
    max_candidates: int = Field(default=5, ge=2, le=5)
    milestones: SurveyMilestones = Field(default_factory=SurveyMilestones)
    answer_scales: dict[str, AnswerScale]
    grade_groups: list[GradeGroup] = Field(min_length=1)
    genders: list[GenderDef] = Field(min_length=1)
    items: list[ItemDef] = Field(min_length=1)
    factors: list[FactorDef] = Field(min_length=1)
    outcomes: list[OutcomeDef] = Field(default_factory=list)
    validity: ValidityDef = Field(default_factory=ValidityDef)
    effects: EffectsDef = Field(default_factory=EffectsDef)

    @cached_property
    def item_map(self) -> dict[str, ItemDef]:
        return {i.id: i for i in self.items}

    def factor(self, factor_id: str) -> FactorDef | None:
        return next((f for f in self.factors if f.id == factor_id), None)

    def measure_title(self, measure_id: str, lang: str) -> str:
        measures: list[FactorDef | OutcomeDef] = [*self.factors, *self.outcomes]
        return next((m.title.get(lang) for m in measures if m.id == measure_id), measure_id)


def check_survey(survey: SurveyDef, path: Path) -> list[Problem]:
    problems: list[Problem] = []

    def add(node: Located, ident: str | None, message: str, hint: str, key: str | None = None) -> None:
        problems.append(Problem(path, node.line(key), ident, message, hint))

    seen: dict[str, Located] = {}
    identified: list[tuple[str, Located]] = [(n.id, n) for n in survey.items] + [(n.id, n) for n in survey.factors] \
        + [(n.id, n) for n in survey.outcomes] + [(n.id, n) for n in survey.grade_groups] \
        + [(n.id, n) for n in survey.genders]
    for ident, node in identified:
        if ident in seen:
            add(node, ident, f"duplicate id (first on line {seen[ident].line()})", "give each entry its own id")
        seen.setdefault(ident, node)
    for item in survey.items:
        if item.scale not in survey.answer_scales:
            add(item, item.id, f"unknown answer scale '{item.scale}'",
                f"use one of: {', '.join(survey.answer_scales)}", "scale")
    items = survey.item_map
    for factor in survey.factors:
        unknown = [i for i in factor.items if i not in items]
        if unknown:
            add(factor, factor.id, f"unknown items: {', '.join(unknown)}", "list item ids defined under items:",
                "items")
        stray = [i for i in factor.reverse if i not in factor.items]
        if stray:
            add(factor, factor.id, f"reverse-coded items not in the factor: {', '.join(stray)}",
                "reverse: may only name the factor's own items", "reverse")
        if factor.min_answered > len(factor.items):
            add(factor, factor.id, f"min_answered {factor.min_answered} exceeds its {len(factor.items)} items",
                "lower min_answered", "min_answered")
        scales = {items[i].scale for i in factor.items if i in items}
        if len(scales) > 1:
            add(factor, factor.id, f"items on different answer scales ({', '.join(sorted(scales))})",
                "a scale score needs items on one answer scale", "items")
        for scale_id in scales & set(survey.answer_scales):
            scale = survey.answer_scales[scale_id]
            if not scale.low <= factor.cut_point < scale.high:
                add(factor, factor.id,
                    f"cut point {factor.cut_point} outside the answer scale {scale.low}–{scale.high}",
                    "calibrate it with `ctc survey calibrate`", "cut_point")
    references: list[tuple[Located, str, str]] = [(o, o.id, o.item) for o in survey.outcomes]
    validity = survey.validity
    if validity.fictitious_drug:
        references.append((validity.fictitious_drug, "fictitious_drug", validity.fictitious_drug.item))
    references += [(t, "implausible", t.item) for t in validity.implausible]
    references += [(c, "inconsistent", i) for c in validity.inconsistent for i in (c.recent, c.ever)]
    for node, ident, item_id in references:
        if item_id not in items:
            add(node, ident, f"unknown item '{item_id}'", "name an item defined under items:")
    for node, ident, code, other in shared_codes((g.id, g, g.codes) for g in survey.genders):
        add(node, ident, f"code '{code}' is also a code of {other}", "a code means one gender: list it once", "codes")
    for node, ident, grade, other in shared_codes((g.id, g, g.grades) for g in survey.grade_groups):
        add(node, ident, f"grade '{grade}' is also in group {other}", "a grade belongs to one group", "grades")
    return problems


def load_survey(settings: Settings | None = None) -> SurveyDef:
    """survey.yml, validated; read again only when the file changes."""
    path = (settings or get_settings()).survey_path
    return _load_survey(path, path.stat().st_mtime_ns if path.exists() else 0)


@lru_cache(maxsize=4)
def _load_survey(path: Path, _mtime: int) -> SurveyDef:

    survey = load_validated(path, SurveyDef)
    assert isinstance(survey, SurveyDef)
    problems = check_survey(survey, path)
    if problems:
        raise DefinitionError(problems)
    return survey
