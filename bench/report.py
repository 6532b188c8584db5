"""The report to KS for the whole synthetic city: gather what it says for every area, render
the HTML and the Markdown, print the PDF — and the daily gap check the sweep runs before a due
date. Half the areas recorded their mandated work and costs, so half the sections are gaps."""

from __future__ import annotations

import io
import os
import resource
from datetime import date

import pypdf
from sqlalchemy import insert, select
from sqlmodel import col

from bench.timing import clock
from ctcflow.core.config import get_settings
from ctcflow.definition.loader import Definitions
from ctcflow.definition.programmes import load_programmes
from ctcflow.definition.survey import load_survey
from ctcflow.report.content import gather
from ctcflow.report.model import ReportContent, Scope
from ctcflow.report.render import Rendering, render
from ctcflow.report.service import content_for, request_for
from db.engine import session_scope
from db.models import Area, CostEntry, MandateEntry

AS_OF = date(2022, 4, 20)


def record_half(as_of: date) -> None:
    with session_scope() as session:
        areas = list(session.execute(select(col(Area.id)).order_by(col(Area.id))).scalars())[::2]
        session.execute(insert(MandateEntry), [
            {"area_id": a, "kind": kind, "happened_on": date(2021, 5, 1), "description": f"{kind} i {a}",
             "evidence": None, "recorded_on": as_of, "recorded_by": "bench"}
            for a in areas for kind in ("boendemedverkan", "jamstalldhetsintegrering", "rasism_sexism")])
        session.execute(insert(CostEntry), [
            {"year": year, "area_id": a, "administration": "stadskontoret", "amount_ore": 60_000_000,
             "source": "bench", "recorded_on": as_of, "recorded_by": "bench"}
            for a in areas for year in (2020, 2021)])


def bench_report(defs: Definitions) -> None:
    settings = get_settings()
    record_half(AS_OF)
    request = request_for(defs, "ks", "2022", AS_OF)
    report = request.report

    def gap_check() -> int:
        with session_scope() as session:
            scope = Scope(request.period, AS_OF, None, request.occasion.due if request.occasion else None)
            return len(gather(session, defs, scope, mandated=report.owed_by(), area_input=report.area_input,
                              gaps_only=True)[2])

    gaps, _ = clock("gap check before the due date (all areas)", gap_check)
    print(f"    {gaps} gaps")

    def content() -> ReportContent:
        with session_scope() as session:
            return content_for(session, defs, request)

    found, _ = clock("gather the report's content (all areas)", content)
    survey, catalogue = load_survey(settings), load_programmes(settings)

    def files(content: ReportContent, formats: tuple[str, ...]) -> list[Rendering]:
        return render(content, defs, survey, catalogue, lang="sv", templates_dir=settings.templates_dir,
                      kind="ks", mandated=report.owed_by(), stem=request.stem, formats=formats)

    html, _ = clock("render HTML + Markdown (all areas)", lambda: files(found, ("html", "md")))
    for rendering in html:
        print(f"    {rendering.format}: {len(rendering.content) / 2**20:.1f} MiB")
    # The PDF of every area: printed in chunks on every core and joined (ctcflow.report.pdf);
    # memory is the parent's peak beside the largest printing process's.
    pdf, _ = clock(f"print the PDF ({len(found.areas)} areas, {os.cpu_count()} processes)",
                   lambda: files(found, ("pdf",)))
    pages = len(pypdf.PdfReader(io.BytesIO(pdf[0].content)).pages)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"    pdf: {pages} pages, {len(pdf[0].content) / 2**20:.1f} MiB; peak memory {own:.0f} MiB here, "
          f"{child:.0f} MiB in the largest printing process")
