"""The report to the board, for its owner: each occasion previewed as the board will read it,
with what it still lacks and who owed it, then sent — the PDF attached — to its recipients."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ctcflow.access.permissions import Action
from ctcflow.app import reports
from ctcflow.app.outbox import retry_and_deliver
from ctcflow.core.errors import CtcError, Invalid
from ctcflow.definition.process import ReportDef
from ctcflow.report.delivery_words import lines
from ctcflow.report.schedule import report_def
from ctcflow.web.deps import FormViewer, SignedIn, Viewer, WebState, Year
from ctcflow.web.errors import PageError
from ctcflow.web.forms import field_error
from ctcflow.web.rendering import lang_of, page, root
from ctcflow.web.retried import as_query, from_query
from ctcflow.web.routes.files import FRAMED_REPORT

router = APIRouter()


def _owned(web: WebState, viewer: Viewer, report_id: str) -> ReportDef:
    """The report, if the viewer holds its owner role (the permission rule decides)."""
    try:
        report = report_def(web.defs, report_id)
    except CtcError:
        raise PageError(404, "not_found") from None
    viewer.require(web.defs, Action.SEND_REPORT, role=report.owner, refused="report_owner_only")
    return report


@router.get("/rapport/{report_id}")
def occasions(request: Request, web: WebState, viewer: SignedIn, report_id: str) -> HTMLResponse:
    report = _owned(web, viewer, report_id)
    today = web.today()
    lang = lang_of(request, viewer)
    calendar = [(o.occasion, o.words(today, lang), o.handed_on is None and o.occasion.due < today)
                for o in reports.report_calendar(today, web.defs, web.settings)
                if o.occasion.report.id == report_id and (o.handed_on is None or o.occasion.due.year >= today.year - 2)]
    return page(request, "rapport_lista", viewer, report=report, calendar=calendar)


def _preview_page(request: Request, web: WebState, viewer: Viewer, report: ReportDef, year: int,
                  status: int = 200, **extra: Any) -> HTMLResponse:
    lang = lang_of(request, viewer)
    try:
        found = reports.report_preview(web.defs, web.settings, report.id, year, as_of=web.today(), lang=lang,
                                       by=viewer.person.id)
    except CtcError:
        raise PageError(404, "not_found") from None
    context: dict[str, Any] = {"errors": {}, "retried": None, "just_sent": False, **extra}
    return page(request, "rapport", viewer, status, report=report, found=found, n=web.names(lang),
                **_in_words(web, found.state, lang), **context)


def _in_words(web: WebState, state: reports.OccasionState, lang: str) -> dict[str, Any]:
    """The state in one phrase and each copy in a line: the report page and its live part alike."""
    names = web.names(lang)["person"]
    return {"state_words": state.words(web.today(), lang),
            "delivery_lines": lines(state.sending, lambda p: names.get(p, p), lang) if state.sending else []}


@router.get("/rapport/{report_id}/{year}")
def preview(request: Request, web: WebState, viewer: SignedIn, report_id: str, year: Year,
            skickad: int | None = None, forsokt: int | None = None, skickade: int = 0, misslyckade: int = 0,
            dag: str = "", upptagen: int = 0) -> HTMLResponse:
    retried = from_query(forsokt, skickade, misslyckade, dag, upptagen)
    return _preview_page(request, web, viewer, _owned(web, viewer, report_id), year, just_sent=bool(skickad),
                         retried=retried.words(lang_of(request, viewer)) if retried else None)


@router.get("/rapport/{report_id}/{year}/lage")
def sending_state(request: Request, web: WebState, viewer: SignedIn, report_id: str, year: Year) -> HTMLResponse:
    """Only where the copies stand, for the report page left open (asked every 15 seconds while
    copies wait): nothing is rendered or gathered for it."""
    report = _owned(web, viewer, report_id)
    lang = lang_of(request, viewer)
    try:
        state = reports.report_state(web.defs, web.settings, report_id, year, as_of=web.today(), by=viewer.person.id)
    except CtcError:
        raise PageError(404, "not_found") from None
    return page(request, "rapport_lage", viewer, report=report, state=state, **_in_words(web, state, lang))


@router.get("/rapport/{report_id}/{year}/forhandsvisning")
def preview_file(request: Request, web: WebState, viewer: SignedIn, report_id: str, year: Year) -> Response:
    """The report as the board would read it today, shown framed in the preview page: rendered
    for the viewer and kept nowhere (only what is sent is archived)."""
    _owned(web, viewer, report_id)
    try:
        html = reports.report_preview_html(web.defs, web.settings, report_id, year, as_of=web.today(),
                                           lang=lang_of(request, viewer), by=viewer.person.id)
    except CtcError:
        raise PageError(404, "not_found") from None
    return Response(html, media_type="text/html; charset=utf-8", headers=FRAMED_REPORT)


@router.post("/rapport/{report_id}/{year}/skicka")
def send(request: Request, web: WebState, viewer: FormViewer, report_id: str, year: Year,
         before_period_end: Annotated[str, Form()] = "") -> Response:
    report = _owned(web, viewer, report_id)
    try:
        reports.report_send(web.defs, web.settings, report_id, year, as_of=web.today(),
                            lang=lang_of(request, viewer), by=viewer.person.id,
                            before_period_end=before_period_end == "ja")
    except Invalid as exc:  # the period is not over and nobody said to send it anyway
        return _preview_page(request, web, viewer, report, year, 422,
                             errors={"send": field_error(request, web, viewer, exc)})
    except CtcError:  # a year with no report due (3000): said as the preview says it
        raise PageError(404, "not_found") from None
    return RedirectResponse(f"{root(request)}/rapport/{report_id}/{year}?skickad=1#lage", status_code=303)


@router.post("/rapport/{report_id}/{year}/forsok-igen")
def retry(request: Request, web: WebState, viewer: FormViewer, report_id: str, year: Year) -> Response:
    """The copies the server refused or that failed are tried again now — on a working day; on
    a weekend or holiday the page says which day they go."""
    _owned(web, viewer, report_id)
    retried = retry_and_deliver(reports.failed_copies(web.settings, report_id, year, web.today()), web.today())
    return RedirectResponse(f"{root(request)}/rapport/{report_id}/{year}?{as_query(retried)}#lage", status_code=303)
