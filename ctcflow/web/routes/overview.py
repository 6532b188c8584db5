"""The coordinator's overview: every area × phase, filters, timelines, what is stuck."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlmodel import Session

from ctcflow.access.permissions import Action
from ctcflow.app import pages
from ctcflow.app.effects import priority_trends
from ctcflow.app.outbox import retry_and_deliver
from ctcflow.core.errors import DefinitionError
from ctcflow.core.words import say
from ctcflow.report import charts
from ctcflow.report.effect_charts import gap_sparkline
from ctcflow.report.effect_view import gap_in_words
from ctcflow.web.acks import ack_context
from ctcflow.web.deps import CentralViewer, DbSession, FormViewer, Viewer, WebState, let_go
from ctcflow.web.rendering import lang_of, page, root
from ctcflow.web.retried import as_query, from_query

router = APIRouter()


@router.get("/oversikt")
def overview(request: Request, web: WebState, viewer: CentralViewer, session: DbSession, fas: str = "",
             forsenade: str = "",
             q: str = "", forsokt: int | None = None, skickade: int = 0, misslyckade: int = 0, dag: str = "",
             upptagen: int = 0, kvitterat: str | None = None) -> HTMLResponse:
    retried = from_query(forsokt, skickade, misslyckade, dag, upptagen)
    return overview_view(request, web, viewer, session=session, fas=fas, forsenade=forsenade, q=q,
                         retried=retried.words(lang_of(request, viewer)) if retried else None, taken=kvitterat)


def overview_view(request: Request, web: WebState, viewer: Viewer, status: int = 200, *, session: Session,
                  fas: str = "",
                  forsenade: str = "", q: str = "", retried: str | None = None, **extra: Any) -> HTMLResponse:
    """The overview; ``extra`` carries an acknowledgement form's refusal and what was typed."""
    viewer.require(web.defs, Action.VIEW_CITY, refused="central_only")
    lang = lang_of(request, viewer)
    data = pages.overview(session, web.defs, web.today(), phase=fas or None, overdue_only=bool(forsenade), query=q)
    let_go(session)
    legend = web.terms(lang)["timeline_legend"]
    phase_names = web.names(lang)["phase"]
    timelines = {row.area_id: Markup(charts.phase_timeline(row.spans, web.today(), phase_names,  # noqa: S704
                                                           row.name, legend))
                 for row in data.rows if row.spans}
    intro = say(lang, "The area's priority factors against the comparison, in percentage points (plus is "
                      "worse, minus better)")
    try:
        found = priority_trends(web.settings, web.defs, web.today(), [row.area_id for row in data.rows])
    except DefinitionError:  # survey.yml has a mistake (said on top of the page): the rest still shows
        found = {}
    trends = {area_id: Markup(gap_sparkline(gaps, gap_in_words(gaps, intro, lang)))  # noqa: S704
              for area_id, gaps in found.items() if gaps}
    return page(request, "oversikt", viewer, status, data=data, n=web.names(lang), phases=web.defs.process.phases,
                timelines=timelines, trends=trends, filters={"fas": fas, "forsenade": forsenade, "q": q},
                retried=retried, report_titles={r.id: r.title.get(lang) for r in web.defs.process.reports},
                may_retry=viewer.may(web.defs, Action.RUN_DELIVERY),
                **ack_context(web, viewer, data.escalated, lang, extra))


@router.post("/utskick/forsok-igen")
def retry_failing(request: Request, web: WebState, viewer: FormViewer) -> Response:
    """Failing deliveries are tried again now, not at their next scheduled attempt."""
    viewer.require(web.defs, Action.RUN_DELIVERY, refused="central_only")
    retried = retry_and_deliver(None, web.today())
    return RedirectResponse(f"{root(request)}/oversikt?{as_query(retried)}#utskick", status_code=303)
