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
from datetime import date

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ctcflow.core.config import Settings, get_settings
from ctcflow.web.context import Web
from ctcflow.web.deps import viewer_of
from ctcflow.web.errors import PageError
from ctcflow.web.rendering import page
from ctcflow.web.routes import area, board_report, costs, files, overview, people, plan, reporting, signin, survey
from db.engine import require_current_schema


def create_app(settings: Settings | None = None, as_of: date | None = None) -> FastAPI:
    web = Web(settings or get_settings(), as_of)
    require_current_schema(web.settings)
    # Loaded once, then frozen out of the cyclic collector's reach: a big city's definitions are
    # hundreds of thousands of long-lived objects it would otherwise rescan on every request.
    assert web.defs.org is not None
    gc.freeze()
    app = FastAPI(title="ctcflow", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.web = web
    for module in (signin, overview, area, reporting, plan, survey, people, costs, board_report, files):
        app.include_router(module.router)

    @app.exception_handler(PageError)
    async def page_error(request: Request, exc: PageError) -> HTMLResponse:
        return page(request, "message", viewer_of(request), exc.status, key=exc.key, detail=exc.detail)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> HTMLResponse:
        key = "not_found" if exc.status_code == 404 else "bad_request"
        return page(request, "message", viewer_of(request), exc.status_code, key=key, detail="")

    return app
