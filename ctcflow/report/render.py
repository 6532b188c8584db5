"""The report as files: self-contained HTML (print-friendly), PDF (printed from that HTML, ``pdf``)
and Markdown. One structure per format in ``templates/report/``, its words translated from the
catalogues (``ctcflow.core.words``) — a long document in two languages and two formats would
otherwise be four copies of the same sections.

Nothing in the output depends on the clock or the machine: the same content gives the same
bytes, so an archived report can be checked against a re-rendering by its hash."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from ctcflow.core.config import get_settings
from ctcflow.core.templating import environment, in_language, percent
from ctcflow.core.words import N_, Words, words
from ctcflow.definition.loader import Definitions
from ctcflow.definition.programmes import CatalogueDef
from ctcflow.definition.survey import SurveyDef
from ctcflow.report import charts
from ctcflow.report.effect_view import change_in_words, detectable_in_words
from ctcflow.report.model import AREA_SECTIONS, ReportContent
from ctcflow.report.names import titles
from ctcflow.report.officials import report_owner
from ctcflow.report.paper import paper
from ctcflow.report.pdf import pdf_from_html
from ctcflow.report.sentences import outcome_words, stall_lines
from ctcflow.report.terms import report_terms

FORMATS = ("html", "pdf", "md")
BACKGROUND = N_("The municipality works with Communities That Care (CTC) and reports on the work to the municipal "
                "board regularly. Each area goes through the phases mobilisation, assessment, prioritisation, "
                "action plan and follow-up.")


@dataclass(frozen=True)
class Rendering:
    format: str
    filename: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@lru_cache(maxsize=4)
def _environments(templates_dir: Path) -> tuple[Environment, Environment]:
    html, md = environment(templates_dir, html=True), environment(templates_dir, html=False)
    for env in (html, md):
        env.filters["kr"] = charts.whole_kronor
        env.filters["datauri"] = charts.data_uri
    html.filters["cell"] = lambda text: " ".join(str(text).split())  # HTML: the environment escapes it
    md.filters["cell"] = markdown_text
    return html, md


MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def markdown_text(text: object) -> str:
    """Text someone typed (an entry, its evidence, a plan), as Markdown that shows it and does
    nothing else: no HTML, no link, no emphasis and no table cell break it could smuggle in —
    each such character escaped — on one line."""
    return " ".join(MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).split())


def _context(content: ReportContent, defs: Definitions, survey: SurveyDef, catalogue: CatalogueDef, lang: str,
             templates_dir: Path, kind: str, mandated: dict[str, str]) -> dict[str, Any]:
    t = words(lang)
    terms = report_terms(lang)
    names = titles(defs, survey, catalogue, lang)
    year_totals = {year: sum(by_admin.values()) if by_admin else None for year, by_admin in content.costs.items()}
    admin = defs.org.responsible_administration(report_owner(defs), content.as_of)
    responsible = names["administration"].get(admin or "", admin or "")
    the_paper = paper(content, defs, t, names, responsible, lang)
    return {
        **in_language(lang), "terms": terms,
        "paper": the_paper,
        "background": content.occasion.report.background.get(lang)
        if content.occasion and content.occasion.report.background else t(BACKGROUND),
        "log": content.log,
        "outcome": lambda entry: outcome_words(entry, t, names),
        "stall_lines": stall_lines(content, defs, t, names),
        "log_by_area": _log_by_area(content),
        "c": content, "n": names, "lang": lang, "kind": kind,
        # an area's report is the team's own: named after the area, not addressed to the board
        "title": t("CTC in {area} – area report").format(area=content.areas[0].name)
        if kind == "area" and content.areas
        else content.title,
        "responsible": responsible,
        "period_years": content.period.years(),
        "sections": [s for s in mandated if s in AREA_SECTIONS] or list(AREA_SECTIONS),
        "administrations": sorted({a for by_admin in content.costs.values() for a in by_admin},
                                  key=lambda a: names["administration"].get(a, a)),
        "area_names": {a.id: a.name for a in content.areas},
        "plans": {a.id: _programmes_by_factor(a.plan, names["programme"]) for a in content.areas},
        **effects_context(content, t, names, lang),
        "charts": {
            # the paper's one bar: the city's milestones of the period against plan
            "completion": Markup(charts.milestone_completion(  # noqa: S704
                content.areas, t("The period's milestones against plan, all areas"), terms["completion_legend"],
                t("All areas"), most=0)),
            "costs": Markup(charts.costs_per_year(year_totals, t("Costs per year"), t("SEK"),  # noqa: S704
                                                  t("not reported"))),
            "timelines": {a.id: Markup(charts.phase_timeline(  # noqa: S704
                a.spans, content.as_of, names["phase"], t("Phase timeline against plan") + f": {a.name}",
                terms["timeline_legend"]))
                          for a in content.areas},
        },
    }


def effects_context(content: ReportContent, t: Words, names: dict[str, dict[str, str]],
                    lang: str) -> dict[str, Any]:
    """The effects part's figures in words: the city's verdicts counted for the summary, each
    area's programmes with their fidelity, and the smallest difference its design can see."""
    totals = dict.fromkeys(("improved", "worsened", "no_difference", "too_few"), 0)
    for area in content.effects.values():
        for verdict, count in area.counts().items():
            if verdict in totals:
                totals[verdict] += count
    programmes = {
        area_id: "; ".join(
            (t("{programme} from {since}, fidelity {adherence}") if p.adherence is not None
             else t("{programme} from {since}, fidelity not reported")).format(
                programme=names["programme"].get(p.programme_id, p.programme_id), since=p.chosen_on.isoformat(),
                adherence=percent(p.adherence, lang)) for p in area.programmes)
        for area_id, area in content.effects.items()}
    detectable = {area_id: detectable_in_words(area.effects, lang) for area_id, area in content.effects.items()}
    return {"effects_totals": totals if content.effects else {}, "effects_programmes": programmes,
            "effects_detectable": detectable,
            "effects_change": {area_id: [change_in_words(e, t, lang) for e in area.effects]
                               for area_id, area in content.effects.items()}}


