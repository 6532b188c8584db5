"""The web pages (FastAPI, server-rendered jinja2, no JavaScript needed).

Who may do what: everyone who acts is a person of areas.yml. They sign in with a one-time link
sent to their own channel, or through the signed link in any reminder; the session is a signed,
HTTP-only, secure cookie, and every form carries a token bound to it. A person of an area sees
and changes that area only; central people see the whole city and the central samordnare
changes any area. What is done here goes through the same functions — and into the same event
log — as the command line. A link that is wrong, expired or tampered with gets a page saying
so, and nothing changes.
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import yaml
from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ctcflow import calendar
from ctcflow.config import Settings, get_settings
from ctcflow.definitions import Definitions, load_definitions
from ctcflow.errors import CtcError
from ctcflow.messages import environment, renderer
from ctcflow.organisation import PersonDef
from ctcflow.outbox import Notice, write_new
from ctcflow.programmes import load_programmes
from ctcflow.progress import mark_done, undo_done
from ctcflow.report import charts
from ctcflow.report.content import titles
from ctcflow.survey.definition import load_survey
from ctcflow.web import pages
from ctcflow.web.links import Links
from ctcflow.web.tokens import Claims, TokenError, csrf_token, purpose_of, sign, verify
from db.engine import require_current_schema, session_scope
from db.models import MilestoneInstance, Notification, ReportArchive, WebTokenUse

FormText = Annotated[str, Form()]
SESSION_COOKIE = "ctc_session"
FORM_COOKIE = "ctc_form"  # before signing in: binds the sign-in form's token
LANG_COOKIE = "ctc_lang"
SESSION_HOURS = 8
MAX_UPLOAD = 25 * 2**20
LOGIN_EVERY_SECONDS = 120
SHA256 = re.compile(r"^[0-9a-f]{64}$")


class PageError(Exception):
    """Shown as a page of its own: what happened and what to do, never a stack trace."""

    def __init__(self, status: int, key: str, detail: str = "") -> None:
        super().__init__(key)
        self.status, self.key, self.detail = status, key, detail


@dataclass(frozen=True)
class Viewer:
    person: PersonDef
    area_id: str | None  # None: a central person
    jti: str

    @property
    def central(self) -> bool:
        return self.area_id is None

    def can_view(self, area_id: str) -> bool:
        return self.central or area_id == self.area_id

    def can_change(self, area_id: str) -> bool:
        return self.person.role == "central_samordnare" or area_id == self.area_id


class Web:
    """What the pages share: settings, definitions (loaded once), the signing key, templates."""

    def __init__(self, settings: Settings, as_of: date | None) -> None:
        self.settings, self.fixed_day = settings, as_of
        self.links = Links(settings)
        self.env = environment(settings.templates_dir, html=True)
        self._names: dict[str, dict[str, dict[str, str]]] = {}

    @cached_property
    def defs(self) -> Definitions:
        return load_definitions(self.settings)

    @property
    def key(self) -> bytes:
        return self.links.key

    def today(self) -> date:
        return self.fixed_day or calendar.today()

    def names(self, lang: str) -> dict[str, dict[str, str]]:
        """The report's display names, and what the area page adds: done-when texts, owners.
        Built once per language — a big city has tens of thousands of them."""
        if lang not in self._names:
            milestones = [m for p in self.defs.process.phases for m in p.milestones]
            self._names[lang] = {
                **titles(self.defs, load_survey(self.settings), load_programmes(self.settings), lang),
                "done_when": {m.id: m.done_when.get(lang) for m in milestones},
                "owner": {m.id: m.owner for m in milestones},
                "evidence": {m.id: "1" if m.evidence_required else "" for m in milestones}}
        return self._names[lang]

    def words(self, lang: str) -> dict[str, Any]:
        return _words(self.settings.templates_dir / lang / "web.yml")


_WORDS: dict[Path, dict[str, Any]] = {}


def _words(path: Path) -> dict[str, Any]:
    if path not in _WORDS:
        with path.open(encoding="utf-8") as handle:
            _WORDS[path] = yaml.safe_load(handle)
    return _WORDS[path]


def create_app(settings: Settings | None = None, as_of: date | None = None) -> FastAPI:
    web = Web(settings or get_settings(), as_of)
    require_current_schema(web.settings)
    # Loaded once, then frozen out of the cyclic collector's reach: a big city's definitions are
    # hundreds of thousands of long-lived objects it would otherwise rescan on every request.
    assert web.defs.org is not None
    gc.freeze()
    app = FastAPI(title="ctcflow", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.web = web

    def lang_of(request: Request, viewer: Viewer | None = None) -> str:
        asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
        if asked in ("sv", "en"):
            return asked
        return viewer.person.lang if viewer else web.settings.lang

    def viewer_of(request: Request) -> Viewer | None:
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        try:
            claims = verify(web.key, token, "session")
        except TokenError:
            return None
        found = web.defs.org.person(claims.person)
        if found is None or not found[0].active_on(web.today()):
            return None
        return Viewer(found[0], found[1].id if found[1] else None, claims.jti)

    def require(request: Request) -> Viewer:
        viewer = viewer_of(request)
        if viewer is None:
            raise PageError(401, "signed_out")
        return viewer

    def page(request: Request, name: str, viewer: Viewer | None, status: int = 200, **context: Any) -> HTMLResponse:
        lang = lang_of(request, viewer)
        html = web.env.get_template(f"web/{name}.html.j2").render(
            t=web.words(lang), lang=lang, viewer=viewer, today=web.today(), base=request.scope.get("root_path", ""),
            csrf=csrf_token(web.key, viewer.jti) if viewer else "", path=request.url.path,
            municipality=web.defs.org.municipality, evidence=evidence_href, **context)
        response = HTMLResponse(html, status_code=status)
        if request.query_params.get("lang") in ("sv", "en"):
            response.set_cookie(LANG_COOKIE, lang, httponly=True, secure=True, samesite="lax")
        return response

    def check_form(viewer: Viewer, token: str) -> None:
        if token != csrf_token(web.key, viewer.jti):
            raise PageError(403, "bad_form")

    @app.exception_handler(PageError)
    async def page_error(request: Request, exc: PageError) -> HTMLResponse:
        return page(request, "message", viewer_of(request), exc.status, key=exc.key, detail=exc.detail)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> HTMLResponse:
        key = "not_found" if exc.status_code == 404 else "bad_request"
        return page(request, "message", viewer_of(request), exc.status_code, key=key, detail="")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/")
    def home(request: Request) -> Response:
        viewer = viewer_of(request)
        if viewer is None:
            return RedirectResponse(f"{request.scope.get('root_path', '')}/login", status_code=303)
        target = "/oversikt" if viewer.central else f"/omrade/{viewer.area_id}"
        return RedirectResponse(f"{request.scope.get('root_path', '')}{target}", status_code=303)

    @app.get("/login")
    def login_form(request: Request) -> HTMLResponse:
        form = sign(web.key, "form", "-", seconds=3600)
        response = page(request, "login", None, form_csrf=csrf_token(web.key, _jti(web.key, form)), sent=False)
        response.set_cookie(FORM_COOKIE, form, httponly=True, secure=True, samesite="strict",
                            max_age=3600)
        return response

    @app.post("/login")
    def login_send(request: Request, person: FormText = "", csrf: FormText = "") -> HTMLResponse:
        form = request.cookies.get(FORM_COOKIE, "")
        try:
            jti = verify(web.key, form, "form").jti
        except TokenError:
            raise PageError(403, "bad_form") from None
        if csrf != csrf_token(web.key, jti):
            raise PageError(403, "bad_form")
        found = web.defs.org.person(person.strip())
        if found is not None and found[0].active_on(web.today()):
            _send_login_link(web, found[0])
        # the same answer either way: the page does not tell who exists
        return page(request, "login", None, form_csrf="", sent=True)

    @app.get("/l/{token}")
    def follow_link(request: Request, token: str) -> Response:
        purpose = purpose_of(token)
        if purpose not in ("login", "milestone", "open"):
            raise PageError(400, "link_tampered")
        try:
            claims = verify(web.key, token, purpose)
        except TokenError as exc:
            raise PageError(400 if exc.reason != "expired" else 410, f"link_{exc.reason}") from None
        found = web.defs.org.person(claims.person)
        if found is None or not found[0].active_on(web.today()):
            raise PageError(403, "link_person")
        root = request.scope.get("root_path", "")
        target = "/"
        if purpose == "login":
            _use_once(claims, web.settings)
        elif purpose == "milestone":
            target = f"/omrade/{claims.data['a']}?m={claims.data['m']}#m-{claims.data['m']}"
        elif claims.data.get("a"):
            target = f"/omrade/{claims.data['a']}"
        response = RedirectResponse(f"{root}{target}", status_code=303)
        response.set_cookie(SESSION_COOKIE, sign(web.key, "session", claims.person, seconds=SESSION_HOURS * 3600),
                            httponly=True, secure=True, samesite="lax", max_age=SESSION_HOURS * 3600)
        return response

    @app.post("/logout")
    def logout(request: Request, csrf: FormText = "") -> Response:
        viewer = require(request)
        check_form(viewer, csrf)
        response = RedirectResponse(f"{request.scope.get('root_path', '')}/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/oversikt")
    def overview(request: Request, fas: str = "", forsenade: str = "", q: str = "") -> HTMLResponse:
        viewer = require(request)
        if not viewer.central:
            raise PageError(403, "central_only")
        lang = lang_of(request, viewer)
        with session_scope(web.settings) as session:
            data = pages.overview(session, web.defs, web.today(), phase=fas or None, overdue_only=bool(forsenade),
                                  query=q)
        words = web.words(lang)
        legend = tuple(words["timeline_legend"])
        phase_names = web.names(lang)["phase"]
        timelines = {row.area_id: Markup(charts.phase_timeline(row.spans, web.today(), phase_names,  # noqa: S704
                                                               row.name, legend))
                     for row in data.rows if row.spans}
        return page(request, "oversikt", viewer, data=data, n=web.names(lang), phases=web.defs.process.phases,
                    timelines=timelines, filters={"fas": fas, "forsenade": forsenade, "q": q})

    @app.get("/omrade/{area_id}")
    def area(request: Request, area_id: str, klar: int | None = None, angrad: int | None = None,
             m: int | None = None) -> HTMLResponse:
        viewer = require(request)
        if not viewer.can_view(area_id):
            raise PageError(403, "other_area")
        lang = lang_of(request, viewer)
        with session_scope(web.settings) as session:
            data = pages.area_page(session, area_id, web.today())
            reports = [r for r in pages.archived(session) if r.scope in (area_id, "city")][:20]
        if data is None:
            raise PageError(404, "not_found")
        return page(request, "omrade", viewer, data=data, n=web.names(lang), reports=reports,
                    can_change=viewer.can_change(area_id), feed=web.links.feed(viewer.person.id, area_id),
                    flash_done=klar, flash_undone=angrad, opened=m)

    @app.post("/omrade/{area_id}/klar/{instance_id}")
    def mark(request: Request, area_id: str, instance_id: int, csrf: FormText = "", note: FormText = "",
             link: FormText = "", document: Annotated[UploadFile | None, File()] = None) -> Response:
        viewer = require(request)
        check_form(viewer, csrf)
        if not viewer.can_change(area_id):
            raise PageError(403, "other_area")
        evidence = [link.strip()] if link.strip() else []
        if document is not None and document.filename:
            evidence.append(_store_upload(web.settings.evidence_dir, document))
        with session_scope(web.settings) as session:
            instance = _instance(session, area_id, instance_id)
            try:
                done = mark_done(session, web.defs, area_id, instance.milestone_id, by=viewer.person.id,
                                 as_of=web.today(), evidence=" · ".join(evidence) or None, note=note.strip() or None)
            except CtcError as exc:
                raise PageError(409, "not_marked", str(exc)) from None
            if done.id != instance_id:
                raise PageError(409, "not_marked", "this milestone is not the one open now")
        return RedirectResponse(f"{request.scope.get('root_path', '')}/omrade/{area_id}?klar={instance_id}"
                                f"#m-{instance_id}", status_code=303)

    @app.post("/omrade/{area_id}/angra/{instance_id}")
    def unmark(request: Request, area_id: str, instance_id: int, csrf: FormText = "",
               note: FormText = "") -> Response:
        viewer = require(request)
        check_form(viewer, csrf)
        if not viewer.can_change(area_id):
            raise PageError(403, "other_area")
        with session_scope(web.settings) as session:
            instance = _instance(session, area_id, instance_id)
            try:
                undo_done(session, web.defs, area_id, instance.milestone_id, by=viewer.person.id, as_of=web.today(),
                          note=note.strip() or None)
            except CtcError as exc:
                raise PageError(409, "not_marked", str(exc)) from None
        return RedirectResponse(f"{request.scope.get('root_path', '')}/omrade/{area_id}?angrad={instance_id}"
                                f"#m-{instance_id}", status_code=303)

    @app.get("/kalender/{token}.ics")
    def feed(token: str) -> Response:
        from ctcflow.ics import area_calendar
        from ctcflow.status import area_milestones

        try:
            claims = verify(web.key, token, "feed")
        except TokenError as exc:
            raise PageError(400 if exc.reason != "expired" else 410, f"link_{exc.reason}") from None
        area_id = str(claims.data.get("a"))
        with session_scope(web.settings) as session:
            milestones = area_milestones(session, web.defs, area_id, web.today(), include_completed=True)
        text = area_calendar(web.defs, area_id, milestones, web.settings.lang)
        return Response(text, media_type="text/calendar; charset=utf-8")

    @app.get("/rapporter")
    def reports(request: Request) -> HTMLResponse:
        viewer = require(request)
        with session_scope(web.settings) as session:
            rows = [r for r in pages.archived(session) if viewer.central or r.scope in ("city", viewer.area_id)]
        return page(request, "rapporter", viewer, reports=rows,
                    area_names={a.id: a.name for a in web.defs.org.areas})

    @app.get("/rapporter/{archive_id}")
    def report_file(request: Request, archive_id: int) -> Response:
        viewer = require(request)
        with session_scope(web.settings) as session:
            row = session.get(ReportArchive, archive_id)
            if row is None:
                raise PageError(404, "not_found")
            if not (viewer.central or row.scope in ("city", viewer.area_id)):
                raise PageError(403, "other_area")
            content, filename, fmt = bytes(row.content), row.filename, row.format
        media = {"pdf": "application/pdf", "html": "text/html; charset=utf-8", "md": "text/markdown; charset=utf-8"}
        return Response(content, media_type=media.get(fmt, "application/octet-stream"),
                        headers={"Content-Disposition": f"attachment; filename=\"{filename}\""})

    @app.get("/bevis/{sha}")
    def evidence_file(request: Request, sha: str, namn: str = "underlag") -> Response:
        require(request)
        path = web.settings.evidence_dir / sha
        if not SHA256.match(sha) or not path.exists():
            raise PageError(404, "not_found")
        safe = re.sub(r"[^\w.\- ]", "_", namn)[:120] or "underlag"
        return Response(path.read_bytes(), media_type="application/octet-stream",
                        headers={"Content-Disposition": f"attachment; filename=\"{safe}\""})

    return app


def _jti(key: bytes, token: str) -> str:
    return verify(key, token, "form").jti


def _use_once(claims: Claims, settings: Settings) -> None:
    try:
        with session_scope(settings) as session:
            session.add(WebTokenUse(jti=claims.jti, person_id=claims.person, used_at=datetime.now(tz=UTC)))
    except IntegrityError:
        raise PageError(410, "link_used") from None


def _instance(session: Any, area_id: str, instance_id: int) -> MilestoneInstance:
    instance = session.get(MilestoneInstance, instance_id)
    if instance is None or instance.area_id != area_id:
        raise PageError(404, "not_found")
    return instance


def _store_upload(folder: Path, document: UploadFile) -> str:
    """Keep the file under its SHA-256 (the same document twice is stored once); the evidence
    names it by hash and file name."""
    digest = hashlib.sha256()
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, delete=False) as out:
        size = 0
        while chunk := document.file.read(1 << 20):
            size += len(chunk)
            if size > MAX_UPLOAD:
                out.close()
                os.unlink(out.name)
                raise PageError(413, "too_big")
            digest.update(chunk)
            out.write(chunk)
    sha = digest.hexdigest()
    os.replace(out.name, folder / sha)
    name = Path(document.filename or "underlag").name
    return f"fil:{sha}:{name}"


def _send_login_link(web: Web, person: PersonDef) -> None:
    """The sign-in link goes to the person's own channel, through the outbox, sent now."""
    from ctcflow.delivery import deliver_pending

    link = web.links.login(person.id)
    # one link per person per two minutes: asking again (or someone asking for them) adds no mail
    key = f"login/{person.id}/{int(time.time() // LOGIN_EVERY_SECONDS)}"
    notice = Notice(key=key, kind="login", as_of=web.today(), area_id=None, recipient=person.id,
                    reference=person.notify, lang=person.lang, template="login",
                    context=lambda: {"person": person.name, "link": link, "minutes": 30,
                                     "municipality": web.defs.org.municipality})
    with session_scope(web.settings) as session:
        write_new(session, [notice], renderer(web.settings.templates_dir))
        ids = list(session.execute(select(Notification.id).where(Notification.key == key)).scalars())
    deliver_pending(only=ids)


def evidence_href(base: str, evidence: str) -> list[tuple[str, str]]:
    """The evidence as (text, href) pieces: links stay links, uploaded files link to /bevis."""
    parts = []
    for piece in evidence.split(" · "):
        if piece.startswith("fil:") and piece.count(":") >= 2:
            _, sha, name = piece.split(":", 2)
            parts.append((name, f"{base}/bevis/{sha}?namn={quote(name)}"))
        elif piece.startswith(("http://", "https://")):
            parts.append((piece, piece))
        else:
            parts.append((piece, ""))
    return parts
