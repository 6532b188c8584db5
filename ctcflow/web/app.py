"""The web pages (FastAPI, server-rendered jinja2, no JavaScript needed), wired together.

Who may do what: everyone who acts is a person of areas.yml. They sign in with a one-time link
sent to their own channel, or through the signed link in any reminder; the session is a signed,
HTTP-only, secure cookie, and every form carries a token bound to it. What a person may see and
change is the one permission rule (ctcflow.access.permissions), asked through the dependencies
in ``deps``. What is done here goes through the application layer — and into the same event
log — as the command line. A link that is wrong, expired or tampered with gets a page saying
so, and nothing changes.
"""

from __future__ import annotations

import gc
import logging
from datetime import date

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ctcflow.core.config import Settings, get_settings
from ctcflow.core.errors import DefinitionError
from ctcflow.web.context import Web
from ctcflow.web.deps import viewer_of
from ctcflow.web.errors import PageError
from ctcflow.web.guard import Guard
from ctcflow.web.rendering import page
from ctcflow.web.routes import (
    acks,
    area,
    board_report,
    costs,
    files,
    links,
    overview,
    people,
    plan,
    reporting,
    signin,
    sso,
    static,
    survey,
)
from db.engine import require_current_schema

# Every router the server answers with, in the order it tries them (docs/web.md lists their addresses).
ROUTERS = tuple(module.router for module in (signin, links, sso, overview, area, acks, reporting, plan, survey,
                                             people, costs, board_report, files, static))
HTTP_WORDS = {404: "not_found", 405: "not_allowed", 413: "too_big", 401: "signed_out"}
log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, as_of: date | None = None) -> FastAPI:
    web = Web(settings or get_settings(), as_of)
    require_current_schema(web.settings)
    assert web.key  # a signing key too short is refused here, at start, not at the first sign-in
    # Loaded once, then frozen out of the cyclic collector's reach: a big city's definitions are
    # hundreds of thousands of long-lived objects it would otherwise rescan on every request.
    assert web.defs.org is not None
    gc.freeze()
    app = FastAPI(title="ctcflow", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.web = web
    for router in ROUTERS:
        app.include_router(router)

    def error_page(request: Request, exc: PageError) -> HTMLResponse:
        try:
            viewer = viewer_of(request)
        except Exception:  # the page that says something failed must not fail itself
            viewer = None
        return page(request, "message", viewer, exc.status, key=exc.key, detail=exc.detail)

    @app.exception_handler(PageError)
    async def page_error(request: Request, exc: PageError) -> HTMLResponse:
        return error_page(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> HTMLResponse:
        return error_page(request, PageError(exc.status_code, HTTP_WORDS.get(exc.status_code, "bad_request")))

    @app.exception_handler(RequestValidationError)
    async def bad_value(request: Request, exc: RequestValidationError) -> HTMLResponse:
        """A path or query value of the wrong kind (a word where a number belongs): the app's page."""
        return error_page(request, PageError(400, "bad_value"))

    @app.exception_handler(DefinitionError)
    async def definitions_invalid(request: Request, exc: DefinitionError) -> HTMLResponse:
        """A definition file edited into an invalid state that a page cannot do without: said on
        the page, with what is wrong for whoever edits the files — not a failure of the server."""
        log.warning("a page needs definitions that have problems: %s", exc)
        return error_page(request, PageError(503, "definitions_invalid", str(exc)))

    @app.exception_handler(Exception)
    async def failure(request: Request, exc: Exception) -> HTMLResponse:
        """Whatever went wrong: logged in full for the operator, a plain page for the reader."""
        log.exception("request failed: %s %s", request.method, request.url.path)
        return error_page(request, PageError(500, "server_error"))

    app.add_middleware(Guard, render_error=error_page, https=web.settings.web_base_url.startswith("https://"))
    return app
