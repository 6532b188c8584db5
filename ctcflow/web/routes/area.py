"""An area's page: its open phases' milestones, marking one done with evidence, undoing it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ctcflow.access.permissions import Action, NotAllowed
from ctcflow.app import progress
from ctcflow.core.errors import CtcError
from ctcflow.web import pages
from ctcflow.web.deps import AreaViewer, FormViewer, WebState
from ctcflow.web.errors import PageError
from ctcflow.web.rendering import lang_of, page, root
from ctcflow.web.uploads import store_upload
from db.engine import session_scope

router = APIRouter()
FormText = Annotated[str, Form()]


@contextmanager
def refusals_as_pages() -> Iterator[None]:
    """What the application refuses, as the page that says so: not here (404), not yours (403),
    not now (409, with the reason)."""
    try:
        yield
    except progress.NotInArea:
        raise PageError(404, "not_found") from None
    except NotAllowed:
        raise PageError(403, "other_area") from None
    except CtcError as exc:
        raise PageError(409, "not_marked", str(exc)) from None


@router.get("/omrade/{area_id}")
def area(request: Request, web: WebState, viewer: AreaViewer, area_id: str, klar: int | None = None,
         angrad: int | None = None, m: int | None = None) -> HTMLResponse:
    lang = lang_of(request, viewer)
    with session_scope(web.settings) as session:
        data = pages.area_page(session, web.defs, area_id, web.today())
        reports = [r for r in pages.archived(session) if r.scope in (area_id, "city")][:20]
    if data is None:
        raise PageError(404, "not_found")
    return page(request, "omrade", viewer, data=data, n=web.names(lang), reports=reports,
                can_change=viewer.may(web.defs, Action.RECORD_AREA_WORK, area_id),
                feed=web.links.feed(viewer.person.id, area_id), flash_done=klar, flash_undone=angrad, opened=m)


@router.post("/omrade/{area_id}/klar/{instance_id}")
def mark(request: Request, web: WebState, viewer: FormViewer, area_id: str, instance_id: int,
         note: FormText = "", link: FormText = "",
         document: Annotated[UploadFile | None, File()] = None) -> Response:
    if not viewer.may(web.defs, Action.VIEW_AREA, area_id):
        raise PageError(403, "other_area")
    evidence = [link.strip()] if link.strip() else []
    if document is not None and document.filename:
        evidence.append(store_upload(web.settings.evidence_dir, document))
    with refusals_as_pages():
        progress.mark_instance(web.defs, web.settings, area_id, instance_id, by=viewer.person.id,
                               as_of=web.today(), evidence=" · ".join(evidence) or None, note=note.strip() or None)
    return RedirectResponse(f"{root(request)}/omrade/{area_id}?klar={instance_id}#m-{instance_id}", status_code=303)


@router.post("/omrade/{area_id}/angra/{instance_id}")
def unmark(request: Request, web: WebState, viewer: FormViewer, area_id: str, instance_id: int,
           note: FormText = "") -> Response:
    if not viewer.may(web.defs, Action.VIEW_AREA, area_id):
        raise PageError(403, "other_area")
    with refusals_as_pages():
        progress.undo_instance(web.defs, web.settings, area_id, instance_id, by=viewer.person.id,
                               as_of=web.today(), note=note.strip() or None)
    return RedirectResponse(f"{root(request)}/omrade/{area_id}?angrad={instance_id}#m-{instance_id}",
                            status_code=303)
