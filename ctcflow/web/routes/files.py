"""What the pages hand out as files: the calendar feed, archived reports, evidence."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ctcflow.access.permissions import Action, active_actor, may
from ctcflow.app import pages
from ctcflow.app.evidence import named_in_area, read
from ctcflow.app.feeds import feed_is_live
from ctcflow.core.tokens import TokenError, verify
from ctcflow.engine.ics import area_calendar
from ctcflow.web.deps import AreaViewer, DbSession, RowId, SignedIn, Viewer, WebState, let_go
from ctcflow.web.errors import PageError
from ctcflow.web.rendering import lang_of, page

router = APIRouter()
# a report shown framed in a page: its own styles, no scripts, no forms
FRAMED_REPORT = {"Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; "
                                            "img-src data:; frame-ancestors 'self'",
                 "X-Frame-Options": "SAMEORIGIN"}
SHA256 = re.compile(r"^[0-9a-f]{64}$")
MEDIA = {"pdf": "application/pdf", "html": "text/html; charset=utf-8", "md": "text/markdown; charset=utf-8"}


@router.get("/kalender/{token}.ics")
def feed(web: WebState, session: DbSession, token: str) -> Response:
    """The calendar, while the subscription is the person's live one and they may see the area."""
    try:
        claims = verify(web.key, token, "feed")
    except TokenError as exc:
        raise PageError(400 if exc.reason != "expired" else 410, f"link_{exc.reason}") from None
    area_id = str(claims.data.get("a"))
    actor = active_actor(web.defs, claims.person, web.today())
    if (actor is None or not may(web.defs, actor, Action.VIEW_AREA, area_id)
            or not feed_is_live(web.settings, claims.jti, claims.person, area_id)):
        raise PageError(410, "link_expired")
    milestones = pages.area_deadlines(session, web.defs, area_id, web.today(), include_completed=True)
    let_go(session)
    text = area_calendar(web.defs, area_id, milestones, web.settings.lang)
    return Response(text, media_type="text/calendar; charset=utf-8")


def may_see_scope(web: WebState, viewer: Viewer, scope: str) -> bool:
    """An archived report: the city's for everyone signed in, an area's for those who may see it."""
    return scope == "city" or viewer.may(web.defs, Action.VIEW_AREA, scope)


def sees_drafts(web: WebState, viewer: Viewer) -> bool:
    """Reports rendered and not sent are seen by whoever sends reports, nobody else."""
    return any(viewer.may(web.defs, Action.SEND_REPORT, role=r.owner) for r in web.defs.process.reports)


@router.get("/rapporter")
def reports(request: Request, web: WebState, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    rows = pages.reports_shown(session, web.today(), drafts=sees_drafts(web, viewer),
                  scopes=lambda scope: may_see_scope(web, viewer, scope))
    let_go(session)
    return page(request, "rapporter", viewer, reports=rows, n=web.names(lang_of(request, viewer)))


@router.get("/rapporter/{archive_id}")
def report_file(web: WebState, viewer: SignedIn, session: DbSession, archive_id: RowId, visa: int = 0) -> Response:
    """The file to download — or, ``visa``, an HTML report shown in the browser (the preview)."""
    row = pages.archived_file(session, archive_id)
    if row is None:
        raise PageError(404, "not_found")
    if not may_see_scope(web, viewer, row.scope) or (row.sent_on is None and not sees_drafts(web, viewer)):
        raise PageError(403, "other_area")
    content, filename, fmt = bytes(row.content), row.filename, row.format
    let_go(session)
    disposition = "inline" if visa and fmt == "html" else "attachment"
    headers = {"Content-Disposition": f"{disposition}; filename=\"{filename}\""}
    if disposition == "inline":
        headers |= FRAMED_REPORT
    return Response(content, media_type=MEDIA.get(fmt, "application/octet-stream"), headers=headers)


@router.get("/omrade/{area_id}/bevis/{sha}")
def evidence_file(web: WebState, viewer: AreaViewer, area_id: str, sha: str, namn: str = "underlag") -> Response:
    """A stored file, to those who may see an area whose records name it."""
    if not SHA256.match(sha) or not named_in_area(web.settings, area_id, sha):
        raise PageError(404, "not_found")
    content = read(web.settings, sha)
    if content is None:
        raise PageError(404, "not_found")
    safe = re.sub(r"[^\w.\- ]", "_", namn)[:120] or "underlag"
    return Response(content, media_type="application/octet-stream",
                    headers={"Content-Disposition": f"attachment; filename=\"{safe}\""})