def _log_by_area(content: ReportContent) -> dict[str, list[Any]]:
    """Each area's escalated things other than single milestones (those are in its own table):
    the area stalled, its late work rolled up, its vacancies."""
    found: dict[str, list[Any]] = {}
    for entry in content.log:
        if entry.area_id and entry.kind != "escalation":
            found.setdefault(entry.area_id, []).append(entry)
    return found


def _programmes_by_factor(plan: list[tuple[str, str]], names: dict[str, str]) -> dict[str, list[str]]:
    chosen: dict[str, list[str]] = {}
    for factor, programme in plan:
        chosen.setdefault(factor, []).append(names.get(programme, programme))
    return chosen


def render(content: ReportContent, defs: Definitions, survey: SurveyDef, catalogue: CatalogueDef, *, lang: str,
           templates_dir: Path, kind: str, mandated: dict[str, str], stem: str,
           formats: tuple[str, ...] = FORMATS) -> list[Rendering]:
    """The report in each of ``formats``; the PDF is printed from the HTML."""
    html_env, md_env = _environments(templates_dir)
    context = _context(content, defs, survey, catalogue, lang, templates_dir, kind, mandated)
    context["ctx"] = context  # the shared parts read the figures they need from it
    template = "area" if kind == "area" else "report"
    out: list[Rendering] = []
    html = html_env.get_template(f"report/{template}.html.j2").render(**context)
    if "html" in formats:
        out.append(Rendering("html", f"{stem}.html", html.encode("utf-8")))
    if "pdf" in formats:
        out.append(Rendering("pdf", f"{stem}.pdf", pdf_from_html(html, get_settings().report_areas_per_chunk)))
    if "md" in formats:
        text = md_env.get_template(f"report/{template}.md.j2").render(**context)
        out.append(Rendering("md", f"{stem}.md", text.encode("utf-8")))
    return out

