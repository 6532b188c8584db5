"""The report to the board, for its owner: each occasion previewed as the board will read it,
with what it still lacks and who owed it, then sent — the PDF attached — to its recipients."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ctcflow.access.permissions import Action
from ctcflow.app import reports
from ctcflow.core.errors import CtcError
from ctcflow.definition.process import ReportDef
from ctcflow.report.schedule import report_def
from ctcflow.web.deps import FormViewer, SignedIn, Viewer, WebState
from ctcflow.web.errors import PageError
from ctcflow.web.rendering import lang_of, page, root

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
    calendar = [(o, sent) for o, sent in reports.report_calendar(today, web.defs, web.settings)
                if o.report.id == report_id and (sent is None or o.due.year >= today.year - 2)]
    return page(request, "rapport_lista", viewer, report=report, calendar=calendar)


@router.get("/rapport/{report_id}/{year}")
def preview(request: Request, web: WebState, viewer: SignedIn, report_id: str, year: int,
            skickad: int | None = None) -> HTMLResponse:
    report = _owned(web, viewer, report_id)
    lang = lang_of(request, viewer)
    try:
        found = reports.report_preview(web.defs, web.settings, report_id, year, as_of=web.today(), lang=lang,
                                       by=viewer.person.id)
    except CtcError as exc:
        raise PageError(404, "not_found", str(exc)) from None
    return page(request, "rapport", viewer, report=report, found=found,
                n=web.names(lang), just_sent=skickad)


@router.post("/rapport/{report_id}/{year}/skicka")
def send(request: Request, web: WebState, viewer: FormViewer, report_id: str, year: int) -> Response:
    _owned(web, viewer, report_id)
    try:
        reports.report_send(web.defs, web.settings, report_id, year, as_of=web.today(),
                            lang=lang_of(request, viewer), by=viewer.person.id)
    except CtcError as exc:  # a year with no report due (3000): said as the preview says it
        raise PageError(404, "not_found", str(exc)) from None
    return RedirectResponse(f"{root(request)}/rapport/{report_id}/{year}?skickad=1", status_code=303)
