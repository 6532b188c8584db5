"""The report as files: self-contained HTML (print-friendly), PDF (printed from that HTML, ``pdf``)
and Markdown. One structure per format in ``templates/report/``, the words per language in
``templates/<lang>/report.yml`` — a long document in two languages and two formats would
otherwise be four copies of the same sections.

Nothing in the output depends on the clock or the machine: the same content gives the same
bytes, so an archived report can be checked against a re-rendering by its hash."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from ctcflow.core.config import get_settings
from ctcflow.core.templating import environment, percent, phrasebook
from ctcflow.definition.loader import Definitions
from ctcflow.definition.programmes import CatalogueDef
from ctcflow.definition.survey import SurveyDef
from ctcflow.notices.stalls import topic_of
from ctcflow.report import charts
from ctcflow.report.effect_view import change_in_words, detectable_in_words
from ctcflow.report.model import AREA_SECTIONS, ReportContent
from ctcflow.report.names import titles
from ctcflow.report.pdf import pdf_from_html

FORMATS = ("html", "pdf", "md")


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
        env.filters["cell"] = lambda text: " ".join(str(text).replace("|", "\\|").split())
    return html, md


@lru_cache(maxsize=8)
def labels(templates_dir: Path, lang: str) -> dict[str, Any]:
    return phrasebook(templates_dir, lang, "report")


def _context(content: ReportContent, defs: Definitions, survey: SurveyDef, catalogue: CatalogueDef, lang: str,
             templates_dir: Path, kind: str, mandated: dict[str, str]) -> dict[str, Any]:
    t = labels(templates_dir, lang)
    names = titles(defs, survey, catalogue, lang)
    timeline_legend = tuple(t["timeline_legend"])
    completion_legend = tuple(t["completion_legend"])
    year_totals = {year: sum(by_admin.values()) for year, by_admin in content.costs.items()}
    owner = next((r.owner for r in defs.process.reports), defs.process.coordinator)
    admin = defs.org.responsible_administration(owner, content.as_of)
    escalations = [e for a in content.areas for e in a.escalations]
    responsible = names["administration"].get(admin or "", admin or "")
    return {
        "attention": attention(content, defs, t, names, responsible),
        "c": content, "t": t, "n": names, "lang": lang, "kind": kind, "title": content.title,
        "responsible": responsible,
        "period_years": content.period.years(),
        "sections": [s for s in mandated if s in AREA_SECTIONS] or list(AREA_SECTIONS),
        "administrations": sorted({a for by_admin in content.costs.values() for a in by_admin},
                                  key=lambda a: names["administration"].get(a, a)),
        "area_names": {a.id: a.name for a in content.areas},
        "appendix": {"late": [(a.name, m) for a in content.areas
                              for m in sorted(a.missing + a.late, key=lambda m: (m.due, m.milestone_id))]},
        "plans": {a.id: _programmes_by_factor(a.plan, names["programme"]) for a in content.areas},
        **effects_context(content, t, names, lang),
        "totals": {"due": sum(a.due_in_period for a in content.areas), "on_time": sum(a.on_time for a in content.areas),
                   "late": sum(len(a.late) for a in content.areas),
                   "missing": sum(len(a.missing) for a in content.areas),
                   "escalated": len(escalations), "resolved": sum(1 for e in escalations if e.resolved_on)},
        "charts": {
            "completion": Markup(charts.milestone_completion(content.areas, t["completion"], completion_legend,  # noqa: S704
                                                             t["all_areas"])),
            "costs": Markup(charts.costs_per_year(year_totals, t["costs_per_year"], t["unit"])),  # noqa: S704
            "timelines": {a.id: Markup(charts.phase_timeline(a.spans, content.as_of, names["phase"],  # noqa: S704
                                                             f"{t['timeline']}: {a.name}", timeline_legend))
                          for a in content.areas},
        },
    }


def attention(content: ReportContent, defs: Definitions, t: dict[str, Any], names: dict[str, dict[str, str]],
              responsible: str) -> dict[str, list[str]]:
    """The sentences the board reads first — each stall (with who has taken it on, if anyone),
    each escalation that reached it, each matter taken on, each start moved and who decided it —
    and the att-sats that asks the board to decide on each stall."""
    starts = {a.id: a.start for a in defs.org.areas}
    acks = {e.topic: e.ack for e in content.acknowledged if e.ack is not None}

    def taken(topic: str) -> str:
        ack = acks.get(topic)
        if ack is None:
            return ""
        key = "ack_holds" if ack.holds(content.as_of) else "ack_lapsed"
        return " " + t[key].format(by=names["person"].get(ack.by, ack.by), plan=ack.plan, until=ack.until,
                                   on=ack.on)

    stalled, proposals = [], []
    for stall in content.stalls:
        area = names["area"].get(stall.area_id or "", stall.area_id or "")
        milestone = names["milestone"].get(stall.milestone_id or "", stall.milestone_id or "–")
        role = names["role"].get(stall.role or "", stall.role or "")
        ack = taken(topic_of(stall))
        if stall.kind == "not_started":
            stalled.append(t["stall_not_started"].format(area=area, start=starts.get(stall.area_id or "", stall.since),
                                                         since=stall.since, milestone=milestone) + ack)
            proposals.append(t["proposal_not_started"].format(responsible=responsible, area=area))
        elif stall.kind == "inactive":
            stalled.append(t["stall_inactive"].format(area=area, last=stall.last_activity or "–",
                                                      milestone=milestone) + ack)
            proposals.append(t["proposal_inactive"].format(responsible=responsible, area=area))
        else:
            key = "stall_vacancy_area" if stall.area_id else "stall_vacancy_central"
            stalled.append(t[key].format(role=role, area=area, since=stall.since) + ack)
            where = t["proposal_vacancy_where"].format(area=area) if stall.area_id else ""
            proposals.append(t["proposal_vacancy"].format(responsible=responsible, role=role, where=where))
    board = [t["board_escalated"].format(on=e.first_on, what=e.subject) for e in content.board_escalations]
    others = [t["acknowledged"].format(what=e.subject) + taken(e.topic) for e in content.acknowledged
              if not e.topic.startswith("stall/")]
    moved = [t["start_moved"].format(area=names["area"].get(m.area_id, m.area_id), old=m.old, new=m.new,
                                     by=names["person"].get(m.by, m.by), on=m.on)
             + (t["start_moved_why"].format(note=m.note) if m.note else "") for m in content.start_moves]
    return {"stalls": stalled, "board": board, "proposals": proposals, "acknowledged": others, "moved": moved}


def effects_context(content: ReportContent, t: dict[str, Any], names: dict[str, dict[str, str]],
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
            (t["effects_adherence"] if p.adherence is not None else t["effects_adherence_unknown"]).format(
                programme=names["programme"].get(p.programme_id, p.programme_id), since=p.chosen_on.isoformat(),
                adherence=percent(p.adherence, lang)) for p in area.programmes)
        for area_id, area in content.effects.items()}
    detectable = {area_id: detectable_in_words(area.effects, lang) for area_id, area in content.effects.items()}
    return {"effects_totals": totals if content.effects else {}, "effects_programmes": programmes,
            "effects_detectable": detectable,
            "effects_change": {area_id: [change_in_words(e, t, lang) for e in area.effects]
                               for area_id, area in content.effects.items()}}


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
    out: list[Rendering] = []
    html = html_env.get_template("report/report.html.j2").render(**context)
    if "html" in formats:
        out.append(Rendering("html", f"{stem}.html", html.encode("utf-8")))
    if "pdf" in formats:
        out.append(Rendering("pdf", f"{stem}.pdf", pdf_from_html(html, get_settings().report_areas_per_chunk)))
    if "md" in formats:
        text = md_env.get_template("report/report.md.j2").render(**context)
        out.append(Rendering("md", f"{stem}.md", text.encode("utf-8")))
    return out

