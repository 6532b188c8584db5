"""What an area owes the report to the board, on one page: an entry on each mandated theme
(boendemedverkan, jämställdhetsintegrering, rasism/sexism) for the period the next report
covers, and the area's input milestone. A refused entry is shown next to its field."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from ctcflow.access.permissions import Action
from ctcflow.app import pages, records
from ctcflow.core.errors import Invalid
from ctcflow.definition.process import THEMES
from ctcflow.report.service import upcoming
from ctcflow.web.deps import AreaViewer, DbSession, FormViewer, Viewer, WebState, let_go
from ctcflow.web.errors import PageError
from ctcflow.web.forms import field_error
from ctcflow.web.rendering import lang_of, page, root
from ctcflow.web.uploads import Staged, kept_for_page, kept_of_form, staged_evidence

router = APIRouter()
FormText = Annotated[str, Form()]


def reporting_view(request: Request, web: WebState, viewer: Viewer, area_id: str, status: int = 200, *,
                   session: Session, **extra: Any) -> HTMLResponse:
    viewer.require(web.defs, Action.RECORD_AREA_WORK, area_id)
    area = web.defs.org.area(area_id)
    if area is None:
        raise PageError(404, "not_found")
    today = web.today()
    report = next((r for r in web.defs.process.reports if r.area_input), None)
    next_one = next(iter(upcoming(web.defs, report, today)), None) if report else None
    entries = records.area_entries(web.settings, area_id)
    inputs = [m for m in pages.area_deadlines(session, web.defs, area_id, today, include_retired=False)
              if report and m.milestone_id == report.area_input]
    let_go(session)
    context: dict[str, Any] = {"errors": {}, "typed": {}, "saved": None, **extra}
    return page(request, "redovisning", viewer, status, area_id=area_id, area_name=area.name, themes=THEMES,
                next_report=next_one, report=report, n=web.names(lang_of(request, viewer)), inputs=inputs,
                entries={k: sorted((e for e in entries if e.kind == k), key=lambda e: e.happened_on, reverse=True)
                         for k in THEMES}, **context)


@router.get("/omrade/{area_id}/redovisning")
def reporting(request: Request, web: WebState, viewer: AreaViewer, session: DbSession, area_id: str,
              sparat: str | None = None) -> HTMLResponse:
    return reporting_view(request, web, viewer, area_id, session=session, saved=sparat)


@router.post("/omrade/{area_id}/redovisning/{theme}")
def add_entry(request: Request, web: WebState, viewer: FormViewer, session: DbSession, area_id: str, theme: str,
              description: FormText = "", happened_on: FormText = "", link: FormText = "", kept: FormText = "",
              drop_kept: FormText = "", document: Annotated[UploadFile | None, File()] = None) -> Response:
    viewer.require(web.defs, Action.RECORD_AREA_WORK, area_id)
    staged = Staged()
    chosen_before = kept_of_form(web.key, viewer.jti, area_id, kept, drop_kept)
    try:
        with staged_evidence(web.settings, link, document, chosen_before,
                             keep_on=lambda failure: isinstance(failure, Invalid), into=staged):
            try:
                day = date.fromisoformat(happened_on.strip())
            except ValueError:
                raise Invalid("happened_on", "date_format", "not a date") from None
            records.theme_entry(web.defs, web.settings, area_id, theme, happened_on=day, description=description,
                                evidence=staged.evidence, by=viewer.person.id, as_of=web.today())
    except Invalid as exc:
        error = field_error(request, web, viewer, exc)
        typed = {"description": description, "happened_on": happened_on, "link": link,
                 **kept_for_page(web.key, viewer.jti, area_id, staged)}
        return reporting_view(request, web, viewer, area_id, 422, session=session, errors={theme: error},
                              typed={theme: typed})
    return RedirectResponse(f"{root(request)}/omrade/{area_id}/redovisning?sparat={theme}#tema-{theme}",
                            status_code=303)
